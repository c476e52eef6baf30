/** The package version, read from package.json so it cannot drift from what npm published. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Walks up from this module to headroom's package.json, which works from src/ under tsx and from
 * dist/ after a build, whatever the depth.
 */
export function readVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'headroom' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here, or not ours; keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
