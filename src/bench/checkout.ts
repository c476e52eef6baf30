/**
 * Where the benchmarks are: the benchmark modules are TypeScript files in the repository's
 * benchmarks/ folder, run through tsx, so the suite needs a source checkout with its dev
 * dependencies installed. An npm installation of the package has neither, and is told so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HeadroomError } from '../errors.js';

export interface Checkout {
  /** The package root: the folder of headroom's package.json. */
  root: string;
  /** The script that runs one variant of a module and prints its figures (benchmarks/child.ts). */
  child: string;
  /** What `--import` takes to run TypeScript: tsx's loader, resolved from the package root. */
  tsx: string;
}

/** Walks up from `from` to headroom's package.json (from src/ under tsx and from dist/ alike). */
export function findPackageRoot(from: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'headroom') return dir;
    } catch {
      // No package.json here, or not ours; keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The checkout at `root` (default: the one this module belongs to), or a clear error. */
export function findCheckout(root: string | undefined = findPackageRoot()): Checkout {
  const where = root ?? 'this installation';
  const child = root === undefined ? undefined : join(root, 'benchmarks', 'child.ts');
  if (root === undefined || child === undefined || !existsSync(child))
    throw new HeadroomError(
      'HR_BENCH_NO_CHECKOUT',
      `the benchmarks are TypeScript files in the repository's benchmarks/ folder, which ${where} does not have: run headroom bench (or npm run bench) from a source checkout, after npm install`,
    );
  let tsx: string;
  try {
    tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
  } catch {
    throw new HeadroomError(
      'HR_BENCH_NO_CHECKOUT',
      `the benchmarks run through tsx, a dev dependency that is not installed in ${root}: run npm install there first`,
    );
  }
  return { root, child, tsx };
}
