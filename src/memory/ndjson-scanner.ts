/**
 * Newline-delimited JSON: one value per line, blank lines skipped, a UTF-8 byte order mark at the
 * start skipped however the first chunks cut it. Each line is parsed alone (see parseLines), and a
 * bad line is named with its number and byte offset.
 */
import { ItemTooLargeError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { bomPrefix, matchBom, type ScannerLimits } from './json-array-scanner.js';
import { itemError } from './json-parse.js';

const NEWLINE = 0x0a;
const BLANK = /^[ \t\r]*$/;

export class NdjsonScanner {
  private readonly limits: ScannerLimits;
  private offset = 0;
  private line = 1; // number of the line that starts at `lineStart`
  private lineStart = 0;
  private itemCount = 0;
  // Bytes of a byte order mark held back until it is whole (not yet in `offset`); -1 once settled.
  private bomHeld = 0;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;

  constructor(limits: ScannerLimits) {
    this.limits = limits;
  }

  get items(): number {
    return this.itemCount;
  }

  get bytes(): number {
    return this.offset + Math.max(0, this.bomHeld);
  }

  push(chunk: Buffer, out: unknown[]): void {
    let from = 0;
    if (this.bomHeld >= 0) {
      const held = this.bomHeld;
      const matched = matchBom(chunk, held);
      if (matched >= 0 && matched < 3) {
        // The chunk is all (part of) a mark: hold it until the next chunk settles whether it is one.
        this.bomHeld = matched;
        return;
      }
      this.bomHeld = -1;
      if (matched < 0) {
        // No mark: the held bytes are the first of line 1.
        if (held > 0) this.scan(bomPrefix(held), 0, out);
      } else {
        this.offset += held;
        from = 3 - held;
        this.lineStart = 3;
      }
    }
    this.scan(chunk, from, out);
  }

  /** Parses the lines that `chunk` completes, from byte `from` on, and carries the unfinished one. */
  private scan(chunk: Buffer, from: number, out: unknown[]): void {
    const n = chunk.length;
    let i = from;
    if (this.pieces.length > 0) {
      const nl = chunk.indexOf(NEWLINE, i);
      if (nl < 0) {
        this.carry(chunk.subarray(i));
        this.offset += n;
        return;
      }
      this.carry(chunk.subarray(i, nl));
      const whole = Buffer.concat(this.pieces, this.pieceBytes);
      this.pieces = [];
      this.pieceBytes = 0;
      this.parseLines(whole.toString('utf8'), whole.length, out);
      i = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= i) {
      this.parseLines(chunk.toString('utf8', i, last), last - i, out);
      i = last + 1;
    }
    if (i < n) this.carry(chunk.subarray(i));
    this.offset += n;
  }

  /** Ends the scan: parses a last line that has no newline after it. */
  end(out: unknown[]): void {
    if (this.bomHeld > 0) {
      // The input stopped inside what could have been a mark: its bytes are the only line.
      const held = this.bomHeld;
      this.bomHeld = -1;
      this.scan(bomPrefix(held), 0, out);
    }
    if (this.pieces.length === 0) return;
    const whole = Buffer.concat(this.pieces, this.pieceBytes);
    this.pieces = [];
    this.pieceBytes = 0;
    this.parseLines(whole.toString('utf8'), whole.length, out);
  }

  /**
   * Parses the lines of `text` (joined by newlines, `byteLength` bytes without the newline that ends
   * the last one) into `out`, each line alone. (Joining them with commas into one JSON.parse call
   * saves the per-call cost, but lets brackets and commas that span lines pass, as in `[1` / `2]` /
   * `3,4`; telling such lines apart needs a pass over every byte, which measured dearer than the calls.)
   */
  private parseLines(text: string, byteLength: number, out: unknown[]): void {
    // When the lines together are within the item limit, so is each: they need no size check.
    const checkSizes = byteLength > this.limits.maxItemBytes;
    let from = 0;
    let lineNo = this.line;
    for (; ; lineNo++) {
      const next = text.indexOf('\n', from);
      const lineText = text.slice(from, next < 0 ? text.length : next);
      if (checkSizes) {
        const bytes = Buffer.byteLength(lineText);
        if (bytes > this.limits.maxItemBytes) this.checkSize(bytes, this.startOf(text, from), lineNo);
      }
      try {
        out.push(JSON.parse(lineText));
        this.itemCount++;
      } catch (error) {
        if (!BLANK.test(lineText))
          throw itemError(lineText, this.startOf(text, from), `line ${lineNo}`, error);
      }
      if (next < 0) break;
      from = next + 1;
    }
    this.line = lineNo + 1;
    this.lineStart += byteLength + 1;
  }

  /** The byte offset of the line at `from` in `text`, the lines that start at `lineStart` (for errors only). */
  private startOf(text: string, from: number): number {
    return this.lineStart + Buffer.byteLength(text.slice(0, from));
  }

  private carry(bytes: Buffer): void {
    this.checkSize(this.pieceBytes + bytes.length, this.lineStart, this.line);
    this.pieces.push(Buffer.from(bytes));
    this.pieceBytes += bytes.length;
  }

  private checkSize(bytes: number, lineStart: number, line: number): void {
    const limit = this.limits.maxItemBytes;
    if (bytes <= limit) return;
    throw new ItemTooLargeError(
      `line ${line}, starting at byte ${lineStart}, is longer than the ${formatBytes(limit)} item limit; ` +
        'raise streaming.maxItemSize (HEADROOM_STREAMING_MAX_ITEM_SIZE) if it is expected',
      lineStart,
      limit,
    );
  }
}
