/**
 * Lists passed to the stdio transport as JSON text in pieces rather than serialized with the
 * message. A warm start answers `tools/list` from the cached text of the list: building 1,200 tool
 * objects only for the SDK to turn them back into the same 2 MB of text costs tens of milliseconds
 * and megabytes. A cold start writes each tool's text from the catalog as it goes, never building
 * the tools. Other lists go an item at a time: serialized whole, the answer is a 4 MB string (two
 * bytes a character as soon as one description has a character past Latin-1) plus its 2 MB of
 * UTF-8, at the moment the process is at its largest. Over stdio the pieces are written into the
 * answer line; other transports get the items themselves, so the answer is the same everywhere.
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
const TEXT = Symbol('written as this text');

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

/**
 * A list that only the stdio writer can write: an empty array carrying the JSON text that `text`
 * makes. The MCP SDK looks over the items of a tools/list result before it sends it, so items made
 * only when read would all be made; a server whose answers go only to serveStdio answers with this
 * instead (createMcpServer's `textLists`). Serializing it any other way throws rather than send an
 * empty list.
 */
export function textOnly(text: () => Iterable<string | Buffer>): never[] {
  const list: never[] = [];
  Object.defineProperty(list, TEXT, { value: text });
  Object.defineProperty(list, 'toJSON', {
    value: () => {
      throw new Error(
        'a list made for the stdio writer reached another transport (createMcpServer textLists)',
      );
    },
  });
  return list;
}

function textOf(value: unknown): (() => Iterable<string | Buffer>) | undefined {
  return Array.isArray(value) ? (value as { [TEXT]?: () => Iterable<string | Buffer> })[TEXT] : undefined;
}

/** The JSON text of an array, an item at a time, in pieces of about 64K characters. */
export function arrayPieces(items: Iterable<unknown>): Generator<string> {
  return textPieces(itemTexts(items));
}

function* itemTexts(items: Iterable<unknown>): Generator<string> {
  for (const item of items) yield JSON.stringify(item) ?? 'null';
}

/** The JSON text of an array whose items are `texts`, in pieces of about 64K characters. */
export function* textPieces(texts: Iterable<string>): Generator<string> {
  let piece = '[';
  let first = true;
  for (const text of texts) {
    piece += `${first ? '' : ','}${text}`;
    first = false;
    if (piece.length >= PIECE) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]`;
}

/**
 * The wire line (ending in a newline) of a result whose one top-level field is a textOnly list or an
 * array marked by inPieces, as pieces to write in order; undefined for every other message.
 */
export function rawResultParts(message: JSONRPCMessage): Iterable<string | Buffer> | undefined {
  if (!('result' in message) || message.result === null || typeof message.result !== 'object')
    return undefined;
  const entries = Object.entries(message.result);
  const raw = entries.find(([, value]) => textOf(value) !== undefined || isInPieces(value));
  if (!raw) return undefined;
  const rest = JSON.stringify(Object.fromEntries(entries.filter(([key]) => key !== raw[0])));
  const { result: _result, ...envelope } = message;
  const head = JSON.stringify(envelope).slice(0, -1);
  const open = `${head}${head.length > 1 ? ',' : ''}"result":${rest.slice(0, -1)}${rest.length > 2 ? ',' : ''}${JSON.stringify(raw[0])}:`;
  const text = textOf(raw[1]);
  return withEnds(open, text ? text() : arrayPieces(raw[1] as unknown[]), '}}\n');
}

function* withEnds(
  open: string,
  pieces: Iterable<string | Buffer>,
  close: string,
): Generator<string | Buffer> {
  yield open;
  yield* pieces;
  yield close;
}
