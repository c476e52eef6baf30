/**
 * Reads a specification's raw bytes from a file, an http(s) URL or standard input, never holding
 * more than the size cap: a file is measured before it is read, a stream is cut off as soon as it
 * passes the cap, so an oversized or endless source costs at most the cap in memory.
 */
import { type BigIntStats, closeSync, openSync, read, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpecError, SpecTooLargeError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { formatCount } from '../util/count.js';
import type { PrefetchedSpecs } from './prefetch.js';

const readAt = promisify(read);

export const DEFAULT_MAX_SPEC_BYTES = 100 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

/** Anything that yields the bytes of standard input: `process.stdin`, or a stream in tests. */
export type ByteStream = AsyncIterable<Uint8Array | string>;

export interface SourceOptions {
  /** Largest spec accepted, in bytes. Default 100 MiB. */
  maxSpecBytes?: number;
  /** Whether `http(s)://` sources may be fetched. Off unless the caller turns it on. */
  allowNetwork?: boolean;
  /** Time allowed for a whole download (headers and body). Default 30 s. */
  fetchTimeoutMs?: number;
  /** Read for `-`; defaults to `process.stdin`. */
  stdin?: ByteStream;
  /** Base for relative paths; defaults to `process.cwd()`. */
  cwd?: string;
  signal?: AbortSignal;
  /**
   * Where a file's bytes go: room for `size` bytes (src/wasm/json-scan.ts reads them in its own
   * memory). By default a new buffer. With `memory`, the room is there: a scan memory that holds
   * the file already, or will once its prefetched read is done.
   */
  allocate?: (size: number, memory?: WebAssembly.Memory) => Uint8Array;
  /** Files whose reads started before the CLI ran (prefetch.ts): taken when the file is unchanged. */
  prefetched?: PrefetchedSpecs;
}

export interface SourceBytes {
  bytes: Uint8Array;
  /** Absolute path when the source is a file. */
  file?: string;
  /** Final URL (after redirects) when the source is a URL: the base for relative `$ref`s. */
  url?: string;
}

/** How a source is named in messages. */
export function describeSource(source: string): string {
  return source === '-' ? 'standard input' : source;
}

export async function readSource(source: string, options: SourceOptions = {}): Promise<SourceBytes> {
  const maxBytes = options.maxSpecBytes ?? DEFAULT_MAX_SPEC_BYTES;
  if (source === '-') return { bytes: await readStdin(source, maxBytes, options) };
  if (/^https?:\/\//i.test(source)) return readUrl(source, maxBytes, options);
  if (/^file:\/\//i.test(source)) return readPath(source, filePath(source), maxBytes, options);
  // Two letters or more so that a Windows drive (`C:\api.yaml`) still reads as a path.
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(source);
  if (scheme) {
    throw new SpecError(
      source,
      `${source}: cannot load a specification over ${scheme[1]}://; use an http(s):// URL, a file path, or - for standard input`,
    );
  }
  return readPath(source, resolve(options.cwd ?? process.cwd(), source), maxBytes, options);
}

function filePath(source: string): string {
  try {
    return fileURLToPath(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpecError(
      source,
      `${source}: not a usable file URL (${reason}); pass the file path instead`,
      {},
      error,
    );
  }
}

function tooLarge(source: string, size: number, limit: number, atLeast: boolean): SpecTooLargeError {
  // Just over the limit, both round to the same figure ("100 MiB, over the 100 MiB limit"): then
  // the exact byte counts say what is wrong.
  const close = formatBytes(size) === formatBytes(limit);
  const shownSize = close ? `${formatCount(size)} bytes` : formatBytes(size);
  const shownLimit = close ? `${formatCount(limit)}-byte (${formatBytes(limit)})` : formatBytes(limit);
  const what = atLeast
    ? `is larger than the ${shownLimit} limit for a specification (stopped reading after ${shownSize})`
    : `is ${shownSize}, over the ${shownLimit} limit for a specification`;
  return new SpecTooLargeError(
    source,
    `${describeSource(source)} ${what}; raise the limit with --max-spec-size (for example --max-spec-size ${suggestLimit(size)})`,
    size,
    limit,
  );
}

/** A round limit comfortably above `size`, so the suggested flag works on the first try. */
function suggestLimit(size: number): string {
  const mib = Math.ceil((size * 2) / (1024 * 1024));
  const round = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096].find((value) => value >= mib);
  return round === undefined
    ? `${Math.ceil(mib / 1024)}GB`
    : round >= 1024
      ? `${round / 1024}GB`
      : `${round}MB`;
}

async function readPath(
  source: string,
  file: string,
  maxBytes: number,
  { allocate, prefetched }: Pick<SourceOptions, 'allocate' | 'prefetched'>,
): Promise<SourceBytes> {
  let stat: BigIntStats;
  try {
    // Synchronous (a local stat takes microseconds), so that the read starts in this same turn.
    stat = statSync(file, { bigint: true });
    if (stat.isDirectory()) {
      throw new SpecError(
        source,
        `${source} is a directory (${file}); pass the specification file inside it`,
      );
    }
  } catch (error) {
    throw fileError(source, file, error);
  }
  const size = Number(stat.size);
  if (size > maxBytes) throw tooLarge(source, size, maxBytes, false);
  let bytes: Uint8Array;
  try {
    const early = prefetched?.take(file, stat);
    const into = allocate
      ? allocate(size, early?.memory)
      : early
        ? new Uint8Array(early.memory.buffer, 0, size)
        : Buffer.allocUnsafeSlow(size);
    // The prefetched bytes count only where `into` is the memory they were read into.
    const holds = early !== undefined && into.buffer === early.memory.buffer && into.byteOffset === 0;
    // A file whose size changes meanwhile (or a pipe, whose size is 0) is read to its end instead.
    bytes =
      (holds && (await early.done) ? into : undefined) ??
      (await readFileInto(openSync(file, 'r'), into)) ??
      (await readFile(file));
  } catch (error) {
    throw fileError(source, file, error);
  }
  // The file may have grown between stat and read.
  if (bytes.length > maxBytes) throw tooLarge(source, bytes.length, maxBytes, false);
  return { bytes, file };
}

/**
 * The file open at `fd` read into `into` by one request to the thread pool, issued before this
 * returns: reading 12 MB then overlaps whatever the caller starts next (readFile takes a turn of the
 * event loop for every 512 KiB). Undefined when the file's length is not `into`'s (it changed since
 * it was measured). Closes `fd`.
 */
export async function readFileInto(fd: number, into: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    let filled = 0;
    while (filled < into.length) {
      const { bytesRead } = await readAt(fd, into, filled, into.length - filled, filled);
      if (bytesRead === 0) return undefined;
      filled += bytesRead;
    }
    return (await readAt(fd, Buffer.alloc(1), 0, 1, filled)).bytesRead === 0 ? into : undefined;
  } finally {
    closeSync(fd);
  }
}

function fileError(source: string, file: string, error: unknown): Error {
  if (error instanceof SpecError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const looksLikeUrl = /^[\w-]+(\.[\w-]+)+\//.test(source) && !source.startsWith('.');
    const hint = looksLikeUrl
      ? `; if it is a web address, write it with its scheme: https://${source}`
      : '; check the path';
    return new SpecError(source, `${source}: no such file (looked for ${file})${hint}`, {}, error);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SpecError(
      source,
      `${source}: permission denied reading ${file}; check the file's permissions`,
      {},
      error,
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SpecError(source, `${source}: cannot read ${file}: ${reason}`, {}, error);
}

async function readStdin(source: string, maxBytes: number, options: SourceOptions): Promise<Uint8Array> {
  const stream = options.stdin ?? process.stdin;
  if (options.stdin === undefined && process.stdin.isTTY) {
    throw new SpecError(
      source,
      'the specification source is - (standard input), but standard input is a terminal; pipe the document in (headroom openapi - < api.yaml) or pass its path',
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    if (options.signal?.aborted) throw abortError(source, options.signal);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    // Leaving the loop ends the iteration, which destroys a Readable: nothing more is buffered.
    if (total > maxBytes) throw tooLarge(source, total, maxBytes, true);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

function abortError(source: string, signal: AbortSignal): SpecError {
  return new SpecError(source, `loading ${describeSource(source)} was cancelled`, {}, signal.reason);
}

async function readUrl(source: string, maxBytes: number, options: SourceOptions): Promise<SourceBytes> {
  if (!options.allowNetwork) {
    throw new SpecError(
      source,
      `${source}: loading a specification over the network is not allowed here; download it and pass the file path, or allow network access`,
    );
  }
  const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  // One deadline for the whole download: a server that trickles its body cannot hold us forever.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    let response: Response;
    try {
      response = await fetch(source, {
        signal: controller.signal,
        redirect: 'follow',
        headers: { accept: 'application/json, application/yaml, text/yaml, */*;q=0.5' },
      });
    } catch (error) {
      throw fetchError(source, error, timedOut, timeoutMs, options.signal);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new SpecError(source, `${source}: the server answered HTTP ${status}; check the URL`);
    }
    const declared = Number(response.headers.get('content-length'));
    // A declared length lets us refuse before downloading anything. Compressed bodies are larger once
    // decoded, which the running count below still catches.
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(source, declared, maxBytes, false);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          if (total > maxBytes) {
            controller.abort();
            throw tooLarge(source, total, maxBytes, true);
          }
          chunks.push(value);
        }
      } catch (error) {
        if (error instanceof SpecTooLargeError) throw error;
        throw fetchError(source, error, timedOut, timeoutMs, options.signal);
      } finally {
        reader.releaseLock();
      }
    }
    return { bytes: Buffer.concat(chunks, total), url: response.url || source };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function fetchError(
  source: string,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): SpecError {
  if (timedOut) {
    return new SpecError(
      source,
      `${source}: the download did not finish within ${timeoutMs / 1000} s; check that the server is up, or download the file and pass its path`,
      {},
      error,
    );
  }
  if (signal?.aborted) return abortError(source, signal);
  // undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = (error as { cause?: unknown }).cause;
  const detail =
    cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return new SpecError(
    source,
    `${source}: cannot download the specification (${detail}); check the URL and the network`,
    {},
    error,
  );
}
