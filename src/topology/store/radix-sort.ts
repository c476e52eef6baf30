/**
 * Stable LSD radix sort of item indexes by prefix (address words, then length), in 16-bit digits:
 * a few linear passes instead of a comparison sort with a callback per pair, which matters at a
 * million prefixes. Passes whose digit is the same for every item are skipped.
 */

/**
 * The indexes 0..count-1 ordered by address (`width` words per item in `words`, most significant
 * first) and then by `lengths`; items that compare equal keep their original order.
 */
export function sortPrefixes(
  words: Uint32Array,
  width: number,
  lengths: Uint8Array,
  count: number,
): Uint32Array {
  let order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let spare = new Uint32Array(count);
  const counts = new Uint32Array(65536);
  const passes: Array<[Uint8Array | Uint32Array, number, number, number]> = [[lengths, 1, 0, 0]];
  for (let w = width - 1; w >= 0; w--) passes.push([words, width, w, 0], [words, width, w, 16]);
  for (const [keys, stride, offset, shift] of passes) {
    if (pass(order, spare, count, keys, stride, offset, shift, counts)) [order, spare] = [spare, order];
  }
  return order;
}

/** One counting pass into `spare`; false (and nothing moved) when every item has the same digit. */
function pass(
  order: Uint32Array,
  spare: Uint32Array,
  count: number,
  keys: Uint8Array | Uint32Array,
  stride: number,
  offset: number,
  shift: number,
  counts: Uint32Array,
): boolean {
  counts.fill(0);
  for (let i = 0; i < count; i++) counts[(keys[order[i]! * stride + offset]! >>> shift) & 0xffff]!++;
  let total = 0;
  for (let digit = 0; digit < 65536; digit++) {
    const n = counts[digit]!;
    if (n === count) return false;
    counts[digit] = total;
    total += n;
  }
  for (let i = 0; i < count; i++) {
    const item = order[i]!;
    spare[counts[(keys[item * stride + offset]! >>> shift) & 0xffff]!++] = item;
  }
  return true;
}

/**
 * IPv4 entries (one word each) sorted by address and then length, stable, as new arrays. The words,
 * lengths and owners move with each pass instead of being looked up through an order array, so
 * every pass reads in sequence and only its writes go to scattered places: at a million prefixes,
 * reads that miss the cache stall and writes do not. The key, address then length, is 38 bits: two
 * passes of 19-bit digits (the low 13 address bits with the length, then the high 19) for a large
 * count, where 16-bit digits take three passes over every array.
 */
export function sortV4(
  words: Uint32Array,
  lengths: Uint8Array,
  owners: Uint32Array,
  count: number,
): { words: Uint32Array; lengths: Uint8Array; owners: Uint32Array } {
  let a = {
    words: words.slice(0, count),
    lengths: lengths.slice(0, count),
    owners: owners.slice(0, count),
  };
  let b = {
    words: new Uint32Array(count),
    lengths: new Uint8Array(count),
    owners: new Uint32Array(count),
  };
  // Small counts keep 16-bit digits (three passes): the count array of 19-bit ones costs more to clear.
  const digitBits = count >= LARGE ? 19 : 16;
  const lowMask = (1 << (digitBits - LENGTH_BITS)) - 1;
  const digitMask = (1 << digitBits) - 1;
  const counts = new Uint32Array(1 << digitBits);
  const keys = new Uint32Array(count);
  // Least significant first: the low address bits with the length, then the higher address bits.
  for (let shift = 0; shift < 32 + LENGTH_BITS; shift += digitBits) {
    if (shift === 0) {
      for (let i = 0; i < count; i++) keys[i] = ((a.words[i]! & lowMask) << LENGTH_BITS) | a.lengths[i]!;
    } else {
      for (let i = 0; i < count; i++) keys[i] = (a.words[i]! >>> (shift - LENGTH_BITS)) & digitMask;
    }
    if (!startsOf(keys, count, counts)) continue; // one digit for all: the order stands
    for (let i = 0; i < count; i++) {
      const at = counts[keys[i]!]!++;
      b.words[at] = a.words[i]!;
      b.lengths[at] = a.lengths[i]!;
      b.owners[at] = a.owners[i]!;
    }
    [a, b] = [b, a];
  }
  return a;
}

/** A v4 length (0..32) takes 6 bits of the key. */
const LENGTH_BITS = 6;
/** From this many entries, two passes of 19-bit digits. */
const LARGE = 1 << 17;

/** Turns `counts` into each key's first position; false when every key is the same (no pass needed). */
function startsOf(keys: Uint32Array, count: number, counts: Uint32Array): boolean {
  counts.fill(0);
  for (let i = 0; i < count; i++) counts[keys[i]!]!++;
  let total = 0;
  let moves = false;
  for (let key = 0; key < counts.length; key++) {
    const n = counts[key]!;
    if (n !== 0 && n !== count) moves = true;
    counts[key] = total;
    total += n;
  }
  return moves;
}
