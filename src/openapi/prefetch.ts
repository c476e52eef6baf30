/**
 * A cold start's spec, read while the rest of Headroom loads. The executable's loader
 * (src/cli/boot.ts) spends 20-30 ms compiling the bundle and running its top level before any spec
 * is looked at, and reading GitHub's 12 MB spec into fresh memory takes 10-15 ms, most of it page
 * faults. Started first, the read runs on the thread pool meanwhile, into the memory the sparse
 * parse scans (src/wasm/scan-memory.ts), and source.ts takes the bytes if the file is still the
 * one read.
 *
 * Which files is a guess from the command line alone: the configuration is read later. Every
 * argument after `openapi` that names a regular file of at least PREFETCH_MIN_BYTES and at most the
 * default size cap, unless the catalog cache has a stamp for it (a warm start reads its catalog from
 * the cache and never the spec). A wrong guess costs a read and its memory until it is dropped, never
 * a result: a file that is not served, or has changed since, is read again the usual way.
 */
import { type BigIntStats, existsSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { scanMemory } from '../wasm/scan-memory.js';
import { DEFAULT_MAX_SPEC_BYTES, readFileInto } from './source.js';
import { stampFile } from './stamp.js';

/** Smaller specs read in well under a millisecond: not worth guessing about. */
export const PREFETCH_MIN_BYTES = 1024 * 1024;

/** A read into a scan memory: true once the whole file is in it, false if it failed or the length changed. */
export interface PrefetchedRead {
  memory: WebAssembly.Memory;
  done: Promise<boolean>;
}

/** The reads started before the CLI ran; each is taken at most once. */
export class PrefetchedSpecs {
  private readonly reads = new Map<string, { stat: BigIntStats; read: PrefetchedRead }>();

  /** Starts reading `file` (an absolute path) as it is in `stat`. */
  start(file: string, stat: BigIntStats): void {
    const memory = scanMemory(Number(stat.size));
    const into = new Uint8Array(memory.buffer, 0, Number(stat.size));
    const done = readFileInto(openSync(file, 'r'), into).then(
      (bytes) => bytes !== undefined,
      () => false,
    );
    this.reads.set(file, { stat, read: { memory, done } });
  }

  get size(): number {
    return this.reads.size;
  }

  /** The read of `file` if one was started and the file is as it was then (`stat` is its state now). */
  take(file: string, stat: BigIntStats): PrefetchedRead | undefined {
    const entry = this.reads.get(file);
    if (!entry) return undefined;
    this.reads.delete(file);
    const then = entry.stat;
    const same =
      stat.size === then.size &&
      stat.ino === then.ino &&
      stat.mtimeNs === then.mtimeNs &&
      stat.ctimeNs === then.ctimeNs;
    return same ? entry.read : undefined;
  }

  /** Drops the reads not taken: their memory is garbage once they finish. */
  release(): void {
    this.reads.clear();
  }
}

/**
 * Starts reading the specs that `argv` (the arguments after the executable) would serve in a cold
 * start; none for another command. `cacheDir` is the catalog cache's folder as the command line and
 * environment set it.
 */
export function prefetchSpecs(argv: readonly string[], cwd: string, cacheDir: string): PrefetchedSpecs {
  const prefetched = new PrefetchedSpecs();
  const command = argv.indexOf('openapi');
  if (command === -1 || typeof WebAssembly !== 'object') return prefetched;
  const end = argv.indexOf('--');
  const args = argv.slice(command + 1, end === -1 ? undefined : end);
  const stamps = args.includes('--no-cache') ? undefined : cacheDir;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const file = resolve(cwd, arg);
    try {
      const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
      if (!stat?.isFile() || stat.size < PREFETCH_MIN_BYTES || stat.size > DEFAULT_MAX_SPEC_BYTES) continue;
      if (stamps && existsSync(stampFile(stamps, file))) continue;
      prefetched.start(file, stat);
    } catch {
      // Unreadable here means unreadable later too, where it gets its error message.
    }
  }
  return prefetched;
}
