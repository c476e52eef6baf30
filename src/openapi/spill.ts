/**
 * The spill store: the parts of upstream responses that did not fit the model's budget, kept on
 * disk for a while so `read_result(cursor, offset)` can page through them. One file per response
 * under a folder of this store's own; the disk budget is shared by all entries, and finished
 * entries expire a TTL after they finished. Writing is in spill-writer.ts, reading in spill-read.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, CursorError, SpillFullError, ToolArgumentError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { readPage } from './spill-read.js';
import { CHECKPOINT_EVERY, FileSpillWriter, type SpillLedger } from './spill-writer.js';

export const DEFAULT_SPILL_MAX_BYTES = 2 * 1024 ** 3;
export const DEFAULT_SPILL_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_SPILL_MAX_ENTRIES = 1000;
export const DEFAULT_SPILL_WAIT_MS = 10_000;

export interface SpillStoreOptions {
  dir: string;
  /** The disk budget shared by all entries; 2 GiB by default. */
  maxBytes?: number;
  /** How long an entry is kept after it finished; 1 hour by default. */
  ttlMs?: number;
  maxEntries?: number;
  /** The clock for expiry (tests inject one). */
  now?: () => number;
}

export type SpillKind = 'items' | 'text' | 'binary';

export interface SpillInfo {
  kind: SpillKind;
  mediaType: string;
  /** What the response answered, for messages: `GET /pets`. */
  source: string;
  /** items: the response's index of the entry's first item; text and binary: its byte offset. */
  firstIndex: number;
}

export interface SpillWriter {
  readonly cursor: string;
  /**
   * items: one JSON value. CR and LF bytes are turned into spaces (in JSON text they can only be
   * whitespace), so each value is one line. Await what it returns: that is the back-pressure.
   */
  writeItem(line: Buffer | string): Promise<void> | void;
  /**
   * items: the JSON values at [starts[k], ends[k]) of `chunk`, for `from` <= k < `to`, written as
   * writeItem would write each, without an object per item. The ranges are read before it returns
   * or, when it returns a promise, until that settles.
   */
  writeItems(
    chunk: Buffer,
    starts: readonly number[],
    ends: readonly number[],
    from: number,
    to: number,
  ): Promise<void> | void;
  /** text and binary: the next bytes. */
  write(bytes: Buffer): Promise<void> | void;
  finish(): Promise<void>;
  /** Ends the entry, recording `error` so readers learn where and why it was cut. */
  fail(error: Error): Promise<void>;
}

export interface SpillPage {
  /** items: a JSON array of the page's items; text: the text; binary: base64. */
  text: string;
  offset: number;
  /** Where the next page starts; absent at the end. */
  nextOffset?: number;
  /** Known once the entry finished. */
  total?: number;
  /** The entry finished (all of it, or up to `error`). */
  complete: boolean;
  /** Why the entry stops short: the upstream failed mid-body, or the disk budget ran out. */
  error?: string;
  /** What was cut to fit an item larger than the budget (from fitJson). */
  notes?: string[];
}

export interface SpillReadOptions {
  signal?: AbortSignal;
  /** How long to wait for more when reading past what has been written; 10 s by default. */
  waitMs?: number;
}

/** What the store knows of one entry; shared by its writer and the readers. */
export interface SpillEntry extends SpillInfo {
  readonly cursor: string;
  readonly file: string;
  /** Bytes counted against the disk budget: on disk or in the writer's buffers. */
  acceptedBytes: number;
  /** Bytes on disk and the items whose lines lie wholly in them: what a reader may see. */
  durableBytes: number;
  durableItems: number;
  /** The file offset of item 256*k, k counted from the entry's first item. */
  checkpoints: number[];
  state: 'active' | 'finished' | 'failed';
  finishedAt: number;
  error?: string;
  /** Woken when more becomes readable or the entry ends. */
  waiters: Set<() => void>;
  /** Asks the writer to put what it holds in memory on disk, for a reader that waits. */
  flushSoon: () => void;
}

const FOLDER = /^(\d+)-[A-Za-z0-9_-]+$/;
const CURSOR = /^[A-Za-z0-9_-]{22}$/;
const AGAIN =
  'Repeat the original call to get a fresh cursor (narrow it with _fields or _query if it was large).';

