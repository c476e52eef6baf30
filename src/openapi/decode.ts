/**
 * Undoes a response's Content-Encoding as a pull stream, guarded by the response-size and
 * decompression-ratio limits. Decoding runs only as fast as the reader pulls (zlib stops inflating
 * while its output is unread), so a compression bomb costs the limit at most, never its full size.
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { UpstreamError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';

/** The ratio is only checked past this many decoded bytes: small bodies compress well legitimately. */
export const RATIO_CHECK_AFTER_BYTES = 1024 * 1024;

export interface DecodeOptions {
  /** Most decoded bytes read before the body fails with HR_RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  /** Most decoded bytes per encoded byte (past RATIO_CHECK_AFTER_BYTES) before HR_DECOMPRESSION_RATIO. */
  maxDecompressionRatio: number;
  /** How the response is named in messages, e.g. `GET https://api.example.com/items`; no secrets. */
  describe: string;
}

type Decoding = 'gzip' | 'deflate' | 'br';

const DECODINGS: Record<string, Decoding> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
};

/**
 * The decodings to apply, outermost first, for a Content-Encoding header; `[]` for none or
 * `identity`; undefined when an encoding is unknown: the body is then passed through as it came, and
 * the caller keeps the header so that the body is treated as opaque bytes.
 */
export function decodingPlan(contentEncoding: string | undefined): Decoding[] | undefined {
  if (contentEncoding === undefined) return [];
  const plan: Decoding[] = [];
  for (const token of contentEncoding.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'identity') continue;
    const decoding = DECODINGS[name];
    if (decoding === undefined) return undefined;
    plan.push(decoding);
  }
  // Encodings are listed in the order they were applied; undo the last one first.
  return plan.reverse();
}

/**
 * The decoded body of `source`, which yields the bytes as they came off the wire. Throws an
 * UpstreamError past `maxResponseBytes` decoded bytes (HR_RESPONSE_TOO_LARGE) or past the ratio
 * (HR_DECOMPRESSION_RATIO), and when the encoded bytes are corrupt. Stopping early (break, return,
 * a throw) releases the decoder and stops pulling `source`.
 */
export async function* decodeBody(
  source: AsyncIterable<Buffer>,
  contentEncoding: string | undefined,
  options: DecodeOptions,
): AsyncGenerator<Buffer> {
  const plan = decodingPlan(contentEncoding) ?? [];
  let encoded = 0;
  let decoded = 0;
  let stream: AsyncIterable<Buffer> = countBytes(source, (n) => {
    encoded += n;
  });
  for (const decoding of plan) stream = decodeOne(stream, decoding, options.describe);
  for await (const chunk of stream) {
    decoded += chunk.length;
    if (decoded > options.maxResponseBytes) throw tooLarge(options, decoded);
    if (
      plan.length > 0 &&
      decoded > RATIO_CHECK_AFTER_BYTES &&
      decoded > encoded * options.maxDecompressionRatio
    ) {
      throw ratioExceeded(options, decoded, encoded);
    }
    yield chunk;
  }
}

async function* countBytes(source: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}

/** One decoding; an empty body stays empty (zlib would call it truncated, e.g. a 204 marked gzip). */
async function* decodeOne(
  source: AsyncIterable<Buffer>,
  decoding: Decoding,
  describe: string,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  try {
    // Two bytes tell a zlib-wrapped deflate stream from a raw one; servers send both as `deflate`.
    while (head.length < 2) {
      const next = await iterator.next();
      if (next.done) break;
      head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
    if (head.length === 0) return;
    const decoder = createDecoder(decoding, head);
    yield* through(decoder, prepend(head, iterator), decoding, describe);
  } finally {
    // Not awaited: when the source is waiting for bytes that do not come, its return() would wait
    // too. The owner of the source (the HTTP client) destroys it, which ends that wait.
    iterator.return?.().catch(() => undefined);
  }
}

function createDecoder(decoding: Decoding, head: Buffer): Transform {
  if (decoding === 'gzip') return createGunzip();
  if (decoding === 'br') return createBrotliDecompress();
  return isZlibHeader(head) ? createInflate() : createInflateRaw();
}

/** RFC 1950: compression method 8 in the low nibble, and the first two bytes a multiple of 31. */
function isZlibHeader(head: Buffer): boolean {
  const cmf = head[0] ?? 0;
  const flg = head[1] ?? 0;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* through(
  decoder: Transform,
  source: AsyncIterable<Buffer>,
  decoding: Decoding,
  describe: string,
): AsyncGenerator<Buffer> {
  // Whatever fails and is not the source's own error is the decoder's: the bytes are not valid.
  const failed: { error?: unknown } = {};
  async function* watched(): AsyncGenerator<Buffer> {
    try {
      yield* source;
    } catch (error) {
      failed.error = error;
      throw error;
    }
  }
  const input = Readable.from(watched(), { objectMode: false });
  // Errors of either side reach the loop below: pipeline destroys the decoder with them.
  pipeline(input, decoder, () => undefined);
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } catch (error) {
    if ('error' in failed && error === failed.error) throw error;
    throw corrupt(describe, decoding, error);
  } finally {
    decoder.destroy();
    input.destroy();
  }
}

/** HR_RESPONSE_TOO_LARGE for a body that passed the limit after `decoded` bytes (raw bodies check it in http-client.ts). */
export function tooLarge(options: DecodeOptions, decoded: number): UpstreamError {
  return new UpstreamError(
    'HR_RESPONSE_TOO_LARGE',
    `${options.describe}: the response body is larger than the ${formatBytes(options.maxResponseBytes)} limit ` +
      `(stopped after ${formatBytes(decoded)} decoded); raise --max-response-bytes ` +
      '(HEADROOM_OPENAPI_MAX_RESPONSE_BYTES), or ask for less (a filter, a smaller page)',
  );
}

function ratioExceeded(options: DecodeOptions, decoded: number, encoded: number): UpstreamError {
  const ratio = Math.floor(decoded / Math.max(encoded, 1));
  return new UpstreamError(
    'HR_DECOMPRESSION_RATIO',
    `${options.describe}: the response body decompresses ${ratio} times over (${formatBytes(decoded)} from ` +
      `${formatBytes(encoded)}), past the limit of ${options.maxDecompressionRatio}; this looks like a ` +
      'compression bomb. If the API really compresses this well, raise --max-decompression-ratio ' +
      '(HEADROOM_OPENAPI_MAX_DECOMPRESSION_RATIO)',
  );
}

function corrupt(describe: string, decoding: Decoding, error: unknown): UpstreamError {
  const reason = error instanceof Error ? error.message : String(error);
  return new UpstreamError(
    'HR_UPSTREAM_UNREACHABLE',
    `${describe}: the response body is not valid ${decoding} data as its Content-Encoding says ` +
      `(${reason}); the upstream sent a corrupt or truncated body, try again or report it to the API`,
    { cause: error },
  );
}
