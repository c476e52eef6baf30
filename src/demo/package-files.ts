/**
 * Files the demo uses from headroom's own package: the example spec (examples/ ships with the
 * package) and the built executable, for the client configurations the banner prints. Found by
 * walking up from this module to the package root, which works from src/ under tsx, from dist/
 * after tsc and from the one-file bundle (whose import.meta.url is dist/cli-bundle.js).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HeadroomError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

export const DEMO_SPEC = join('examples', 'demo-api.yaml');

export interface DemoFiles {
  root: string;
  /** The demo's OpenAPI spec, absolute. */
  spec: string;
  /** dist/cli.js, absolute (it may not be built when running from source). */
  cli: string;
}

export function demoFiles(from: string = import.meta.url): DemoFiles {
  const root = packageRoot(from);
  const spec = root === undefined ? undefined : join(root, DEMO_SPEC);
  if (root === undefined || spec === undefined || !existsSync(spec))
    throw new HeadroomError(
      'HR_DEMO_FILES',
      `the demo's API spec ${DEMO_SPEC} is not in headroom's package${root ? ` (${root})` : ''}: the installation is incomplete; reinstall headroom`,
    );
  return { root, spec, cli: join(root, 'dist', 'cli.js') };
}