export class SpillStore {
  readonly folder: string;
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, SpillEntry>();
  // Why recent cursors are gone, so read_result can say "expired" or "evicted" rather than "unknown".
  private readonly gone = new Map<string, string>();
  private readonly ledger: SpillLedger;
  private readonly timer: NodeJS.Timeout;
  private used = 0;
  private files = 0;
  private closing: Promise<void> | undefined;

  constructor(options: SpillStoreOptions) {
    const { dir } = options;
    if (typeof dir !== 'string' || dir === '') throw new RangeError('SpillStore: dir must name a folder');
    this.maxBytes = positive('maxBytes', options.maxBytes ?? DEFAULT_SPILL_MAX_BYTES);
    this.ttlMs = positive('ttlMs', options.ttlMs ?? DEFAULT_SPILL_TTL_MS);
    this.maxEntries = positive('maxEntries', options.maxEntries ?? DEFAULT_SPILL_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    removeAbandoned(dir, this.now() - this.ttlMs);
    this.folder = join(dir, `${process.pid}-${randomBytes(6).toString('base64url')}`);
    mkdirSync(this.folder, { mode: 0o700 });
    this.ledger = {
      reserve: (entry, bytes) => this.reserve(entry, bytes),
      budgetText: () => formatBytes(this.maxBytes),
      now: () => this.now(),
      closed: () => this.closing !== undefined,
    };
    this.timer = setInterval(() => this.sweep(), Math.min(this.ttlMs, 60_000));
    this.timer.unref();
  }

  create(info: SpillInfo): SpillWriter {
    if (this.closing) throw new AbortedError('the spill store is closed: the server is shutting down');
    this.sweep();
    if (this.entries.size >= this.maxEntries) this.evictOldest(1, 'entries');
    if (this.entries.size >= this.maxEntries) {
      throw new SpillFullError(
        `the spill store holds ${this.maxEntries} responses that are still arriving, its limit; ` +
          'finish or cancel some calls first, or raise the entry limit',
      );
    }
    const cursor = randomBytes(16).toString('base64url');
    const entry: SpillEntry = {
      ...info,
      cursor,
      file: join(this.folder, `${++this.files}.${info.kind === 'items' ? 'ndjson' : 'bin'}`),
      acceptedBytes: 0,
      durableBytes: 0,
      durableItems: 0,
      checkpoints: [],
      state: 'active',
      finishedAt: 0,
      waiters: new Set(),
      flushSoon: () => {},
    };
    this.entries.set(cursor, entry);
    return new FileSpillWriter(entry, this.ledger);
  }

  /**
   * One page of `cursor`'s entry from `offset` (by default where the entry starts, just after the
   * first answer), within `budgetBytes` of text.
   */
  async read(
    cursor: string,
    at: number | undefined,
    budgetBytes: number,
    options: SpillReadOptions = {},
  ): Promise<SpillPage> {
    if (at !== undefined && (!Number.isSafeInteger(at) || at < 0))
      throw new ToolArgumentError(`offset must be a whole number >= 0, got ${String(at)}`);
    if (!(budgetBytes >= 64))
      throw new RangeError(`SpillStore.read: budgetBytes must be >= 64, got ${budgetBytes}`);
    const entry = this.lookup(cursor);
    const offset = at ?? entry.firstIndex;
    if (offset < entry.firstIndex) {
      const what = entry.kind === 'items' ? 'items' : 'bytes';
      throw new ToolArgumentError(
        `offset ${offset} is before what this cursor holds: ${what} 0-${entry.firstIndex - 1} were in the ` +
          `first answer of ${entry.source}. Read from offset ${entry.firstIndex} on.`,
      );
    }
    await waitForData(entry, offset, budgetBytes, options);
    try {
      return await readPage(entry, offset, budgetBytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw this.goneError(cursor);
      throw error;
    }
  }

  stats(): { entries: number; bytes: number; maxBytes: number; active: number } {
    let active = 0;
    for (const entry of this.entries.values()) if (entry.state === 'active') active++;
    return { entries: this.entries.size, bytes: this.used, maxBytes: this.maxBytes, active };
  }

  /** Drops the entries that finished more than the TTL ago. */
  sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const entry of this.entries.values()) {
      if (entry.state !== 'active' && entry.finishedAt <= cutoff) this.remove(entry, 'expired');
    }
  }

