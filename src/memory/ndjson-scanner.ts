/**
 * Newline-delimited JSON: one value per line, blank lines skipped. The complete lines of a chunk are
 * parsed in one JSON.parse call by turning their newlines into commas (a raw newline cannot occur
 * inside a JSON string, so this is safe); the count of values must match the count of lines, else
 * each line is parsed alone so that a bad line is named with its number and byte offset.
 */
import { ItemTooLargeError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import type { ScannerLimits } from './json-array-scanner.js';
import { itemError } from './json-parse.js';

const NEWLINE = 0x0a;
const BLANK = /^[ \t\r]*$/;

export class NdjsonScanner {
  private readonly limits: ScannerLimits;
  private offset = 0;
  private line = 1; // number of the line that starts at `lineStart`
  private lineStart = 0;
  private itemCount = 0;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;

  constructor(limits: ScannerLimits) {
    this.limits = limits;
  }

  get items(): number {
    return this.itemCount;
  }

  get bytes(): number {
    return this.offset;
  }

  push(chunk: Buffer, out: unknown[]): void {
    const n = chunk.length;
    let i = 0;
    if (this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      i = 3; // UTF-8 byte order mark
      this.lineStart = 3;
    }
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
      this.parseLines(whole.toString('utf8'), whole.length, 1, out);
      i = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= i) {
      this.parseLines(chunk.toString('utf8', i, last), last - i, countNewlines(chunk, i, last) + 1, out);
      i = last + 1;
    }
    if (i < n) this.carry(chunk.subarray(i));
    this.offset += n;
  }

  /** Ends the scan: parses a last line that has no newline after it. */
  end(out: unknown[]): void {
    if (this.pieces.length === 0) return;
    const whole = Buffer.concat(this.pieces, this.pieceBytes);
    this.pieces = [];
    this.pieceBytes = 0;
    this.parseLines(whole.toString('utf8'), whole.length, 1, out);
  }

  /**
   * Parses `count` lines (joined by newlines, `byteLength` bytes without the newline that ends the
   * last one) into `out`.
   */
  private parseLines(text: string, byteLength: number, count: number, out: unknown[]): void {
    // The fast path cannot see line lengths, so it is taken only when no line can be over the limit.
    if (count === 1 || byteLength > this.limits.maxItemBytes || !this.parseAll(text, count, out)) {
      let from = 0;
      let lineStart = this.lineStart;
      for (let k = 0; k < count; k++) {
        const next = text.indexOf('\n', from);
        const to = next < 0 ? text.length : next;
        const line = text.slice(from, to);
        this.checkSize(Buffer.byteLength(line), lineStart, this.line + k);
        if (!BLANK.test(line)) {
          try {
            out.push(JSON.parse(line));
          } catch (error) {
            throw itemError(line, lineStart, `line ${this.line + k}`, error);
          }
          this.itemCount++;
        }
        lineStart += Buffer.byteLength(line) + 1;
        from = to + 1;
      }
    }
    this.line += count;
    this.lineStart += byteLength + 1;
  }

  /** The fast path: all lines in one JSON.parse call; false when that does not give one value per line. */
  private parseAll(text: string, count: number, out: unknown[]): boolean {
    let values: unknown;
    try {
      values = JSON.parse(`[${text.replaceAll('\n', ',')}]`);
    } catch {
      return false;
    }
    if (!Array.isArray(values) || values.length !== count) return false;
    for (const value of values) out.push(value);
    this.itemCount += count;
    return true;
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

function countNewlines(chunk: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = chunk.indexOf(NEWLINE, from); i >= 0 && i < to; i = chunk.indexOf(NEWLINE, i + 1)) count++;
  return count;
}
