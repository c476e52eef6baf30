/**
 * Strings packed as UTF-8 in one byte buffer with Uint32 offsets, optionally indexed by an
 * open-addressing hash table in an Int32Array. A million ids cost their bytes plus 5 bytes (offset
 * and terminator) and under 32 bytes of table each, where a `Map<string, number>` would hold a string
 * object, a hash entry and a number per id. Codes are dense and given in order of addition.
 *
 * A slot holds the code + 1 and the string's byte offset, and indexed strings end in a 0xFF byte
 * (never part of UTF-8): a lookup reads the slot and then the bytes, without the offsets array in
 * between. At a million ids each of those reads is a cache miss, and they are most of a lookup.
 */

import { Buffer } from 'node:buffer';
import { grow, trim } from './grow.js';

const encoder = new TextEncoder();

/** Writes `text` as UTF-8 at `at`; `bytes` must have room for 3 bytes per UTF-16 unit. Returns the end. */
export function writeUtf8(text: string, bytes: Uint8Array, at: number): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    // Ids and tags are nearly always ASCII; the encoder is only worth its call for the rest.
    if (c >= 0x80) return at + encoder.encodeInto(text, bytes.subarray(at)).written;
    bytes[at + i] = c;
  }
  return at + length;
}

/**
 * FNV-1a taken two bytes (or two ASCII chars) at a time, seeded with the length, then a murmur
 * finalizer so the low bits (the slot) depend on every byte. Pairs halve the multiply chain, which
 * is most of the cost of hashing a 21-character id.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function finish32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET ^ (end - start);
  let i = start;
  for (; i + 1 < end; i += 2) h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 16)), FNV_PRIME);
  if (i < end) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return finish32(h);
}

/** The same hash over an ASCII string's char codes (equal to its UTF-8 bytes), or -1 when it is not ASCII. */
function hashAscii(text: string): number {
  const length = text.length;
  let h = FNV_OFFSET ^ length;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const pair = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    if ((pair & 0xff80ff80) !== 0) return -1;
    h = Math.imul(h ^ pair, FNV_PRIME);
  }
  if (i < length) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return finish32(h);
}

export interface StringTableOptions {
  /** Keep a hash index so equal strings are found (ids, tag values); off for names. */
  indexed: boolean;
  expectedCount?: number;
  expectedBytes?: number;
}

/** Ends each indexed string, so a slot's offset alone tells where a stored string stops. */
const TERMINATOR = 0xff;

export class StringTable {
  private bytes: Uint8Array;
  /** String i is bytes[offsets[i]..offsets[i + 1] - gap]. */
  private offsets: Uint32Array;
  /** Pairs (code + 1, byte offset) per slot, code 0 for empty; a power of two of at least twice `count` slots. */
  private slots: Int32Array | undefined;
  /** 1 when strings end in a terminator (indexed tables), else 0. */
  private readonly gap: number;
  /** Where a non-ASCII lookup key is encoded; empty until one comes. */
  private scratch = new Uint8Array(0);
  private decoder: Buffer | undefined;
  count = 0;

  constructor(options: StringTableOptions) {
    const expected = Math.max(16, options.expectedCount ?? 0);
    this.offsets = new Uint32Array(expected + 1);
    this.bytes = new Uint8Array(Math.max(64, options.expectedBytes ?? expected * 16));
    this.gap = options.indexed ? 1 : 0;
    if (options.indexed) this.slots = new Int32Array(tableSize(expected) * 2);
  }

  /** Adds `text` and returns its code, or, when indexed and already present, `-1 - code` of the copy. */
  addUnique(text: string): number {
    const start = this.offsets[this.count]!;
    const room = start + text.length * 3 + 1;
    if (room > this.bytes.length) this.bytes = grow(this.bytes, room);
    const bytes = this.bytes;
    const slots = this.slots;
    if (slots === undefined) return this.commit(writeUtf8(text, bytes, start));
    let h = hashAscii(text);
    let end = start + text.length;
    if (h >= 0) for (let i = 0; i < text.length; i++) bytes[start + i] = text.charCodeAt(i);
    else {
      end = writeUtf8(text, bytes, start);
      h = hashBytes(bytes, start, end);
    }
    // Keeps the load at most one half: doubling the slot count (slots.length is twice the count).
    const table = (this.count + 1) * 4 > slots.length ? this.rehash(slots.length) : slots;
    const mask = (table.length >>> 1) - 1;
    let slot = h & mask;
    for (let probe = 0; probe <= mask; probe++) {
      const entry = table[slot * 2]!;
      if (entry === 0) break;
      if (this.storedEquals(table[slot * 2 + 1]! >>> 0, bytes, start, end)) return -entry;
      slot = (slot + 1) & mask;
    }
    table[slot * 2] = this.count + 1;
    table[slot * 2 + 1] = start;
    bytes[end] = TERMINATOR;
    return this.commit(end + 1);
  }

