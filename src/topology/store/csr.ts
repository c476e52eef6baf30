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
  if (!(keys instanceof Uint32Array)) return groupNarrow(keys, count, size, first);
  return groupWide(keys, count, size, first);
}

// groupWide and groupNarrow are one loop written twice so that each reads one kind of array: a
// load from an array of changing kinds in a loop of millions is several times slower.

function groupWide(keys: Uint32Array, count: number, size: number, first: number): Csr {
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

function groupNarrow(keys: ArrayLike<number>, count: number, size: number, first: number): Csr {
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