  /** Deletes this store's files; entries still being written fail. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      for (const entry of this.entries.values()) {
        entry.error ??= 'the spill store was closed (the server is shutting down)';
        for (const wake of entry.waiters) wake();
      }
      this.entries.clear();
      this.used = 0;
      await rm(this.folder, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private lookup(cursor: string): SpillEntry {
    const entry = typeof cursor === 'string' ? this.entries.get(cursor) : undefined;
    if (!entry) throw this.goneError(cursor);
    if (entry.state !== 'active' && entry.finishedAt <= this.now() - this.ttlMs) {
      this.remove(entry, 'expired');
      throw this.goneError(cursor);
    }
    return entry;
  }

  private goneError(cursor: string): CursorError {
    if (typeof cursor !== 'string' || !CURSOR.test(cursor))
      return new CursorError(`'${String(cursor).slice(0, 40)}' is not a cursor this server issued. ${AGAIN}`);
    const why = this.gone.get(cursor);
    const ttl = formatDuration(this.ttlMs);
    if (why === 'expired')
      return new CursorError(
        `this cursor has expired: results are kept for ${ttl} after they finish. ${AGAIN}`,
      );
    if (why === 'bytes' || why === 'entries') {
      const limit =
        why === 'bytes' ? `disk budget (${formatBytes(this.maxBytes)}, --max-spill-size)` : 'entry limit';
      return new CursorError(
        `this cursor's result was dropped to make room for newer responses (the spill store's ${limit} was reached). ${AGAIN}`,
      );
    }
    return new CursorError(
      `this cursor is unknown: it expired (results are kept for ${ttl}), or the server restarted since. ${AGAIN}`,
    );
  }

  private reserve(entry: SpillEntry, bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) this.evictOldest(this.used + bytes - this.maxBytes, 'bytes');
    if (this.used + bytes > this.maxBytes || !this.entries.has(entry.cursor)) return false;
    this.used += bytes;
    entry.acceptedBytes += bytes;
    return true;
  }

  /** Removes finished entries, oldest first, until `need` bytes (or entries) are freed. */
  private evictOldest(need: number, why: 'bytes' | 'entries'): void {
    const finished = [...this.entries.values()].filter((entry) => entry.state !== 'active');
    finished.sort((a, b) => a.finishedAt - b.finishedAt);
    for (const entry of finished) {
      if (need <= 0) break;
      need -= why === 'bytes' ? entry.acceptedBytes : 1;
      this.remove(entry, why);
    }
  }

  private remove(entry: SpillEntry, why: string): void {
    if (!this.entries.delete(entry.cursor)) return;
    this.used -= entry.acceptedBytes;
    this.gone.set(entry.cursor, why);
    if (this.gone.size > this.maxEntries) this.gone.delete(this.gone.keys().next().value as string);
    rm(entry.file, { force: true }).catch(() => {});
  }
}

/** Waits (bounded) while the writer is active and less than a page lies on disk past `offset`. */
async function waitForData(
  entry: SpillEntry,
  offset: number,
  budgetBytes: number,
  options: SpillReadOptions,
): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_SPILL_WAIT_MS);
  const { signal } = options;
  while (entry.state === 'active' && !entry.error && !hasPage(entry, offset, budgetBytes)) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    if (signal?.aborted) throw new AbortedError('read_result was cancelled', signal.reason);
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        entry.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, left);
      signal?.addEventListener('abort', wake, { once: true });
      entry.waiters.add(wake);
      entry.flushSoon();
    });
  }
  if (signal?.aborted) throw new AbortedError('read_result was cancelled', signal.reason);
}

function hasPage(entry: SpillEntry, offset: number, budgetBytes: number): boolean {
  const at = offset - entry.firstIndex;
  if (entry.kind !== 'items') {
    const want = entry.kind === 'binary' ? Math.floor((budgetBytes * 3) / 4) : budgetBytes;
    return entry.durableBytes - at >= want;
  }
  if (entry.durableItems <= at) return false;
  // The checkpoint lies at or before the item, so this may overestimate: a page may come out short.
  const from = entry.checkpoints[Math.floor(at / CHECKPOINT_EVERY)] ?? 0;
  return entry.durableBytes - from >= budgetBytes;
}

/** Removes folders of stores whose process is gone and that were last changed before `cutoff`. */
function removeAbandoned(dir: string, cutoff: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(FOLDER.exec(name)?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs > cutoff) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Another store may be removing it at the same time.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`SpillStore: ${name} must be a positive number, got ${String(value)}`);
  return value;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? '1 hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
