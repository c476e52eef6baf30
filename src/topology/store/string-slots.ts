/**
 * The hash table of an indexed StringTable: open addressing with linear probing in an Int32Array,
 * SLOT Int32s per slot (the code + 1, 0 for empty; the string's byte offset; its hash). Indexed
 * strings end in a TERMINATOR byte, so a slot's offset alone tells where a stored string stops.
 *
 * Besides one string at a time, strings can be placed in batches (`placeBatch`). At a million
 * strings the table is tens of megabytes and reading a random slot is a cache miss (and a TLB miss):
 * one at a time, each stalls the processor. A small batch first reads every home slot in a loop
 * whose reads do not wait for each other, so their misses overlap; a large one is placed in the
 * order of its home slots, so the table is swept from start to end instead of hit at random.
 */

/** Int32s per slot: the code + 1 (0 for an empty slot), the string's byte offset, its hash. */
export const SLOT = 3;

/** Ends each indexed string; never part of UTF-8. */
export const TERMINATOR = 0xff;

/** The smallest power of two at least twice `count`: linear probing stays short at half load. */
export function tableSize(count: number): number {
  let size = 16;
  while (size < count * 2) size *= 2;
  return size;
}

/** Whether the stored string at bytes[from] equals other[start..end]. */
export function storedEquals(
  bytes: Uint8Array,
  from: number,
  other: Uint8Array,
  start: number,
  end: number,
): boolean {
  const length = end - start;
  // The terminator right after `length` bytes, or the stored string is longer or shorter.
  if (bytes[from + length] !== TERMINATOR) return false;
  // From the end: ids of one kind share their start (`subnet-0`) and differ in the last digits.
  for (let i = length - 1; i >= 0; i--) if (bytes[from + i] !== other[start + i]) return false;
  return true;
}

/** Whether the stored string at bytes[from] equals an ASCII `text`. */
export function storedEqualsAscii(bytes: Uint8Array, from: number, text: string): boolean {
  if (bytes[from + text.length] !== TERMINATOR) return false;
  for (let i = text.length - 1; i >= 0; i--) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Batches at least this large are placed in slot order. */
const SWEEP_FROM = 4096;
/** 256 slot-order buckets: the sort writes to few places at once, and a bucket of the table fits in cache. */
const BUCKET_BITS = 8;

/**
 * Places the strings of codes first..first + count - 1, of hashes hashes[0..count - 1], in `slots`,
 * which must have a free slot for each (string i is bytes[offsets[i]..offsets[i + 1] - 1]). A string
 * equal to one already placed is not placed: its code and the earlier one's go to `repeats`, in
 * pairs. Returns a value of the reads that only bring slots into cache, for the caller to keep so
 * that the compiler cannot drop them.
 */
export function placeBatch(
  slots: Int32Array,
  hashes: Int32Array,
  first: number,
  count: number,
  offsets: Uint32Array,
  bytes: Uint8Array,
  repeats: number[],
): number {
  const mask = slots.length / SLOT - 1;
  let touched = 0;
  if (count < SWEEP_FROM || mask < 1 << BUCKET_BITS) {
    for (let k = 0; k < count; k++) touched |= slots[(hashes[k]! & mask) * SLOT]!;
    for (let k = 0; k < count; k++) {
      place(slots, mask, hashes[k]!, first + k, offsets[first + k]!, offsets, bytes, repeats);
    }
    return touched;
  }
  // A stable counting sort of the batch by the top bits of its home slots, carrying each string's
  // hash, code and offset along (read in sequence here, written to scattered places), so that the
  // placing loop reads in sequence and writes to one small part of the table after another.
  const shift = 31 - Math.clz32(mask + 1) - BUCKET_BITS;
  const starts = new Int32Array((1 << BUCKET_BITS) + 1);
  for (let k = 0; k < count; k++) starts[((hashes[k]! & mask) >>> shift) + 1]!++;
  for (let b = 0; b < 1 << BUCKET_BITS; b++) starts[b + 1]! += starts[b]!;
  const sorted = new Int32Array(count * 3);
  for (let k = 0; k < count; k++) {
    const h = hashes[k]!;
    const at = starts[(h & mask) >>> shift]!++ * 3;
    sorted[at] = h;
    sorted[at + 1] = first + k;
    sorted[at + 2] = offsets[first + k]!;
  }
  for (let j = 0; j < count * 3; j += 3) {
    place(slots, mask, sorted[j]!, sorted[j + 1]!, sorted[j + 2]!, offsets, bytes, repeats);
  }
  return touched;
}

/** Places string `code` (of hash `h`, at byte `from`) at its home slot or the first free one after it. */
function place(
  slots: Int32Array,
  mask: number,
  h: number,
  code: number,
  from: number,
  offsets: Uint32Array,
  bytes: Uint8Array,
  repeats: number[],
): void {
  let slot = h & mask;
  for (let probe = 0; probe <= mask; probe++) {
    const at = slot * SLOT;
    const entry = slots[at]!;
    if (entry === 0) break;
    const same = slots[at + 2] === h;
    if (same && storedEquals(bytes, slots[at + 1]! >>> 0, bytes, from >>> 0, offsets[code + 1]! - 1)) {
      // Equal strings share a home slot and a batch places them in code order: this is the later.
      repeats.push(code, entry - 1);
      return;
    }
    slot = (slot + 1) & mask;
  }
  const at = slot * SLOT;
  slots[at] = code + 1;
  slots[at + 1] = from;
  slots[at + 2] = h;
}
