/**
 * Splits a byte stream into lines without holding more than one line: complete lines are decoded
 * straight from the chunk, and only a line that spans chunks is gathered. A line over the limit is
 * reported as soon as it passes the limit (not when it ends) and its bytes are dropped, so a file
 * with no newlines at all cannot fill memory.
 */

const NEWLINE = 0x0a;
const CR = 13;

export interface LineHandler {
  /** One line, without its newline (and without a trailing CR); `number` is 1-based. */
  line(text: string, number: number): void;
  /** Line `number` is over the limit (`bytes` so far). If this returns, the line is skipped. */
  tooLong(number: number, bytes: number): void;
}

export class LineSplitter {
  /** Lines completed so far. */
  lines = 0;
  bytes = 0;
  private readonly maxLineBytes: number;
  private readonly handler: LineHandler;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private stopped = false;

  constructor(maxLineBytes: number, handler: LineHandler) {
    this.maxLineBytes = maxLineBytes;
    this.handler = handler;
  }

  /** Stops at once: the rest of the current chunk and later chunks are ignored. */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3; // UTF-8 BOM
    this.bytes += chunk.length;
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < start) {
      this.gather(chunk, start, chunk.length);
      return;
    }
    if (this.carryBytes > 0 || this.skipping) {
      // The line that began in an earlier chunk ends here.
      const nl = chunk.indexOf(NEWLINE, start);
      this.lines++;
      const bytes = this.carryBytes + nl - start;
      if (this.skipping) this.skipping = false;
      else if (bytes > this.maxLineBytes) this.handler.tooLong(this.lines, bytes);
      else {
        this.carry.push(chunk.subarray(start, nl));
        this.emit(Buffer.concat(this.carry, bytes).toString('utf8'));
      }
      this.carry = [];
      this.carryBytes = 0;
      start = nl + 1;
    }
    // The complete lines left are decoded in one go; each line is then a cheap slice of that text.
    if (start <= last && !this.stopped) this.split(chunk.toString('utf8', start, last));
    if (last + 1 < chunk.length && !this.stopped) this.gather(chunk, last + 1, chunk.length);
  }

  /** Lines joined by newlines (no newline after the last). */
  private split(text: string): void {
    const max = this.maxLineBytes;
    let from = 0;
    while (!this.stopped) {
      const nl = text.indexOf('\n', from);
      const line = nl < 0 ? text.slice(from) : text.slice(from, nl);
      this.lines++;
      // A character is 1 to 3 UTF-8 bytes here, so the exact count is needed only near the limit.
      if (line.length > max || (line.length * 3 > max && Buffer.byteLength(line) > max)) {
        this.handler.tooLong(this.lines, Buffer.byteLength(line));
      } else this.emit(line);
      if (nl < 0) return;
      from = nl + 1;
    }
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    if (this.stopped) return;
    if (this.skipping || this.carryBytes === 0) {
      this.skipping = false;
      return;
    }
    this.lines++;
    this.emit(Buffer.concat(this.carry, this.carryBytes).toString('utf8'));
    this.carry = [];
    this.carryBytes = 0;
  }

  private gather(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) return;
    const bytes = this.carryBytes + end - start;
    if (bytes > this.maxLineBytes) {
      this.carry = [];
      this.carryBytes = 0;
      this.skipping = true; // set first: tooLong may throw, and then nothing more is read anyway
      this.handler.tooLong(this.lines + 1, bytes);
      return;
    }
    this.carry.push(chunk.subarray(start, end));
    this.carryBytes = bytes;
  }

  private emit(text: string): void {
    this.handler.line(text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text, this.lines);
  }
}
