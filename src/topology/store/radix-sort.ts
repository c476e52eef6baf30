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
