/**
 * Reading one page of a spill entry. Items are NDJSON lines: a page seeks to the nearest checkpoint
 * of the sparse index (every 256th item) and scans at most 255 lines to its first item, so a read
 * costs about one page whatever the offset, and the file is never read whole. The page is the lines
 * joined into a JSON array, without re-serializing; only an item larger than the page is parsed, to
 * be fitted.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { parseOne } from '../memory/json-parse.js';
import { fitJson, fitText } from './fit.js';
import type { SpillEntry, SpillPage } from './spill.js';
import { CHECKPOINT_EVERY } from './spill-writer.js';

const READ_BYTES = 64 * 1024;
const LF = 0x0a;

export async function readPage(entry: SpillEntry, offset: number, budgetBytes: number): Promise<SpillPage> {
  // A snapshot, so the page agrees with itself while the writer goes on.
  const complete = entry.state !== 'active';
  const durableBytes = entry.durableBytes;
  const durableItems = entry.durableItems;
  const total = complete
    ? entry.firstIndex + (entry.kind === 'items' ? durableItems : durableBytes)
    : undefined;
  const base = { offset, complete, ...(total === undefined ? {} : { total }), ...errorOf(entry) };
  const at = offset - entry.firstIndex;
  const available = entry.kind === 'items' ? durableItems - at : durableBytes - at;
  if (available <= 0) {
    const empty = entry.kind === 'items' ? '[]' : '';
    return complete ? { text: empty, ...base } : { text: empty, ...base, nextOffset: offset };
  }
  const handle = await open(entry.file, 'r');
  try {
    const page =
      entry.kind === 'items'
        ? await itemsPage(handle, entry, at, available, budgetBytes)
        : await bytesPage(handle, entry, at, durableBytes, complete, budgetBytes);
    const next = offset + page.count;
    const atEnd = complete && total !== undefined && next >= total;
    return {
      text: page.text,
      ...base,
      ...(atEnd ? {} : { nextOffset: next }),
      ...(page.notes.length > 0 ? { notes: page.notes } : {}),
      ...(page.error ? { error: base.error ? `${page.error}; ${base.error}` : page.error } : {}),
    };
  } finally {
    await handle.close();
  }
}

interface Page {
  text: string;
  /** Items or bytes the page covers. */
  count: number;
  notes: string[];
  error?: string;
}

async function itemsPage(
  handle: FileHandle,
  entry: SpillEntry,
  at: number,
  available: number,
  budget: number,
): Promise<Page> {
  const checkpoint = Math.floor(at / CHECKPOINT_EVERY);
  const lines = new LineReader(handle, entry.checkpoints[checkpoint] ?? 0, entry.durableBytes);
  await lines.skip(at - checkpoint * CHECKPOINT_EVERY);
  const parts: Buffer[] = [];
  let size = 2; // the brackets
  while (parts.length < available) {
    const room = budget - size - (parts.length > 0 ? 1 : 0);
    // With no item yet, read the whole line: an item larger than the page is fitted, not skipped.
    const line = await lines.next(parts.length === 0 ? Number.POSITIVE_INFINITY : room);
    if (line === undefined || line.length > room) {
      if (parts.length === 0 && line) return oversized(line, entry.firstIndex + at, budget);
      break;
    }
    parts.push(line);
    size += line.length + (parts.length > 1 ? 1 : 0);
  }
  return checkItems(parts, entry.firstIndex + at);
}

/** Joins the lines into the page; an upstream item that is not valid JSON ends the page there. */
function checkItems(parts: Buffer[], firstIndex: number): Page {
  const text = joinLines(parts);
  try {
    JSON.parse(text);
    return { text, count: parts.length, notes: [] };
  } catch {
    // Items were spilled unparsed (raw mode); find the broken one.
  }
  for (let k = 0; k < parts.length; k++) {
    const line = parts[k] as Buffer;
    try {
      parseOne(line, 0, line.length, 0, firstIndex + k);
    } catch (error) {
      return {
        text: joinLines(parts.slice(0, k)),
        count: k + 1,
        notes: [],
        error: `item ${firstIndex + k} is not valid JSON and was skipped (${(error as Error).message})`,
      };
    }
  }
  return { text, count: parts.length, notes: [] };
}

