/**
 * Finds the items of one JSON array, at the document root or at a path of object keys, in a stream
 * of byte chunks, and parses them with JSON.parse. The byte loop only tracks strings and bracket
 * depth; JSON.parse, which is native and fast, validates and builds each item. Items that lie whole
 * inside one chunk are parsed together in one JSON.parse call, so the per-call cost is paid once
 * per chunk rather than once per item. Only the bytes of one unfinished item are ever carried over.
 * In `raw` mode the same loop hands out where each item's bytes are instead (pushRaw: the byte ranges
 * of the chunk's whole items, and the one item carried over from earlier chunks), for callers that
 * store or forward items without needing their values; nothing is allocated per item.
 * A UTF-8 byte order mark at the start is skipped, however the first chunks cut it.
 */
import { ItemTooLargeError, JsonStreamError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { parseItems, parseOne } from './json-parse.js';
import { formatJsonPath } from './json-path.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

// Phases of the scan.
const SEEK = 0; // walking the enclosing objects towards the array
const FIRST = 1; // just after '[': an item or ']'
const BEFORE = 2; // after ',': an item
const ITEM = 3; // inside an item
const AFTER = 4; // after an item: ',' or ']'
const TAIL = 5; // the array is closed; skipping the rest of the enclosing objects
const DONE = 6; // the document is closed; only whitespace may follow

// Steps of SEEK inside an enclosing object.
const S_ROOT = 0;
const S_KEY_OR_CLOSE = 1;
const S_KEY = 2;
const S_IN_KEY = 3;
const S_COLON = 4;
const S_VALUE = 5;
const S_SKIP = 6;
const S_NEXT = 7;

const MAX_KEY_BYTES = 64 * 1024;

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Matches the UTF-8 byte order mark at the start of a stream whose first chunks may cut it: `held`
 * of its bytes came before `chunk`. Returns how many have matched after `chunk` (3: the mark is
 * whole, and its bytes in `chunk` are the first 3 - held), or -1 when a byte differs: there is no
 * mark, and the held bytes (see bomPrefix) are the input's first bytes. Shared with NdjsonScanner.
 */
export function matchBom(chunk: Buffer, held: number): number {
  let matched = held;
  for (let i = 0; matched < BOM.length && i < chunk.length; i++, matched++) {
    if (chunk[i] !== BOM[matched]) return -1;
  }
  return matched;
}

/** The first `length` bytes of a byte order mark: held bytes that turned out not to be one. */
export function bomPrefix(length: number): Buffer {
  return Buffer.from(BOM.slice(0, length));
}

export interface ScannerLimits {
  maxItemBytes: number;
  maxDepth: number;
}

/** `parse`: items come out as values. `raw`: as bytes holding each item's JSON text, unchecked. */
export type ScannerMode = 'parse' | 'raw';

/**
 * The items one raw push completed, in order: `carried` first (when there is one), then the ranges
 * [starts[k], ends[k]) of the chunk, k < count. Reused by every push: valid until the next one.
 */
export interface RawItems {
  /** The item that began in an earlier chunk and ends in this one: a view of the scanner's carry buffer. */
  readonly carried: Buffer | undefined;
  /** The byte offset in the stream where `carried` starts. */
  readonly carriedAt: number;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly count: number;
}

// A carry buffer larger than this is let go once its item is out, so one huge item does not pin memory.
const KEEP_CARRY_BYTES = 1024 * 1024;
const MIN_CARRY_BYTES = 8 * 1024;

export class JsonArrayScanner {
  private readonly keys: readonly string[];
  private readonly limits: ScannerLimits;
  private readonly raw: boolean;
  private phase = SEEK;
  private step = S_ROOT;
  private offset = 0; // absolute offset of the current chunk's first byte
  private itemCount = 0;
  // Bytes of a byte order mark held back until it is whole (not yet in `offset`); -1 once settled.
  private bomHeld = 0;

  // The value being scanned (an item, a skipped value, or the tail).
  private depth = 0;
  private inString = false;
  private scalar = false;
  private skip = 0; // bytes to skip at the next chunk's start: the rest of an escape

  // The unfinished item carried between chunks, copied into a buffer reused from item to item. Two
  // take turns: the item handed out of a chunk must outlive the start of the next one in that chunk.
  private carryBuf: Buffer | undefined;
  private spareBuf: Buffer | undefined;
  private carryLen = 0;
  private itemStart = 0;

  // SEEK state.
  private level = 0; // enclosing objects opened along the path
  private keyPieces: Buffer[] = [];
  private keyBytes = 0;
  private keyEscaped = false;
  private keyMatches = false;
  private seenKeys: string[] = [];
  private arrayStart = 0;

  // Items that lie whole in the current chunk: [starts[k], ends[k]) for k < count. The arrays are
  // overwritten rather than emptied, so once grown they are not allocated again.
  private starts: number[] = [];
  private ends: number[] = [];
  private count = 0;
  private readonly batch: {
    carried: Buffer | undefined;
    carriedAt: number;
    starts: number[];
    ends: number[];
    count: number;
  };

  constructor(keys: readonly string[], limits: ScannerLimits, mode: ScannerMode = 'parse') {
    this.keys = keys;
    this.limits = limits;
    this.raw = mode === 'raw';
    this.batch = { carried: undefined, carriedAt: 0, starts: this.starts, ends: this.ends, count: 0 };
  }

  get items(): number {
    return this.itemCount;
  }

  get bytes(): number {
    return this.offset + Math.max(0, this.bomHeld);
  }

  /**
   * Scans one chunk and appends the items it completes to `out`. In raw mode they are Buffers that
   * may be views into `chunk`: copy them before changing the chunk or keeping them for long. pushRaw
   * does the same without a Buffer per item.
   */
  push(chunk: Buffer, out: unknown[]): void {
    if (this.raw) {
      const { carried, starts, ends, count } = this.pushRaw(chunk);
      // A copy: the carry buffer is reused by later pushes.
      if (carried) out.push(Buffer.from(carried));
      for (let k = 0; k < count; k++) out.push(chunk.subarray(starts[k], ends[k]));
      return;
    }
    this.scan(chunk, out);
    const count = this.count;
    if (count === 0) return;
    // parseItems reads the arrays' lengths.
    this.starts.length = count;
    this.ends.length = count;
    parseItems(chunk, this.starts, this.ends, out, this.offset - chunk.length, this.itemCount - count);
  }

  /** Raw mode: scans one chunk and says where the items it completes are. */
  pushRaw(chunk: Buffer): RawItems {
    if (!this.raw) throw new TypeError('JsonArrayScanner.pushRaw: the scanner was made for parse mode');
    const batch = this.batch;
    batch.carried = undefined;
    this.scan(chunk, undefined);
    batch.count = this.count;
    return batch;
  }

  /** Skips a byte order mark at the start of the input, then scans the rest of the chunk. */
  private scan(chunk: Buffer, out: unknown[] | undefined): void {
    let from = 0;
    if (this.bomHeld >= 0) {
      const held = this.bomHeld;
      const matched = matchBom(chunk, held);
      if (matched >= 0 && matched < BOM.length) {
        // The chunk is all (part of) a mark: hold it until the next chunk settles whether it is one.
        this.bomHeld = matched;
        this.count = 0;
        return;
      }
      this.bomHeld = -1;
      if (matched < 0) {
        // No mark: the held bytes are the document's first. They start with 0xEF, which no JSON
        // document starts with, so scanning them throws the error the uncut input gives.
        if (held > 0) this.scanFrom(bomPrefix(held), 0, out);
      } else {
        this.offset += held;
        from = BOM.length - held;
      }
    }
    this.scanFrom(chunk, from, out);
  }

  /** The byte loop over one chunk; items carried over are parsed into `out` (parse) or put on the batch (raw). */
  private scanFrom(chunk: Buffer, from: number, out: unknown[] | undefined): void {
    const n = chunk.length;
    let i = from;
    this.count = 0;
    while (i < n) {
      switch (this.phase) {
        case SEEK:
          i = this.seek(chunk, i, n);
          break;
        case FIRST:
        case BEFORE:
          i = skipWs(chunk, i, n);
          if (i < n) i = this.startItem(chunk, i);
          // An item may start on the chunk's last byte: scan (and so carry) it now.
          if (this.inItem()) i = this.continueItem(chunk, i, n, out);
          break;
        case ITEM:
          i = this.continueItem(chunk, i, n, out);
          break;
        case AFTER:
          i = skipWs(chunk, i, n);
          if (i >= n) break;
          if (chunk[i] === COMMA) this.phase = BEFORE;
          else if (chunk[i] === RBRACKET) this.closeArray();
          else
            throw this.error(
              i,
              `expected ',' or ']' after item ${this.itemCount - 1}, found ${show(chunk[i])}`,
            );
          i++;
          break;
        case TAIL: {
          const end = this.scanValue(chunk, i, n);
          if (end < 0) i = n;
          else {
            i = end;
            this.phase = DONE;
          }
          break;
        }
        default:
          i = skipWs(chunk, i, n);
          if (i < n) throw this.error(i, `unexpected ${show(chunk[i])} after the end of the document`);
      }
    }
    this.offset += n;
  }

  /** Ends the scan: throws when the input stopped before the document did. */
  end(): void {
    // Held bytes of a mark the input stopped inside of are the whole input: scanning them throws.
    if (this.bomHeld > 0) {
      const held = this.bomHeld;
      this.bomHeld = -1;
      this.scanFrom(bomPrefix(held), 0, undefined);
    }
    const at = this.offset;
    const path = formatJsonPath(this.keys);
    if (this.phase === DONE || (this.phase === TAIL && this.depth === 0)) return;
    if (this.phase === SEEK) {
      throw new JsonStreamError(
        at === 0
          ? 'the input is empty: expected a JSON document'
          : `unexpected end of input at byte ${at} before the array at ${path} began`,
        at,
      );
    }
    if (this.phase === ITEM) {
      throw new JsonStreamError(
        `unexpected end of input at byte ${at}: item ${this.itemCount} of ${path}, which starts at byte ${this.itemStart}, is not complete`,
        at,
      );
    }
    if (this.phase === TAIL) {
      throw new JsonStreamError(
        `unexpected end of input at byte ${at}: the objects around ${path} are not closed`,
        at,
      );
    }
    throw new JsonStreamError(
      `unexpected end of input at byte ${at}: the array at ${path}, opened at byte ${this.arrayStart}, is not closed`,
      at,
    );
  }

  private inItem(): boolean {
    return this.phase === ITEM;
  }

  private startItem(chunk: Buffer, i: number): number {
    const c = chunk[i];
    if (c === RBRACKET) {
      if (this.phase === BEFORE)
        throw this.error(i, `a ',' after item ${this.itemCount - 1} must be followed by an item, not ']'`);
      this.closeArray();
      return i + 1;
    }
    this.phase = ITEM;
    this.itemStart = this.offset + i;
    this.beginValue(chunk, i);
    return c === LBRACE || c === LBRACKET || c === QUOTE ? i + 1 : i;
  }

  /** Sets up the value scan for the value that starts with `chunk[i]`. */
  private beginValue(chunk: Buffer, i: number): void {
    const c = chunk[i] as number;
    this.inString = c === QUOTE;
    this.depth = c === LBRACE || c === LBRACKET ? 1 : 0;
    this.scalar = !this.inString && this.depth === 0;
    if (this.scalar && !isScalarStart(c))
      throw this.error(i, `unexpected ${show(c)} where a value should start`);
  }

  private continueItem(chunk: Buffer, i: number, n: number, out: unknown[] | undefined): number {
    const carried = this.carryLen > 0;
    const startInChunk = carried ? 0 : this.itemStart - this.offset;
    const end = this.scanValue(chunk, i, n);
    if (end < 0) {
      this.carry(chunk, Math.max(0, startInChunk), n);
      return n;
    }
    this.phase = AFTER;
    if (!carried) {
      this.checkItemSize(end - startInChunk);
      this.starts[this.count] = startInChunk;
      this.ends[this.count] = end;
      this.count++;
    } else {
      this.carry(chunk, 0, end);
      this.handOutCarried(out);
    }
    this.itemCount++;
    return end;
  }

  /** Keeps a copy of an unfinished item's bytes, so the chunk they came from can be freed. */
  private carry(chunk: Buffer, from: number, to: number): void {
    const length = this.carryLen + (to - from);
    this.checkItemSize(length);
    let buf = this.carryBuf;
    if (!buf || buf.length < length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(length, 2 * (buf?.length ?? 0), MIN_CARRY_BYTES));
      if (buf) buf.copy(grown, 0, 0, this.carryLen);
      buf = grown;
      this.carryBuf = grown;
    }
    chunk.copy(buf, this.carryLen, from, to);
    this.carryLen = length;
  }

  /** The carried item is complete: parsed into `out`, or (raw) a view on the batch. */
  private handOutCarried(out: unknown[] | undefined): void {
    const buf = this.carryBuf as Buffer;
    const length = this.carryLen;
    this.carryLen = 0;
    this.carryBuf = this.spareBuf;
    this.spareBuf = buf.length > KEEP_CARRY_BYTES ? undefined : buf;
    if (out) {
      out.push(parseOne(buf, 0, length, this.itemStart, this.itemCount));
      return;
    }
    this.batch.carried = buf.subarray(0, length);
    this.batch.carriedAt = this.itemStart;
  }

  private checkItemSize(bytes: number): void {
    const limit = this.limits.maxItemBytes;
    if (bytes <= limit) return;
    throw new ItemTooLargeError(
      `item ${this.itemCount} of ${formatJsonPath(this.keys)}, starting at byte ${this.itemStart}, is larger than ` +
        `the ${formatBytes(limit)} item limit; raise streaming.maxItemSize (HEADROOM_STREAMING_MAX_ITEM_SIZE) if it is expected`,
      this.itemStart,
      limit,
    );
  }

  /**
   * Advances through the current value; returns the index just past its end, or -1 when the chunk
   * ran out first (the state is kept for the next chunk). This loop is the hot path.
   */
  private scanValue(chunk: Buffer, i: number, n: number): number {
    if (this.scalar) {
      while (i < n && !isDelimiter(chunk[i] as number)) i++;
      return i < n ? i : -1;
    }
    // The rest of an escape sequence cut by the previous chunk's end.
    i += this.skip;
    this.skip = 0;
    let depth = this.depth;
    let inString = this.inString;
    const maxDepth = this.limits.maxDepth;
    for (;;) {
      if (inString) {
        i = stringEnd(chunk, i, n);
        if (i >= n) {
          this.skip = i - n;
          this.depth = depth;
          this.inString = true;
          return -1;
        }
        i++;
        inString = false;
        if (depth === 0) return i;
      }
      while (i < n) {
        const c = chunk[i++] as number;
        if (c === QUOTE) {
          // Short strings (keys, most values) end here, without leaving the loop; a long one, or one
          // the chunk cuts, goes to stringEnd, which starts over from its first byte.
          const end = shortStringEnd(chunk, i, n);
          if (end >= 0) {
            i = end + 1;
            continue;
          }
          inString = true;
          break;
        }
        if (c === LBRACE || c === LBRACKET) {
          if (++depth > maxDepth) throw this.depthError(i - 1);
        } else if (c === RBRACE || c === RBRACKET) {
          if (--depth === 0) {
            this.depth = 0;
            this.inString = false;
            return i;
          }
        }
      }
      if (!inString) {
        this.depth = depth;
        this.inString = false;
        return -1;
      }
    }
  }

  private closeArray(): void {
    this.phase = TAIL;
    this.depth = this.level;
    this.inString = false;
    this.scalar = false;
    if (this.level === 0) this.phase = DONE;
  }

  /** Walks the enclosing objects along the path until the array opens. */
  private seek(chunk: Buffer, i: number, n: number): number {
    while (i < n && this.phase === SEEK) {
      if (this.step === S_IN_KEY) {
        i = this.readKey(chunk, i, n);
        continue;
      }
      if (this.step === S_SKIP) {
        const end = this.scanValue(chunk, i, n);
        if (end < 0) return n;
        i = end;
        this.step = S_NEXT;
        continue;
      }
      i = skipWs(chunk, i, n);
      if (i >= n) return n;
      const c = chunk[i] as number;
      switch (this.step) {
        case S_ROOT:
          this.openRoot(chunk, i);
          break;
        case S_KEY_OR_CLOSE:
        case S_KEY:
          if (c === RBRACE && this.step === S_KEY_OR_CLOSE) throw this.notFound(i);
          if (c !== QUOTE) throw this.error(i, `expected a property name in double quotes, found ${show(c)}`);
          this.step = S_IN_KEY;
          this.keyPieces = [];
          this.keyBytes = 0;
          this.keyEscaped = false;
          break;
        case S_COLON:
          if (c !== COLON) throw this.error(i, `expected ':' after a property name, found ${show(c)}`);
          this.step = S_VALUE;
          break;
        case S_VALUE:
          if (this.keyMatches) {
            this.enterMatch(chunk, i);
            if (this.phase !== SEEK) return i + 1;
          } else {
            this.beginValue(chunk, i);
            this.step = S_SKIP;
            if (!this.scalar) i++;
            continue;
          }
          break;
        default:
          if (c === COMMA) this.step = S_KEY;
          else if (c === RBRACE) throw this.notFound(i);
          else throw this.error(i, `expected ',' or '}' after a property value, found ${show(c)}`);
      }
      i++;
    }
    return i;
  }

  private openRoot(chunk: Buffer, i: number): void {
    const c = chunk[i];
    if (this.keys.length === 0) {
      if (c === LBRACKET) {
        this.openArray(i);
        return;
      }
      const hint =
        c === LBRACE ? ' (the document is an object: give the path of its array, such as $.items)' : '';
      throw this.error(i, `expected the document to be an array, found ${show(c)}${hint}`);
    }
    if (c !== LBRACE)
      throw this.error(i, `expected an object at $ to reach ${formatJsonPath(this.keys)}, found ${show(c)}`);
    this.level = 1;
    this.step = S_KEY_OR_CLOSE;
  }

  private enterMatch(chunk: Buffer, i: number): void {
    const c = chunk[i];
    const here = formatJsonPath(this.keys.slice(0, this.level));
    if (this.level === this.keys.length) {
      if (c !== LBRACKET) throw this.error(i, `expected an array at ${here}, found ${show(c)}`);
      this.openArray(i);
      return;
    }
    if (c !== LBRACE) {
      throw this.error(
        i,
        `expected an object at ${here} to reach ${formatJsonPath(this.keys)}, found ${show(c)}`,
      );
    }
    if (++this.level > this.limits.maxDepth) throw this.depthError(i);
    this.step = S_KEY_OR_CLOSE;
    this.seenKeys = [];
  }

  private openArray(i: number): void {
    this.level = this.keys.length;
    this.phase = FIRST;
    this.arrayStart = this.offset + i;
  }

  private readKey(chunk: Buffer, i: number, n: number): number {
    const from = i;
    i += this.skip;
    this.skip = 0;
    while (i < n) {
      const c = chunk[i] as number;
      if (c === QUOTE) break;
      if (c === BACKSLASH) this.keyEscaped = true;
      i += c === BACKSLASH ? 2 : 1;
    }
    const to = Math.min(i, n);
    this.keyBytes += to - from;
    if (this.keyBytes > MAX_KEY_BYTES)
      throw this.error(i, `a property name is longer than ${formatBytes(MAX_KEY_BYTES)}`);
    this.keyPieces.push(Buffer.from(chunk.subarray(from, to)));
    if (i >= n) {
      this.skip = i - n;
      return n;
    }
    const raw = Buffer.concat(this.keyPieces).toString('utf8');
    const key = this.keyEscaped ? (JSON.parse(`"${raw}"`) as string) : raw;
    this.keyMatches = key === this.keys[this.level - 1];
    if (this.seenKeys.length < 20) this.seenKeys.push(key);
    this.step = S_COLON;
    return i + 1;
  }

  private notFound(i: number): JsonStreamError {
    const parent = formatJsonPath(this.keys.slice(0, this.level - 1));
    const seen = this.seenKeys.length ? ` (its keys include: ${this.seenKeys.join(', ')})` : ' (it is empty)';
    const at = this.offset + i;
    return new JsonStreamError(
      `no array at ${formatJsonPath(this.keys)}: the object at ${parent}, which ends at byte ${at}, has no key ` +
        `'${this.keys[this.level - 1]}'${seen}`,
      at,
    );
  }

  private depthError(i: number): JsonStreamError {
    return this.error(
      i,
      `nesting deeper than ${this.limits.maxDepth} levels; raise streaming.maxDepth (HEADROOM_STREAMING_MAX_DEPTH) if it is expected`,
    );
  }

  private error(i: number, message: string): JsonStreamError {
    const at = this.offset + i;
    return new JsonStreamError(`invalid JSON at byte ${at}: ${message}`, at);
  }
}

