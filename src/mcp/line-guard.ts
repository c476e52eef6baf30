/**
 * Keeps one oversized message from ending a stdio server. The SDK's stdio transport closes the
 * connection when a line passes its buffer limit (10 MiB): the framing is lost mid-line, and the
 * server would exit with the client's other requests unanswered. This guard sits in front of it,
 * drops a line once it passes `maxLineBytes` (up to its newline), and reports it with the request's
 * id when the line's first or last bytes show it, so the caller can answer with an error and the
 * transport only ever sees whole lines under the limit.
 */
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
/** Bytes kept of a dropped line's start and end, where its id can be read. */
const EDGE_BYTES = 256;
const ID = String.raw`(-?\d{1,16}|"(?:[^"\\]|\\.){0,200}")`;
/** `{"jsonrpc":"2.0","id":7,...` or `{"id":7,...`: the id among the first members. */
const ID_FIRST = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}\s*,`);
/** `...,"id":7}` closing the line: at depth 1, since any deeper object would close with `}}`. */
const ID_LAST = new RegExp(String.raw`,\s*"id"\s*:\s*${ID}\s*\}\s*$`);

export type MessageId = string | number;

export class LineGuard extends Transform {
  private lineBytes = 0;
  private dropping = false;
  private head = '';
  private tail = Buffer.alloc(0);

  constructor(
    private readonly maxLineBytes: number,
    /** Told each dropped line's size and, when it could be read, its request id. */
    private readonly onDrop: (bytes: number, id: MessageId | undefined) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      if (this.lineBytes === 0) this.head = '';
      if (this.head.length < EDGE_BYTES) this.head += piece.subarray(0, EDGE_BYTES).toString('latin1');
      if (!this.dropping && this.lineBytes + piece.length > this.maxLineBytes + (newline === -1 ? 0 : 1)) {
        // The line is over the limit. What was passed on already is ended with a control character
        // and a newline: JSON allows none outside or inside a string, so the transport skips it as
        // unparsable (a SyntaxError), where a message cut at a lucky place could have parsed.
        this.dropping = true;
        if (this.lineBytes > 0) this.push('\u0001\n');
      }
      if (!this.dropping) this.push(piece);
      else this.keepTail(piece);
      this.lineBytes += piece.length;
      if (newline !== -1) {
        if (this.dropping) this.onDrop(this.lineBytes, this.readId());
        this.dropping = false;
        this.lineBytes = 0;
        this.tail = Buffer.alloc(0);
      }
      start = end;
    }
    done();
  }

  private keepTail(piece: Buffer): void {
    const joined =
      this.tail.length + piece.length <= EDGE_BYTES ? Buffer.concat([this.tail, piece]) : undefined;
    this.tail = joined ?? Buffer.concat([this.tail, piece.subarray(-EDGE_BYTES)]).subarray(-EDGE_BYTES);
  }

  private readId(): MessageId | undefined {
    const match = ID_FIRST.exec(this.head) ?? ID_LAST.exec(this.tail.toString('latin1'));
    const raw = match?.[1];
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as MessageId;
    } catch {
      return undefined;
    }
  }
}
