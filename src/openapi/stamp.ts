/**
 * The stamp of a spec file in the catalog cache: a small file named after the spec's path and state
 * (size, inode, change and modification times) that holds the spec's content hash, so a warm start
 * finds its catalog without reading and hashing the spec. Any write to the spec changes its change
 * time, so a stale stamp needs a file rewritten within the same nanosecond.
 * Apart from cache.ts so that the executable's loader can look for one (src/openapi/prefetch.ts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../util/sha256.js';

/** Where the stamp of `file` (an absolute path) is in the cache folder `dir`, for its state now. */
export function stampFile(dir: string, file: string): string {
  const stat = statSync(file, { bigint: true });
  const state = `${file}\n${stat.size}\n${stat.ino}\n${stat.ctimeNs}\n${stat.mtimeNs}`;
  return join(dir, `${sha256Hex(state)}.stamp`);
}
