/**
 * V8 code cache files for the bundled executable (see boot.ts). A cache file holds compiled code
 * that V8 runs without checking it against the source, so it is only read when it is ours: owned
 * by this user, not writable by others, and intact (a checksum of the data sits in front of it,
 * because V8's release builds do not verify their own: see `cacheDigest`). Every failure here means
 * "compile from source": the start never depends on the cache.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { headroomCacheDir } from '../util/cache-dir.js';

const SUFFIX = '.v8cache';
const DIGEST_BYTES = 20;
/** Cache files kept besides the current one: other Node versions or builds in use side by side. */
const KEEP_OTHERS = 3;

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `--name VALUE` or `--name=VALUE` before any `--`, as the CLI parser reads it. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') return undefined;
    if (token === flag) return argv[i + 1];
    if (token.startsWith(`${flag}=`)) return token.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * The cache file for bundle `id` on this Node, or undefined when HEADROOM_NO_CODE_CACHE is set.
 * It sits in the catalog cache's folder when the flag or environment variable moves that (a
 * configuration file's cacheDir is read too late for this), else under $XDG_CACHE_HOME or ~/.cache.
 */
export function codeCacheFile(
  id: string,
  argv: readonly string[],
  env: Env,
  cwd: string,
): string | undefined {
  if (env.HEADROOM_NO_CODE_CACHE) return undefined;
  return join(catalogCacheDir(argv, env, cwd), 'code', cacheName(id));
}

/**
 * The catalog cache's folder as the command line and environment set it, before the configuration is
 * read: a configuration file's cacheDir is not seen here.
 */
export function catalogCacheDir(argv: readonly string[], env: Env, cwd: string): string {
  const moved = flagValue(argv, 'cache-dir') || env.HEADROOM_OPENAPI_CACHE_DIR;
  return moved ? resolve(cwd, moved) : headroomCacheDir(env);
}

/**
 * The cache file that `npm run build` writes beside the bundle (scripts/code-cache.mjs), read when
 * the user's own is absent: a first start then skips compiling too, as long as it runs on the Node
 * the package was built with.
 */
export function shippedCodeCacheFile(bundle: string, id: string): string {
  return join(dirname(bundle), 'code', cacheName(id));
}

function cacheName(id: string): string {
  return `${id}-${process.version}-${process.arch}${SUFFIX}`;
}

export type CodeCacheRead =
  | { data: Buffer }
  | { data?: undefined; state: 'absent' | 'rejected'; reason: string };

/**
 * Reads and checks a cache file. `installed` also accepts a file owned by root, as a package
 * installed by root is: whoever can write such a file can already change the bundle beside it.
 */
export function readCodeCache(file: string, installed = false): CodeCacheRead {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return { state: 'absent', reason: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    // POSIX only: Windows has no uid, and its mode bits do not describe who may write.
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid && !(installed && stat.uid === 0))
      return { state: 'rejected', reason: `owned by uid ${stat.uid}, not ${uid}` };
    if (uid !== undefined && (stat.mode & 0o022) !== 0)
      return { state: 'rejected', reason: `writable by others (mode ${(stat.mode & 0o777).toString(8)})` };
    bytes = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  const digest = bytes.subarray(0, DIGEST_BYTES);
  const data = bytes.subarray(DIGEST_BYTES);
  if (data.length === 0 || !digest.equals(cacheDigest(data)))
    return { state: 'rejected', reason: 'checksum mismatch' };
  return { data };
}

/** Writes atomically (temp file, then rename), private to this user, then trims the folder. */
export function writeCodeCache(file: string, data: Buffer): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat([cacheDigest(data), data]), { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
    throw error;
  }
  trim(dir, file);
}

/**
 * What sits in front of a cache file's data: its CRC-32 (zlib's, Node 20.15 and later), else its
 * SHA-1. Either finds a damaged or cut file; the file is private to its user, so nobody forges
 * one. CRC-32 is 20 times cheaper: SHA-1 of a 1.3 MB cache was 19 M instructions of every start.
 * A cache file is named for one Node version, which always uses the same of the two.
 */
export function cacheDigest(data: Uint8Array): Buffer {
  const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (typeof crc32 !== 'function') return createHash('sha1').update(data).digest();
  const digest = Buffer.alloc(DIGEST_BYTES);
  digest.writeUInt32LE(crc32(data) >>> 0);
  return digest;
}

/** Each build leaves a stale file behind; keep only the newest few besides `current`. */
function trim(dir: string, current: string): void {
  const others = readdirSync(dir)
    .filter((name) => name.endsWith(SUFFIX) && join(dir, name) !== current)
    .map((name) => {
      const path = join(dir, name);
      try {
        return { path, mtime: statSync(path).mtimeMs };
      } catch {
        return { path, mtime: 0 };
      }
    })
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of others.slice(KEEP_OTHERS)) {
    try {
      unlinkSync(path);
    } catch {
      // Removed by another start meanwhile.
    }
  }
}
