/**
 * Collects lines and hands them to the writer in pieces of about 16 KiB, so output is progressive
 * without a call (and, for an async writer, an await) per line.
 */
const PIECE_BYTES = 16 * 1024;

export class TextSink {
  private buffer = '';

  constructor(private readonly write: (text: string) => void | Promise<void>) {}

  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= PIECE_BYTES) await this.flush();
  }

  async end(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const piece = this.buffer;
    this.buffer = '';
    await this.write(piece);
  }
}
