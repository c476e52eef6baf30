/**
 * Reading an upstream body for the shaper: one chunk at a time, with chunks that can be put back
 * (what was read to sniff the kind is read again by the shaper that handles it), the signal and the
 * memory limiter checked at every chunk, and the bytes counted.
 */
import { isUtf8 } from 'node:buffer';
import { throwIfAborted } from '../errors.js';
import { ScavengePacer } from '../memory/gc.js';
import type { MemoryLimiter } from '../memory/limiter.js';
import { formatBytes } from '../util/bytes.js';
import { utf8Boundary } from './spill-read.js';

export class BodyReader {
  bytesRead = 0;
  private readonly iterator: AsyncIterator<Buffer>;
  private readonly pending: Buffer[] = [];
  private ended = false;

  constructor(
    body: AsyncIterable<Buffer>,
    private readonly source: string,
    private readonly signal: AbortSignal | undefined,
    private readonly limiter: MemoryLimiter | undefined,
    /** Shared by the readers of one server, so that answers read at once count together. */
    private readonly scavenges = new ScavengePacer(),
  ) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  /** The next chunk, or undefined at the end of the body. */
  async next(): Promise<Buffer | undefined> {
    const back = this.pending.shift();
    if (back) return back;
    if (this.ended) return undefined;
    // Tested before the message is built: this runs for every chunk of a gigabyte body.
    if (this.signal?.aborted) throwIfAborted(this.signal, `reading the response of ${this.source}`);
    const result = await this.iterator.next();
    if (result.done) {
      this.ended = true;
      return undefined;
    }
    const value = result.value as Buffer | Uint8Array | string;
    const chunk = Buffer.isBuffer(value)
      ? value
      : typeof value === 'string'
        ? Buffer.from(value)
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    this.bytesRead += chunk.length;
    this.scavenges.read(chunk.length);
    // check() first: the message is built only when the budget is passed, not for every chunk.
    if (this.limiter && !this.limiter.check())
      this.limiter.ensure(
        `while reading the response of ${this.source} (${formatBytes(this.bytesRead)} read)`,
      );
    if (chunk.length === 0) return this.next();
    return chunk;
  }

  /** Puts chunks back, to be returned by next() before anything else, in this order. */
  unshift(chunks: Buffer[]): void {
    this.pending.unshift(...chunks);
  }

  /** At least `bytes` bytes from the start (fewer at the end of the body); they stay to be read. */
  async peek(bytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    while (size < bytes) {
      const chunk = await this.next();
      if (!chunk) break;
      chunks.push(chunk);
      size += chunk.length;
    }
    // One chunk, so that the first one a scanner sees holds a whole byte order mark.
    const head = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
    if (size > 0) this.unshift([head]);
    return head;
  }

  /** Stops the body's iterator early (the upstream connection is released by the caller's discard()). */
  async stop(): Promise<void> {
    this.pending.length = 0;
    if (this.ended) return;
    this.ended = true;
    try {
      await this.iterator.return?.();
    } catch {
      // The body failed while stopping: nothing more is read from it anyway.
    }
  }
}

export type BodyKind = 'json' | 'text' | 'image' | 'binary' | 'empty';

const GENERIC = new Set(['', 'text/plain', 'application/octet-stream']);
const TEXT_TYPES =
  /(^text\/)|([/+](xml|yaml|x-yaml|csv|html|javascript|ecmascript|x-ndjson|ndjson|jsonl|x-www-form-urlencoded|graphql|sql|toml)$)/;

/** What the body is, from its media type, or from its first bytes when the type says nothing useful. */
export function classify(mediaType: string, head: Buffer): BodyKind {
  if (head.length === 0) return 'empty';
  if (GENERIC.has(mediaType)) return sniff(head);
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType.endsWith('/json'))
    return 'json';
  // SVG is XML text, which models read better than an image they may not be able to see.
  if (mediaType === 'image/svg+xml') return 'text';
  // No image format starts with { or [ (PNG, JPEG, GIF, WebP, BMP, TIFF, ICO, AVIF do not): such a
  // body is JSON under the wrong type (an error body, say), and the model reads it as JSON.
  if (mediaType.startsWith('image/')) return sniff(head) === 'json' ? 'json' : 'image';
  if (TEXT_TYPES.test(mediaType)) return 'text';
  return 'binary';
}

function sniff(head: Buffer): BodyKind {
  const first = head[firstSignificant(head)];
  if (first === 0x5b || first === 0x7b) return 'json';
  if (head.includes(0)) return 'binary';
  // The head may end inside a character: check only whole ones.
  return isUtf8(head.subarray(0, utf8Boundary(head, head.length))) ? 'text' : 'binary';
}

/** The index of the first byte after a UTF-8 byte order mark and whitespace. */
export function firstSignificant(head: Buffer): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length) {
    const c = head[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}
