/**
 * Writing one spill entry. Small writes are copied into 1 MiB buffers; a full buffer goes to the
 * file while the next one fills, and a writer only gets a third buffer's worth ahead by waiting
 * for the disk: so a fast upstream is paced by the disk and memory stays at two buffers. Readers
 * see only what is on disk, in whole lines, through the entry's durable counts.
 */

import { type FileHandle, open } from 'node:fs/promises';
import { AbortedError, SpillFullError } from '../errors.js';
import { formatCount } from '../util/count.js';
import type { SpillEntry, SpillWriter } from './spill.js';

/** Items between two entries of the sparse index. */
export const CHECKPOINT_EVERY = 256;
const BUFFER_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** What a writer needs of its store. */
export interface SpillLedger {
  /** Counts `bytes` against the shared disk budget (evicting finished entries if need be); false when they do not fit. */
  reserve(entry: SpillEntry, bytes: number): boolean;
  budgetText(): string;
  now(): number;
  closed(): boolean;
}

export class FileSpillWriter implements SpillWriter {
  readonly cursor: string;
  private readonly entry: SpillEntry;
  private readonly ledger: SpillLedger;
  private readonly handle: Promise<FileHandle>;
  private buffers: Buffer[] = [];
  private current = 0;
  private pos = 0;
  private itemsInBuffer = 0;
  private accepted = 0; // bytes accepted so far: the file offset of the next one
  private items = 0;
  private written = 0; // bytes on disk
  private inflight: Promise<void> | undefined;
  private stopped: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(entry: SpillEntry, ledger: SpillLedger) {
    this.cursor = entry.cursor;
    this.entry = entry;
    this.ledger = ledger;
    this.handle = open(entry.file, 'wx', 0o600);
    // A failed open is reported by the first write to the file.
    this.handle.catch(() => {});
    entry.flushSoon = () => {
      if (!this.inflight && this.pos > 0) this.flushCurrent().catch(() => {});
    };
  }

  writeItem(line: Buffer | string): Promise<void> | void {
    this.check();
    if (typeof line === 'string' && (line.includes('\n') || line.includes('\r')))
      line = line.replace(/[\r\n]/g, ' ');
    const length = typeof line === 'string' ? Buffer.byteLength(line) : line.length;
    const need = length + 1;
    if (need > BUFFER_BYTES - this.pos && this.pos > 0) {
      const again = line;
      return this.flushCurrent().then(() => this.writeItem(again));
    }
    if (!this.ledger.reserve(this.entry, need)) throw this.full();
    if (this.items % CHECKPOINT_EVERY === 0) this.entry.checkpoints.push(this.accepted);
    this.items++;
    this.accepted += need;
    if (need > BUFFER_BYTES) return this.writeLarge(line, length);
    const buf = this.buffer();
    const start = this.pos;
    if (typeof line === 'string') buf.write(line, start, 'utf8');
    else {
      line.copy(buf, start);
      blankLineBreaks(line, buf, start);
    }
    buf[start + length] = LF;
    this.pos += need;
    this.itemsInBuffer++;
  }

  /**
   * The items at [starts[k], ends[k]) of `chunk`, for `from` <= k < `to`, as writeItem would write
   * them one by one, but without a Buffer, string or closure per item: each run of items that fits
   * the buffer is copied in one go (separators included), its CR and LF bytes found with indexOf,
   * and the items are then moved together over the separators, each followed by LF.
   */
  writeItems(
    chunk: Buffer,
    starts: readonly number[],
    ends: readonly number[],
    from: number,
    to: number,
  ): Promise<void> | void {
    this.check();
    let k = from;
    while (k < to) {
      const first = (ends[k] as number) - (starts[k] as number) + 1;
      if (first > BUFFER_BYTES - this.pos && this.pos > 0) {
        const next = k;
        return this.flushCurrent().then(() => this.writeItems(chunk, starts, ends, next, to));
      }
      if (first > BUFFER_BYTES) {
        const next = k + 1;
        const pending = this.writeItem(chunk.subarray(starts[k], ends[k]));
        return Promise.resolve(pending).then(() => this.writeItems(chunk, starts, ends, next, to));
      }
      k = this.copyRun(chunk, starts, ends, k, to);
    }
  }