  /** The code of an equal string, adding it first if absent. */
  intern(text: string): number {
    const code = this.addUnique(text);
    return code < 0 ? -1 - code : code;
  }

  /** The code of `text`, or -1; needs an indexed table. */
  find(text: string): number {
    const slots = this.slots;
    if (slots === undefined || this.count === 0) return -1;
    const mask = (slots.length >>> 1) - 1;
    const ascii = hashAscii(text);
    let end = 0;
    if (ascii < 0) {
      if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
      end = writeUtf8(text, this.scratch, 0);
    }
    let slot = (ascii < 0 ? hashBytes(this.scratch, 0, end) : ascii) & mask;
    const bytes = this.bytes;
    for (let probe = 0; probe <= mask; probe++) {
      const entry = slots[slot * 2]!;
      if (entry === 0) return -1;
      const from = slots[slot * 2 + 1]! >>> 0;
      if (ascii < 0 ? this.storedEquals(from, this.scratch, 0, end) : storedEqualsAscii(bytes, from, text)) {
        return entry - 1;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  get(code: number): string {
    if (code < 0 || code >= this.count)
      throw new RangeError(`no string ${code} (the table holds ${this.count})`);
    if (this.decoder === undefined || this.decoder.buffer !== this.bytes.buffer) {
      this.decoder = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    }
    return this.decoder.toString('utf8', this.offsets[code]!, this.offsets[code + 1]! - this.gap);
  }

  /** UTF-8 length of string `code`. */
  byteLengthOf(code: number): number {
    return this.offsets[code + 1]! - this.gap - this.offsets[code]!;
  }

  /** Drops spare capacity once no more strings will be added. */
  finish(): void {
    this.bytes = trim(this.bytes, this.offsets[this.count]!);
    this.offsets = trim(this.offsets, this.count + 1);
    this.decoder = undefined;
    if (this.slots !== undefined && this.slots.length > tableSize(this.count) * 2) {
      this.rehash(tableSize(this.count));
    }
  }

  /** Bytes of the buffer, the offsets, the hash table and the lookup scratch. */
  byteSize(): number {
    return (
      this.bytes.byteLength +
      this.offsets.byteLength +
      (this.slots?.byteLength ?? 0) +
      this.scratch.byteLength
    );
  }

  private commit(next: number): number {
    if (this.count + 2 > this.offsets.length) this.offsets = grow(this.offsets, this.count + 2);
    this.offsets[++this.count] = next;
    return this.count - 1;
  }

  /** A new table of `size` slots (a power of two), every string placed again. */
  private rehash(size: number): Int32Array {
    const slots = new Int32Array(size * 2);
    const mask = size - 1;
    for (let code = 0; code < this.count; code++) {
      const from = this.offsets[code]!;
      let slot = hashBytes(this.bytes, from, this.offsets[code + 1]! - 1) & mask;
      for (let probe = 0; probe < size && slots[slot * 2] !== 0; probe++) slot = (slot + 1) & mask;
      slots[slot * 2] = code + 1;
      slots[slot * 2 + 1] = from;
    }
    this.slots = slots;
    return slots;
  }

  /** Whether the stored string at byte `from` equals other[start..end]. */
  private storedEquals(from: number, other: Uint8Array, start: number, end: number): boolean {
    const bytes = this.bytes;
    const length = end - start;
    // The terminator right after `length` bytes, or the stored string is longer or shorter.
    if (bytes[from + length] !== TERMINATOR) return false;
    // From the end: ids of one kind share their start (`subnet-0`) and differ in the last digits.
    for (let i = length - 1; i >= 0; i--) if (bytes[from + i] !== other[start + i]) return false;
    return true;
  }
}

/** Whether the stored string at byte `from` equals an ASCII `text`. */
function storedEqualsAscii(bytes: Uint8Array, from: number, text: string): boolean {
  if (bytes[from + text.length] !== TERMINATOR) return false;
  for (let i = text.length - 1; i >= 0; i--) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The smallest power of two at least twice `count`: linear probing stays short at half load. */
function tableSize(count: number): number {
  let size = 16;
  while (size < count * 2) size *= 2;
  return size;
}
