/**
 * SpecCache: prepared catalogs on disk, brotli-compressed, keyed by the spec's content hash, the
 * options that shaped the catalog, and Headroom's version, so that a warm start reads a few hundred
 * kilobytes instead of parsing megabytes of spec. An entry that is corrupt or does not match its key
 * is never trusted: it is reported and rebuilt. The folder is bounded: past its byte limit the least
 * recently used entries go.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompressSync, constants } from 'node:zlib';
import { headroomCacheDir } from '../util/cache-dir.js';
import { sha256Hex } from '../util/sha256.js';
import { stampFile } from './stamp.js';

// 3: the entry's JSON text is ASCII (see `asciiJson`).
const FORMAT = 3;
const SUFFIX = '.catalog.br';
// Raw entries are stored as they are: they are bytes a client receives, and reading them is then a
// file read, where decompressing GitHub's 2.2 MB tool list took 10-20 ms of a 0.5 s warm start.
const RAW_SUFFIX = '.raw';
const SIZE = '.size';

export interface SpecCacheOptions {
  /** Default: $XDG_CACHE_HOME/headroom, else ~/.cache/headroom. */
  dir?: string;
  /** The folder's byte limit; default 512 MiB. */
  maxBytes?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

export type CacheRead<T> =
  | { hit: true; value: T }
  | { hit: false; reason: 'absent' | 'corrupt' | 'mismatch'; detail?: string };

export class SpecCache {
  readonly dir: string;
  private readonly maxBytes: number;

  constructor(options: SpecCacheOptions = {}) {
    const env = options.env ?? process.env;
    this.dir = options.dir ?? headroomCacheDir(env);
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  /**
   * The content hash of a spec's bytes, the main part of its cache key: 256 bits of BLAKE2b, which
   * hashes a 12 MB spec in about half the time of SHA-256 on CPUs without SHA instructions.
   */
  static contentHash(bytes: Uint8Array): string {
    return createHash('blake2b512').update(bytes).digest('hex').slice(0, 64);
  }

  /** The cache key for a spec's content hash and everything else that shapes its catalog. */
  static key(specHash: string, shaping: unknown, version: string): string {
    return sha256Hex(`${FORMAT}\n${version}\n${specHash}\n${JSON.stringify(shaping)}`);
  }

  read<T>(key: string): CacheRead<T> {
    const body = this.readBody(key, SUFFIX);
    if (!body.hit) return body;
    let entry: { format?: unknown; key?: unknown; value?: T };
    try {
      // Latin-1 of ASCII bytes is the same text, and decoding it is a copy rather than a UTF-8 walk.
      entry = JSON.parse(body.value.toString(isAscii(body.value) ? 'latin1' : 'utf8'));
    } catch (error) {
      return { hit: false, reason: 'corrupt', detail: (error as Error).message };
    }
    if (entry === null || typeof entry !== 'object')
      return { hit: false, reason: 'corrupt', detail: 'not an entry' };
    if (entry.format !== FORMAT || entry.key !== key || entry.value === undefined) {
      return {
        hit: false,
        reason: 'mismatch',
        detail: `entry for ${String(entry.key).slice(0, 12)}, format ${String(entry.format)}`,
      };
    }
    return { hit: true, value: entry.value };
  }

  /**
   * A raw entry: a first line of JSON that must be `{format, key, ...}` for this key, then bytes the
   * caller uses as they are (a tool list written straight to the client, for one).
   */
  readRaw(key: string): CacheRead<{ head: Record<string, unknown>; rest: Buffer }> {
    const body = this.readBody(key, RAW_SUFFIX, false);
    if (!body.hit) return body;
    const newline = body.value.indexOf(10);
    let head: Record<string, unknown>;
    try {
      head = JSON.parse(body.value.subarray(0, newline < 0 ? undefined : newline).toString('utf8'));
    } catch (error) {
      return { hit: false, reason: 'corrupt', detail: (error as Error).message };
    }
    if (newline < 0 || head?.format !== FORMAT || head.key !== key)
      return { hit: false, reason: 'mismatch', detail: 'not a raw entry for this key' };
    // Uncompressed, so nothing else would notice a truncated file.
    if (head.bytes !== body.value.length - newline - 1)
      return {
        hit: false,
        reason: 'corrupt',
        detail: `${body.value.length - newline - 1} bytes, not ${head.bytes}`,
      };
    return { hit: true, value: { head, rest: body.value.subarray(newline + 1) } };
  }

  async writeRaw(key: string, head: Record<string, unknown>, rest: Buffer): Promise<void> {
    const first = Buffer.from(
      `${JSON.stringify({ ...head, format: FORMAT, key, bytes: rest.length })}\n`,
      'utf8',
    );
    await this.writeBody(key, RAW_SUFFIX, Buffer.concat([first, rest]), false);
  }

  private readBody(key: string, suffix: string, compressed = true): CacheRead<Buffer> {
    const file = join(this.dir, `${key}${suffix}`);
    let stored: Buffer;
    try {
      stored = readFileSync(file);
    } catch {
      return { hit: false, reason: 'absent' };
    }
    let body: Buffer;
    try {
      body = compressed ? brotliDecompressSync(stored) : stored;
    } catch (error) {
      return { hit: false, reason: 'corrupt', detail: (error as Error).message };
    }
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // The recency stamp is an eviction hint only.
    }
    return { hit: true, value: body };
  }