  write(bytes: Buffer): Promise<void> | void {
    this.check();
    if (!this.ledger.reserve(this.entry, bytes.length)) throw this.full();
    this.accepted += bytes.length;
    return this.copyIn(bytes, 0);
  }

  finish(): Promise<void> {
    this.closing ??= (async () => {
      await this.flushCurrent();
      while (this.inflight) await this.inflight;
      try {
        await (await this.handle).close();
      } catch {
        // Nothing was written, or the disk failed: the entry says so already.
      }
      this.buffers = [];
      const entry = this.entry;
      entry.state = entry.error ? 'failed' : 'finished';
      entry.finishedAt = this.ledger.now();
      notify(entry);
    })();
    return this.closing;
  }

  fail(error: Error): Promise<void> {
    if (!this.stopped) this.stop(error, `the response was cut at ${this.where()}: ${error.message}`);
    return this.finish();
  }

  private check(): void {
    if (this.stopped) throw this.stopped;
    if (this.closing) throw new Error('SpillWriter: write after finish() or fail(); write everything first');
    if (this.ledger.closed()) {
      throw this.stop(new AbortedError('the spill store was closed: the server is shutting down'), undefined);
    }
  }

  private full(): SpillFullError {
    const error = new SpillFullError(
      `the response was cut at ${this.where()} because the spill store's disk budget ` +
        `(${this.ledger.budgetText()}, --max-spill-size) was used up. Narrow the call with _fields or ` +
        '_query, or raise --max-spill-size.',
    );
    return this.stop(error, error.message);
  }

  private where(): string {
    const at = this.entry.firstIndex + (this.entry.kind === 'items' ? this.items : this.accepted);
    return `${this.entry.kind === 'items' ? 'item' : 'byte'} ${formatCount(at)}`;
  }

  private stop<E extends Error>(error: E, message: string | undefined): E {
    this.stopped = error;
    this.entry.error ??= message ?? error.message;
    notify(this.entry);
    return error;
  }

  private buffer(): Buffer {
    let buf = this.buffers[this.current];
    if (!buf) {
      buf = Buffer.allocUnsafeSlow(BUFFER_BYTES);
      this.buffers[this.current] = buf;
    }
    return buf;
  }

  /**
   * Copies items `k`, `k + 1`, ... whose bytes, from item k's start to their end, fit what is left of
   * the buffer (item k always does); returns the index of the first item not copied. Throws when
   * the disk budget runs out, after copying the items before the one that did not fit.
   */
  private copyRun(
    chunk: Buffer,
    starts: readonly number[],
    ends: readonly number[],
    k: number,
    to: number,
  ): number {
    const room = BUFFER_BYTES - this.pos;
    const spanStart = starts[k] as number;
    let m = k;
    let full = false;
    // Counted item by item, so that a spill that runs out of budget is cut at the same item as writeItem.
    while (m < to && (ends[m] as number) - spanStart + 1 <= room) {
      const need = (ends[m] as number) - (starts[m] as number) + 1;
      if (!this.ledger.reserve(this.entry, need)) {
        full = true;
        break;
      }
      if (this.items % CHECKPOINT_EVERY === 0) this.entry.checkpoints.push(this.accepted);
      this.items++;
      this.accepted += need;
      m++;
    }
    if (m > k) this.placeRun(chunk, starts, ends, k, m);
    if (full) throw this.full();
    return m;
  }

