/**
 * Compressed sparse rows: items grouped by a small integer key with one counting pass and one
 * placing pass, so group g is items[start[g]..start[g + 1]] with no array per group.
 */

export interface Csr {
  start: Uint32Array;
  items: Uint32Array;
}

/**
 * Items 0..count-1 grouped by keys[i], ascending within a group. Keys below `first` are left out
 * (code 0 = "none"), so group g is at start[g - first].
 */
export function groupBy(keys: ArrayLike<number>, count: number, groups: number, first = 0): Csr {
  const size = Math.max(0, groups - first);
  const start = new Uint32Array(size + 1);
  for (let i = 0; i < count; i++) {
    const key = keys[i]! - first;
    if (key >= 0) start[key + 1]!++;
  }
  for (let g = 0; g < size; g++) start[g + 1]! += start[g]!;
  const items = new Uint32Array(start[size]!);
  const next = start.slice(0, size);
  for (let i = 0; i < count; i++) {
    const key = keys[i]! - first;
    if (key >= 0) items[next[key]!++] = i;
  }
  return { start, items };
}
