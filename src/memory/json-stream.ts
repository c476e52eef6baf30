/**
 * StreamingJsonProcessor: the items of a top-level JSON array, of an array at a path (`$.items`,
 * `$.data.results`), or of NDJSON, from any byte stream, with memory flat whatever the input size.
 * It pulls one chunk at a time, so a slow consumer slows the reading rather than filling memory;
 * it checks the memory limiter every `checkEvery` items and the AbortSignal at every chunk.
 */
import { throwIfAborted } from '../errors.js';
import { JsonArrayScanner, type ScannerLimits } from './json-array-scanner.js';
import { parseJsonPath } from './json-path.js';
import type { MemoryLimiter } from './limiter.js';
import { NdjsonScanner } from './ndjson-scanner.js';

export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface StreamingJsonOptions {
  /** `$` for a top-level array (the default), or a path of keys such as `$.data.results`. */
  path?: string;
  /** `json` (an array in a JSON document) or `ndjson` (one value per line). */
  format?: 'json' | 'ndjson';
  limiter?: MemoryLimiter;
  /** Items between memory checks. */
  checkEvery?: number;
  /** The largest single item, in bytes. */
  maxItemBytes?: number;
  maxDepth?: number;
  signal?: AbortSignal;
}

export interface StreamSummary {
  items: number;
  bytes: number;
}

export const DEFAULT_MAX_ITEM_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 1000;

export class StreamingJsonProcessor {
  private readonly defaults: StreamingJsonOptions;

  constructor(defaults: StreamingJsonOptions = {}) {
    this.defaults = defaults;
  }

  /**
   * The items, a chunk's worth at a time. Cheaper than `items()` when there are millions of small
   * items, because each await costs more than handling an item.
   */
  async *batches(
    source: ByteSource,
    options: StreamingJsonOptions = {},
  ): AsyncGenerator<unknown[], StreamSummary> {
    const o = { ...this.defaults, ...options };
    const limits: ScannerLimits = {
      maxItemBytes: o.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES,
      maxDepth: o.maxDepth ?? DEFAULT_MAX_DEPTH,
    };
    const scanner =
      o.format === 'ndjson'
        ? new NdjsonScanner(limits)
        : new JsonArrayScanner(parseJsonPath(o.path ?? '$'), limits);
    const checkEvery = Math.max(1, o.checkEvery ?? 100);
    let nextCheck = checkEvery;
    const what = 'streaming JSON';
    for await (const chunk of source) {
      throwIfAborted(o.signal, what);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : toBuffer(chunk);
      const out: unknown[] = [];
      scanner.push(bytes, out);
      if (o.limiter && scanner.items >= nextCheck) {
        nextCheck = scanner.items + checkEvery;
        o.limiter.ensure(`while streaming JSON at item ${scanner.items} (byte ${scanner.bytes})`);
      }
      if (out.length > 0) yield out;
    }
    throwIfAborted(o.signal, what);
    const out: unknown[] = [];
    if (scanner instanceof NdjsonScanner) scanner.end(out);
    else scanner.end();
    if (out.length > 0) yield out;
    return { items: scanner.items, bytes: scanner.bytes };
  }

  /** The items one by one. */
  async *items(
    source: ByteSource,
    options: StreamingJsonOptions = {},
  ): AsyncGenerator<unknown, StreamSummary> {
    const batches = this.batches(source, options);
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      yield* next.value;
    }
  }

  /** Calls `callback` for every item, awaiting it when it returns a promise (the design documents' shape). */
  async process(
    source: ByteSource,
    callback: (item: unknown, index: number) => unknown,
    options: StreamingJsonOptions = {},
  ): Promise<StreamSummary> {
    const batches = this.batches(source, options);
    let index = 0;
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      for (const item of next.value) {
        const result = callback(item, index++);
        if (result instanceof Promise) await result;
      }
    }
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
