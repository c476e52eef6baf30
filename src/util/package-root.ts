/** Finds headroom's own package folder, from src/ under tsx and from dist/ after a build alike. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from the module at `from` (its import.meta.url) to headroom's package.json; undefined when not found. */
export function packageRoot(from: string): string | undefined {
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
