/**
 * Turning item bytes into values. The fast path parses all the items of a chunk in one JSON.parse
 * call by wrapping their byte range in brackets (the separators between them were checked by the
 * scanner); only when that fails is each item parsed alone, to name the one that is broken and the
 * byte where it breaks.
 */
import { JsonStreamError } from '../errors.js';
import { locateJsonError } from './json-locate.js';

/** Parses the items at [starts[k], ends[k]) of `chunk`, in order, into `out`. */
export function parseItems(
  chunk: Buffer,
  starts: readonly number[],
  ends: readonly number[],
  out: unknown[],
  chunkOffset: number,
  firstIndex: number,
): void {
  const count = starts.length;
  const text = chunk.toString('utf8', starts[0], ends[count - 1]);
  let values: unknown;
  try {
    values = JSON.parse(`[${text}]`);
  } catch {
    values = undefined;
  }
  if (Array.isArray(values) && values.length === count) {
    for (let k = 0; k < count; k++) out.push(values[k]);
    return;
  }
  for (let k = 0; k < count; k++) {
    out.push(
      parseOne(
        chunk,
        starts[k] as number,
        ends[k] as number,
        chunkOffset + (starts[k] as number),
        firstIndex + k,
      ),
    );
  }
}

/** Parses one item; on failure throws a JsonStreamError with the absolute offset of the bad byte. */
export function parseOne(
  bytes: Buffer,
  start: number,
  end: number,
  absoluteStart: number,
  index: number,
): unknown {
  const text = bytes.toString('utf8', start, end);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw itemError(text, absoluteStart, `item ${index}`, error);
  }
}

/** A JsonStreamError for `text`, which starts at byte `absoluteStart` of the stream. */
export function itemError(
  text: string,
  absoluteStart: number,
  what: string,
  cause: unknown,
): JsonStreamError {
  const found = locateJsonError(text);
  const index = found?.index ?? 0;
  const at = absoluteStart + Buffer.byteLength(text.slice(0, index));
  const reason = found?.reason ?? (cause instanceof Error ? cause.message.split(', "')[0] : 'invalid JSON');
  return new JsonStreamError(
    `invalid JSON at byte ${at} in ${what} (which starts at byte ${absoluteStart}): ${reason}`,
    at,
    cause,
  );
}