function joinLines(parts: Buffer[]): string {
  const pieces: Buffer[] = [Buffer.from('[')];
  parts.forEach((part, k) => {
    if (k > 0) pieces.push(COMMA);
    pieces.push(part);
  });
  pieces.push(CLOSE);
  return Buffer.concat(pieces).toString('utf8');
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

function oversized(line: Buffer, index: number, budget: number): Page {
  let value: unknown;
  try {
    value = parseOne(line, 0, line.length, 0, index);
  } catch (error) {
    return {
      text: '[]',
      count: 1,
      notes: [],
      error: `item ${index} is not valid JSON and was skipped (${(error as Error).message})`,
    };
  }
  const fitted = fitJson(value, budget - 2);
  return {
    text: `[${fitted.text}]`,
    count: 1,
    notes: [`item ${index} alone is larger than the page and was cut: ${fitted.notes.join('; ')}`],
  };
}

async function bytesPage(
  handle: FileHandle,
  entry: SpillEntry,
  at: number,
  durableBytes: number,
  complete: boolean,
  budget: number,
): Promise<Page> {
  const binary = entry.kind === 'binary';
  const want = Math.min(durableBytes - at, binary ? Math.floor((budget * 3) / 4) : budget);
  const buf = Buffer.allocUnsafe(want);
  const got = await readFully(handle, buf, at);
  if (binary) return { text: buf.toString('base64', 0, got), count: got, notes: [] };
  // Whole characters only: a cut sequence is left for the next page (the entry's end is taken as is).
  let start = 0;
  while (start < 3 && start < got && ((buf[start] as number) & 0xc0) === 0x80) start++;
  const end = complete && at + got === durableBytes ? got : utf8Boundary(buf, got);
  const fitted = fitText(buf.toString('utf8', start, end), budget);
  return { text: fitted.text, count: start + (fitted.cut ? fitted.bytes : end - start), notes: [] };
}

/** The largest length <= `length` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(buf: Buffer, length: number): number {
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = buf[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return size > back ? length - back : length;
  }
  return length;
}

function errorOf(entry: SpillEntry): { error?: string } {
  return entry.error === undefined ? {} : { error: entry.error };
}

async function readFully(handle: FileHandle, buf: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await handle.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** Lines of a file region, read in 64 KiB blocks. */
class LineReader {
  private block = Buffer.alloc(0);
  private at = 0; // next unread byte of `block`

  constructor(
    private readonly handle: FileHandle,
    private position: number,
    private readonly end: number,
  ) {}

  async skip(count: number): Promise<void> {
    while (count > 0) {
      if (this.at >= this.block.length && !(await this.fill())) return;
      const newline = this.block.indexOf(LF, this.at);
      if (newline < 0) this.at = this.block.length;
      else {
        this.at = newline + 1;
        count--;
      }
    }
  }

  /**
   * The next line without its LF, or undefined at the end. Stops reading once the line passes
   * `limit` bytes and returns what it has (the caller only learns that it is too long).
   */
  async next(limit: number): Promise<Buffer | undefined> {
    const pieces: Buffer[] = [];
    let length = 0;
    for (;;) {
      if (this.at >= this.block.length && !(await this.fill())) {
        return pieces.length > 0 ? Buffer.concat(pieces, length) : undefined;
      }
      const newline = this.block.indexOf(LF, this.at);
      const stop = newline < 0 ? this.block.length : newline;
      const piece = this.block.subarray(this.at, stop);
      this.at = newline < 0 ? stop : newline + 1;
      if (pieces.length === 0 && newline >= 0) return piece;
      pieces.push(piece);
      length += piece.length;
      if (newline >= 0 || length > limit) return Buffer.concat(pieces, length);
    }
  }

  private async fill(): Promise<boolean> {
    const size = Math.min(READ_BYTES, this.end - this.position);
    if (size <= 0) return false;
    // A fresh block each time: lines handed out may still point into the previous one.
    const block = Buffer.allocUnsafe(size);
    const got = await readFully(this.handle, block, this.position);
    if (got === 0) return false;
    this.position += got;
    this.block = block.subarray(0, got);
    this.at = 0;
    return true;
  }
}