  /** Writes a catalog entry (ASCII JSON, brotli-compressed). */
  async write(key: string, value: unknown): Promise<void> {
    await this.writeBody(key, SUFFIX, Buffer.from(asciiJson({ format: FORMAT, key, value }), 'latin1'));
  }

  /** Writes an entry atomically (temp file, then rename), then trims the folder to its limit. */
  private async writeBody(key: string, suffix: string, body: Buffer, compressed = true): Promise<void> {
    // Quality 5: most of the ratio of higher levels at a fraction of their time.
    const stored = compressed
      ? await promisify(brotliCompress)(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        })
      : body;
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${key}${suffix}`);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, stored);
    renameSync(temp, file);
    this.trim();
  }

  /** The content hash last recorded for a file in this exact state (see stamp.ts). */
  knownHash(file: string): string | undefined {
    try {
      const hash = readFileSync(stampFile(this.dir, file), 'utf8');
      return /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
    } catch {
      return undefined;
    }
  }

  rememberHash(file: string, hash: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(stampFile(this.dir, file), hash);
    } catch {
      // Only a shortcut: without it the next start reads and hashes the file.
    }
  }

  /**
   * Whether a catalog was ever stored for a spec of exactly `bytes` bytes, shaped so: when not, no
   * entry can hold its content, and a first start need not hash the spec before answering.
   */
  sizeSeen(bytes: number, shaping: unknown, version: string): boolean {
    return existsSync(this.sizeFile(bytes, shaping, version));
  }

  rememberSize(bytes: number, shaping: unknown, version: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.sizeFile(bytes, shaping, version), '');
    } catch {
      // Only a shortcut: without it the next start of a spec this size hashes it first.
    }
  }

  private sizeFile(bytes: number, shaping: unknown, version: string): string {
    return join(this.dir, `${SpecCache.key(`size:${bytes}`, shaping, version)}${SIZE}`);
  }

  fileFor(key: string): string {
    return join(this.dir, `${key}${SUFFIX}`);
  }

  /** Removes least recently used entries until the folder fits its limit. */
  private trim(): void {
    const entries = readdirSync(this.dir)
      .filter((name) => name.endsWith(SUFFIX) || name.endsWith(RAW_SUFFIX))
      .map((name) => {
        const stat = statSync(join(this.dir, name));
        return { name, bytes: stat.size, used: stat.mtimeMs };
      })
      .sort((a, b) => b.used - a.used);
    let total = 0;
    for (const entry of entries) {
      total += entry.bytes;
      if (total > this.maxBytes) unlinkSync(join(this.dir, entry.name));
    }
  }
}

/**
 * JSON text with every non-ASCII character escaped (`\u00fc`). A handful of curly quotes in a spec
 * would otherwise make V8 hold the whole entry as a two-byte string, which decodes and parses
 * slower on a warm start (GitHub's 3.2 MB catalog has 157 such characters; a warm start in dynamic
 * mode, which is mostly this read, took about 40 ms less in interleaved runs).
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
