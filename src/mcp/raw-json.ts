/**
 * JSON passed to the stdio transport in pieces rather than as one serialized message. A warm start
 * answers `tools/list` from the cached text of the list: building 1,200 tool objects only for the
 * SDK to turn them back into the same 2 MB of text costs tens of milliseconds and megabytes. A cold
 * start has the tool objects, and writes them one at a time: serialized whole, the answer is a
 * 4 MB string (two bytes a character as soon as one description has a character past Latin-1)
 * plus its 2 MB of UTF-8, at the moment the process is at its largest. Over stdio the pieces are
 * written into the answer line; any other transport serializes the message itself (RawJson through
 * `toJSON`), so the answer is the same everywhere.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** JSON text, as bytes. */
export class RawJson {
  constructor(readonly bytes: Buffer) {}

  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

/** Characters of a piece of an array written in pieces. */
const PIECE = 64 * 1024;
const IN_PIECES = Symbol('written in pieces');

/**
 * Marks `items` to be written an item at a time over stdio. It stays a real array (the mark is a
 * hidden symbol), so in-process transports and validators see nothing different.
 */
export function inPieces<T>(items: T[]): T[] {
  Object.defineProperty(items, IN_PIECES, { value: true });
  return items;
}

function isInPieces(value: unknown): value is unknown[] {
  return Array.isArray(value) && (value as { [IN_PIECES]?: boolean })[IN_PIECES] === true;
}

/** The JSON text of an array, an item at a time, in pieces of about 64K characters. */
export function* arrayPieces(items: Iterable<unknown>): Generator<string> {
  let piece = '[';
  let first = true;
  for (const item of items) {
    piece += `${first ? '' : ','}${JSON.stringify(item) ?? 'null'}`;
    first = false;
    if (piece.length >= PIECE) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]`;
}

/**
 * The wire line (ending in a newline) of a result whose one top-level field is RawJson or an array
 * marked by inPieces, as pieces to write in order; undefined for every other message.
 */
export function rawResultParts(message: JSONRPCMessage): Iterable<string | Buffer> | undefined {
  if (!('result' in message) || message.result === null || typeof message.result !== 'object')
    return undefined;
  const entries = Object.entries(message.result);
  const raw = entries.find(([, value]) => value instanceof RawJson || isInPieces(value));
  if (!raw) return undefined;
  const rest = JSON.stringify(Object.fromEntries(entries.filter(([key]) => key !== raw[0])));
  const { result: _result, ...envelope } = message;
  const head = JSON.stringify(envelope).slice(0, -1);
  const open = `${head}${head.length > 1 ? ',' : ''}"result":${rest.slice(0, -1)}${rest.length > 2 ? ',' : ''}${JSON.stringify(raw[0])}:`;
  const value = raw[1] as RawJson | unknown[];
  return value instanceof RawJson ? [open, value.bytes, '}}\n'] : withEnds(open, arrayPieces(value), '}}\n');
}

function* withEnds(open: string, pieces: Iterable<string>, close: string): Generator<string> {
  yield open;
  yield* pieces;
  yield close;
}
