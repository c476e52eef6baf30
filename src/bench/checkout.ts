/**
 * Where the benchmarks are: the benchmark modules are TypeScript files in the repository's
 * benchmarks/ folder, run through tsx, so the suite needs a source checkout with its dev
 * dependencies installed. An npm installation of the package has neither, and is told so.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeadroomError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

export interface Checkout {
  /** The package root: the folder of headroom's package.json. */
  root: string;
  /** The script that runs one variant of a module and prints its figures (benchmarks/child.ts). */
  child: string;
  /** What `--import` takes to run TypeScript: tsx's loader, resolved from the package root. */
  tsx: string;
}

/** headroom's package folder (from src/ under tsx and from dist/ alike). */
export function findPackageRoot(from: string = import.meta.url): string | undefined {
  return packageRoot(from);
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
