/**
 * Strings packed as UTF-8 in one byte buffer with Uint32 offsets, optionally indexed by an
 * open-addressing hash table in an Int32Array. A million ids cost their bytes plus 5 bytes (offset
 * and terminator) and under 48 bytes of table each, where a `Map<string, number>` would hold a string
 * object, a hash entry and a number per id. Codes are dense and given in order of addition.
 *
 * A slot holds the code + 1, the string's byte offset and its hash (string-slots.ts). At a million
 * ids every read of a slot and of a stored string is a cache miss, and they are most of the cost of
 * a lookup: the hash in the slot means a probe reads stored bytes only when the hashes agree (about
 * once per successful lookup, almost never for an insert), and the offset in the slot means the
 * offsets array is not read in between. Strings known to be new (`addNew`) skip the probe and are
 * indexed together when the index is next needed, which costs far less than one at a time.
 */

import { Buffer } from 'node:buffer';
import { grow, trim } from './grow.js';
import {
  copyAscii,
  copyAsciiBytes,
  copyAsciiBytesUnhashed,
  hashAscii,
  hashBytes,
  latin1ToUtf8,
  writeUtf8,
} from './string-hash.js';
import { placeBatch, SLOT, storedEquals, storedEqualsAscii, TERMINATOR, tableSize } from './string-slots.js';

export interface StringTableOptions {
  /** Keep a hash index so equal strings are found (ids, tag values); off for names. */
  indexed: boolean;
  expectedCount?: number;
  expectedBytes?: number;
}

export class StringTable {
  // `bytes`, `offsets` and `gap` are read by name by text-reader.ts: keep their names and meaning.
  private bytes: Uint8Array;
  /** String i is bytes[offsets[i]..offsets[i + 1] - gap]. */
  private offsets: Uint32Array;
  /** SLOT Int32s per slot; a power of two of at least twice `count` slots. */
  private slots: Int32Array | undefined;
  /** 1 when strings end in a terminator (indexed tables), else 0. */
  private readonly gap: number;
  /** Where a non-ASCII lookup key is encoded; empty until one comes. */
  private scratch = new Uint8Array(0);
  /**
   * Hashes of the last `waiting` strings, added by `addNew` and not yet in `slots`: they wait until
   * a lookup or `finish` needs the index, and are then placed together (string-slots.ts).
   */
  private waitingHashes: Int32Array | undefined;
  private waiting = 0;
  private touched = 0;
  /**
   * Strings from `addNew` that were not new after all, as pairs (its code, the earlier equal
   * string's code); they are left out of the index. The caller promised this stays empty.
   */
  readonly repeats: number[] = [];
  private decoder: Buffer | undefined;
  /** Set by the first string that is not all ASCII (each add path finds out as it copies). */
  private nonAscii = false;
  count = 0;

  constructor(options: StringTableOptions) {
    const expected = Math.max(16, options.expectedCount ?? 0);
    this.offsets = new Uint32Array(expected + 1);
    this.bytes = new Uint8Array(Math.max(64, options.expectedBytes ?? expected * 16));
    this.gap = options.indexed ? 1 : 0;
    if (options.indexed) this.slots = new Int32Array(tableSize(expected) * SLOT);
  }

  /** Adds `text` and returns its code, or, when indexed and already present, `-1 - code` of the copy. */
  addUnique(text: string): number {
    const start = this.offsets[this.count]!;
    const room = start + text.length * 3 + 1;
    if (room > this.bytes.length) this.bytes = grow(this.bytes, room);
    const bytes = this.bytes;
    const slots = this.slots;
    if (slots === undefined) {
      const end = writeUtf8(text, bytes, start);
      if (end - start !== text.length) this.nonAscii = true;
      return this.commit(end);
    }
    if (this.waiting > 0) this.placeWaiting();
    let h = copyAscii(text, bytes, start);
    let end = start + text.length;
    if (h < 0) {
      end = writeUtf8(text, bytes, start);
      h = hashBytes(bytes, start, end);
      this.nonAscii = true;
    }
    // Keeps the load at most one half, doubling the slot count.
    const table = (this.count + 1) * 2 * SLOT > slots.length ? this.rehash((slots.length / SLOT) * 2) : slots;
    const mask = table.length / SLOT - 1;
    let slot = h & mask;
    for (let probe = 0; probe <= mask; probe++) {
      const at = slot * SLOT;
      const entry = table[at]!;
      if (entry === 0) break;
      if (table[at + 2] === h && storedEquals(bytes, table[at + 1]! >>> 0, bytes, start, end)) return -entry;
      slot = (slot + 1) & mask;
    }
    const at = slot * SLOT;
    table[at] = this.count + 1;
    table[at + 1] = start;
    table[at + 2] = h;
    bytes[end] = TERMINATOR;
    return this.commit(end + 1);
  }

  /**
   * Adds a string the caller knows is not in the table yet (a source whose ids are unique by
   * construction) and returns its code. It is indexed later, with all others added so, when a
   * lookup, `addUnique` or `finish` first needs the index: cheaper than one at a time. Should it
   * equal an earlier string after all, the pair goes to `repeats` and only the earlier is indexed.
   */
  addNew(text: string): number {
    const slots = this.slots;
    if (slots === undefined) return this.addUnique(text);
    const start = this.offsets[this.count]!;
    const room = start + text.length * 3 + 1;
    if (room > this.bytes.length) this.bytes = grow(this.bytes, room);
    const bytes = this.bytes;
    let h = copyAscii(text, bytes, start);
    let end = start + text.length;
    if (h < 0) {
      end = writeUtf8(text, bytes, start);
      h = hashBytes(bytes, start, end);
      this.nonAscii = true;
    }
    return this.queueNew(h, end);
  }

