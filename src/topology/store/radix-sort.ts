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
 * reads that miss the cache stall and writes do not.
 */
export function sortV4(
  words: Uint32Array,
  lengths: Uint8Array,
  owners: Uint32Array,
  count: number,
): { words: Uint32Array; lengths: Uint8Array; owners: Uint32Array } {
  const from = {
    words: words.slice(0, count),
    lengths: lengths.slice(0, count),
    owners: owners.slice(0, count),
  };
  const to = {
    words: new Uint32Array(count),
    lengths: new Uint8Array(count),
    owners: new Uint32Array(count),
  };
  const counts = new Uint32Array(65536);
  // Least significant first: the length, then the low and the high half of the address.
  let a = from;
  let b = to;
  for (let digit = 0; digit < 3; digit++) {
    const keys = digit === 0 ? lengthKeys(a.lengths, count) : halfKeys(a.words, count, digit === 1 ? 0 : 16);
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

function lengthKeys(lengths: Uint8Array, count: number): Uint8Array | Uint16Array {
  return lengths.subarray(0, count);
}

/** The 16-bit half of each word at `shift`, in a scratch array. */
function halfKeys(words: Uint32Array, count: number, shift: number): Uint16Array {
  const keys = new Uint16Array(count);
  for (let i = 0; i < count; i++) keys[i] = words[i]! >>> shift;
  return keys;
}

/** Turns `counts` into each key's first position; false when every key is the same (no pass needed). */
function startsOf(keys: Uint8Array | Uint16Array, count: number, counts: Uint32Array): boolean {
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