  /** Puts items [k, m), already counted, into the buffer: one copy, then blanks, moves and LFs. */
  private placeRun(
    chunk: Buffer,
    starts: readonly number[],
    ends: readonly number[],
    k: number,
    m: number,
  ): void {
    const buf = this.buffer();
    const base = this.pos;
    const spanStart = starts[k] as number;
    const spanEnd = ends[m - 1] as number;
    chunk.copy(buf, base, spanStart, spanEnd);
    blankInCopy(chunk, spanStart, spanEnd, buf, base, LF);
    blankInCopy(chunk, spanStart, spanEnd, buf, base, CR);
    // Separators (a comma, maybe whitespace) lie between the items: close the gaps, end each with LF.
    let at = base;
    for (let j = k; j < m; j++) {
      const source = base + (starts[j] as number) - spanStart;
      const length = (ends[j] as number) - (starts[j] as number);
      if (source !== at) buf.copyWithin(at, source, source + length);
      at += length;
      buf[at++] = LF;
    }
    this.pos = at;
    this.itemsInBuffer += m - k;
  }

  private copyIn(bytes: Buffer, from: number): Promise<void> | void {
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, BUFFER_BYTES - this.pos);
      bytes.copy(this.buffer(), this.pos, from, from + n);
      this.pos += n;
      from += n;
      if (this.pos === BUFFER_BYTES) {
        const next = from;
        return this.flushCurrent().then(() => this.copyIn(bytes, next));
      }
    }
  }

  /** An item larger than a buffer goes to the file on its own, after what is buffered. */
  private async writeLarge(line: Buffer | string, length: number): Promise<void> {
    const whole = Buffer.allocUnsafe(length + 1);
    if (typeof line === 'string') whole.write(line, 0, 'utf8');
    else {
      line.copy(whole, 0);
      blankLineBreaks(line, whole, 0);
    }
    whole[length] = LF;
    await this.flushCurrent();
    while (this.inflight) await this.inflight;
    this.startWrite(whole, whole.length, 1);
  }

  /** Sends the current buffer to the file and switches to the other one, once it is free. */
  private async flushCurrent(): Promise<void> {
    while (this.inflight) await this.inflight;
    if (this.pos === 0) return;
    const buf = this.buffer();
    this.startWrite(buf, this.pos, this.itemsInBuffer);
    this.current ^= 1;
    this.pos = 0;
    this.itemsInBuffer = 0;
  }

  private startWrite(buf: Buffer, length: number, items: number): void {
    const done = this.writeOut(buf, length, items).finally(() => {
      if (this.inflight === done) this.inflight = undefined;
    });
    this.inflight = done;
  }

  /** Writes at the file's end; never rejects: a failure stops the writer and is recorded on the entry. */
  private async writeOut(buf: Buffer, length: number, items: number): Promise<void> {
    try {
      const handle = await this.handle;
      let done = 0;
      while (done < length) {
        const { bytesWritten } = await handle.write(buf, done, length - done, this.written + done);
        done += bytesWritten;
      }
      this.written += length;
      this.entry.durableBytes = this.written;
      this.entry.durableItems += items;
      notify(this.entry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.stop(
        new Error(`writing the spill file failed: ${reason}`),
        `the response was cut at ${this.where()}: writing the spill file failed (${reason})`,
      );
    }
  }
}

/** Replaces the CR and LF bytes of `source`, copied to `target` at `at`, with spaces. */
function blankLineBreaks(source: Buffer, target: Buffer, at: number): void {
  blankInCopy(source, 0, source.length, target, at, LF);
  blankInCopy(source, 0, source.length, target, at, CR);
}

/** Where `source` has `byte` in [from, to), puts a space in `target`, which holds that range at `at`. */
function blankInCopy(
  source: Buffer,
  from: number,
  to: number,
  target: Buffer,
  at: number,
  byte: number,
): void {
  let i = source.indexOf(byte, from);
  while (i >= 0 && i < to) {
    target[at + i - from] = SPACE;
    i = source.indexOf(byte, i + 1);
  }
}

function notify(entry: SpillEntry): void {
  if (entry.waiters.size === 0) return;
  for (const wake of [...entry.waiters]) wake();
}