  /**
   * `addNew` for text given as latin1 bytes, src[0..length) (generated ids and names are ASCII, whose
   * bytes are their UTF-8): no string is made or read. In a table without an index it simply appends.
   */
  addNewLatin1(src: Uint8Array, length: number): number {
    const start = this.offsets[this.count]!;
    if (start + 2 * length + 1 > this.bytes.length) this.bytes = grow(this.bytes, start + 2 * length + 1);
    if (this.slots === undefined) {
      const ascii = copyAsciiBytesUnhashed(src, length, this.bytes, start);
      if (!ascii) this.nonAscii = true;
      return this.commit(ascii ? start + length : latin1ToUtf8(src, length, this.bytes, start));
    }
    let h = copyAsciiBytes(src, length, this.bytes, start);
    let end = start + length;
    if (h < 0) {
      end = latin1ToUtf8(src, length, this.bytes, start);
      h = hashBytes(this.bytes, start, end);
      this.nonAscii = true;
    }
    return this.queueNew(h, end);
  }

  /** Ends the indexed string just written at bytes[..end) of hash `h`, to be placed with the waiting ones. */
  private queueNew(h: number, end: number): number {
    if ((this.count + 1) * 2 * SLOT > this.slots!.length) this.rehash((this.slots!.length / SLOT) * 2);
    this.bytes[end] = TERMINATOR;
    const code = this.commit(end + 1);
    let waiting = this.waitingHashes ?? new Int32Array(256);
    if (this.waiting === waiting.length) waiting = grow(waiting, this.waiting + 1);
    this.waitingHashes = waiting;
    waiting[this.waiting++] = h;
    return code;
  }

  /** The code of an equal string, adding it first if absent. */
  intern(text: string): number {
    const code = this.addUnique(text);
    return code < 0 ? -1 - code : code;
  }

  /** The code of `text`, or -1; needs an indexed table. */
  find(text: string): number {
    if (this.waiting > 0) this.placeWaiting();
    const slots = this.slots;
    if (slots === undefined || this.count === 0) return -1;
    const mask = slots.length / SLOT - 1;
    const bytes = this.bytes;
    const h = hashAscii(text);
    if (h < 0) return this.findEncoded(text);
    let slot = h & mask;
    for (let probe = 0; probe <= mask; probe++) {
      const at = slot * SLOT;
      const entry = slots[at]!;
      if (entry === 0) return -1;
      if (slots[at + 2] === h && storedEqualsAscii(bytes, slots[at + 1]! >>> 0, text)) return entry - 1;
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

  /** Every string is ASCII, so each byte is one character (text-reader.ts then decodes as latin1). */
  get ascii(): boolean {
    return !this.nonAscii;
  }

  /** UTF-8 length of string `code`. */
  byteLengthOf(code: number): number {
    return this.offsets[code + 1]! - this.gap - this.offsets[code]!;
  }

  /** Drops spare capacity once no more strings will be added. */
  finish(): void {
    if (this.waiting > 0) this.placeWaiting();
    this.waitingHashes = undefined;
    this.bytes = trim(this.bytes, this.offsets[this.count]!);
    this.offsets = trim(this.offsets, this.count + 1);
    this.decoder = undefined;
    if (this.slots !== undefined && this.slots.length > tableSize(this.count) * SLOT) {
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

  /** `find` for a key that is not ASCII: encoded to UTF-8 first, then hashed and compared as bytes. */
  private findEncoded(text: string): number {
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const end = writeUtf8(text, this.scratch, 0);
    return this.findBytes(hashBytes(this.scratch, 0, end), this.scratch, 0, end);
  }

  /** The code of the string other[start..end] of hash `h`, or -1. */
  private findBytes(h: number, other: Uint8Array, start: number, end: number): number {
    if (this.waiting > 0) this.placeWaiting();
    const slots = this.slots!;
    const mask = slots.length / SLOT - 1;
    let slot = h & mask;
    for (let probe = 0; probe <= mask; probe++) {
      const at = slot * SLOT;
      const entry = slots[at]!;
      if (entry === 0) return -1;
      if (slots[at + 2] === h && storedEquals(this.bytes, slots[at + 1]! >>> 0, other, start, end))
        return entry - 1;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** Places the strings from `addNew` that wait (the last `waiting` codes). */
  private placeWaiting(): void {
    const first = this.count - this.waiting;
    const hashes = this.waitingHashes!;
    this.touched ^= placeBatch(
      this.slots!,
      hashes,
      first,
      this.waiting,
      this.offsets,
      this.bytes,
      this.repeats,
    );
    this.waiting = 0;
  }

  private commit(next: number): number {
    if (this.count + 2 > this.offsets.length) this.offsets = grow(this.offsets, this.count + 2);
    this.offsets[++this.count] = next;
    return this.count - 1;
  }

  /** A new table of `size` slots (a power of two), every string placed again by its kept hash. */
  private rehash(size: number): Int32Array {
    if (this.waiting > 0) this.placeWaiting();
    const old = this.slots!;
    const slots = new Int32Array(size * SLOT);
    const mask = size - 1;
    for (let from = 0; from < old.length; from += SLOT) {
      if (old[from] === 0) continue;
      const h = old[from + 2]!;
      let slot = h & mask;
      for (let probe = 0; probe < size && slots[slot * SLOT] !== 0; probe++) slot = (slot + 1) & mask;
      const at = slot * SLOT;
      slots[at] = old[from]!;
      slots[at + 1] = old[from + 1]!;
      slots[at + 2] = h;
    }
    this.slots = slots;
    return slots;
  }
}