function skipWs(chunk: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = chunk[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

function isDelimiter(c: number): boolean {
  return (
    c === COMMA || c === RBRACKET || c === RBRACE || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
  );
}

function isScalarStart(c: number): boolean {
  return c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

function show(c: number | undefined): string {
  if (c === undefined) return 'end of input';
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Strings up to this long are walked byte by byte: shorter than a native indexOf call costs. */
const SHORT_STRING_BYTES = 16;

/**
 * The index of the closing quote of the string open at `i` when it lies within SHORT_STRING_BYTES
 * of `i` and inside the chunk; otherwise -1 (the caller goes on with stringEnd).
 */
function shortStringEnd(chunk: Buffer, i: number, n: number): number {
  const short = Math.min(n, i + SHORT_STRING_BYTES);
  while (i < short) {
    const c = chunk[i] as number;
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return -1;
}

/**
 * Where the string that is open at `i` ends: the index of its closing quote, or, when it goes on
 * past the chunk, `n` (or `n + 1` when the chunk ends inside an escape, whose second byte starts
 * the next chunk). Most strings of typical JSON are short keys and values, which a byte loop ends
 * sooner than a call into native code; past the first bytes, the quotes of a long string are found
 * with native indexOf, and a quote is escaped when an odd run of backslashes stands right before it
 * (the run cannot reach back past where the loop stopped, where no escape is open).
 */
function stringEnd(chunk: Buffer, i: number, n: number): number {
  const short = Math.min(n, i + SHORT_STRING_BYTES);
  while (i < short) {
    const c = chunk[i] as number;
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  if (i >= n) return i;
  for (;;) {
    const quote = chunk.indexOf(QUOTE, i);
    const stop = quote < 0 || quote >= n ? n : quote;
    let run = 0;
    while (stop - run - 1 >= i && chunk[stop - run - 1] === BACKSLASH) run++;
    if (stop === n) return run % 2 === 1 ? n + 1 : n;
    if (run % 2 === 0) return stop;
    i = stop + 1;
  }
}
