/**
 * A small direct-mapped cache of ids resolved to element indexes. Connection ends repeat a lot (every
 * attachment names the edge of its region and its segment; an element's connections come together),
 * and a hit costs a string compare (a pointer compare when the source reuses the string) instead of
 * hashing the id and reading the id table, which is two or three cache misses at a million elements.
 */

const SIZE = 256;

export class RecentIds {
  private readonly ids: string[] = new Array<string>(SIZE).fill('');
  private readonly indexes = new Int32Array(SIZE);

  /** The index cached for `id`, or -1. */
  get(id: string): number {
    const slot = slotOf(id);
    return this.ids[slot] === id ? this.indexes[slot]! : -1;
  }

  set(id: string, index: number): void {
    const slot = slotOf(id);
    this.ids[slot] = id;
    this.indexes[slot] = index;
  }
}

/** From the length and the last two characters, where generated and AWS ids differ. */
function slotOf(id: string): number {
  const n = id.length;
  return (n * 31 + id.charCodeAt(n - 1) * 7 + (n > 1 ? id.charCodeAt(n - 2) : 0)) & (SIZE - 1);
}
