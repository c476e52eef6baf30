/**
 * The links of the current chunk group that wait for their target: connections from elements
 * already out in the group to elements not out anywhere yet, by target. When a target comes out,
 * the connections it must bring from its own group are exactly these, so the chunker takes them
 * from here instead of reading the source of every incoming connection: at a million elements
 * that was three cache misses per incoming link (and an edge, a segment or a route table has
 * thousands, nearly all from later groups), where a look-up here stays in a table of the group's
 * waiting links.
 *
 * An open-addressing table of targets (slots of a past group are told apart by a stamp, so a new
 * group costs nothing), each slot with a list of its connections. At most MAX_LINKS links: past
 * that the table is given up for the rest of the group (`complete` turns false) and the chunker
 * reads sources again, so memory stays bounded on any data.
 */

/** Most links held: 64Ki links and at most 128Ki slots, about 2 MiB in all. */
export const MAX_LINKS = 1 << 16;
const FIRST_SLOTS = 1 << 10;

export class PendingLinks {
  private targets = new Int32Array(FIRST_SLOTS);
  /** A slot is in use when its stamp is the current group's. */
  private stamps = new Uint32Array(FIRST_SLOTS);
  /** The slot's latest link, or -1 once its target has taken them. */
  private heads = new Int32Array(FIRST_SLOTS);
  private links = new Uint32Array(FIRST_SLOTS);
  /** The link added before this one for the same target, or -1. */
  private next = new Int32Array(FIRST_SLOTS);
  /** What the last take() found: see take. */
  taken = new Uint32Array(16);
  private linkCount = 0;
  private slotsUsed = 0;
  private stamp = 1;
  private overflow = false;

  /** False once a link was left out: then the table must not be asked. */
  get complete(): boolean {
    return !this.overflow;
  }

  /** Forgets everything: a new group begins. */
  reset(): void {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    this.linkCount = 0;
    this.slotsUsed = 0;
    this.overflow = false;
  }

  add(target: number, connection: number): void {
    if (this.overflow) return;
    if (this.linkCount === MAX_LINKS) {
      this.overflow = true;
      return;
    }
    if (this.linkCount === this.links.length) {
      this.links = grown(this.links, this.links.length * 2);
      this.next = grown(this.next, this.next.length * 2);
    }
    let slot = this.find(target);
    if (slot < 0) {
      if ((this.slotsUsed + 1) * 2 > this.targets.length) this.rehash(this.targets.length * 2);
      slot = this.claim(target);
    }
    const link = this.linkCount++;
    this.links[link] = connection;
    this.next[link] = this.heads[slot]!;
    this.heads[slot] = link;
  }

  /**
   * Drops the target's waiting connections and puts them in `taken[0..n)` in ascending order,
   * returning n. (A typed buffer rather than a caller's array: emptying an array again for each of
   * a million elements was a runtime call each time.)
   */
  take(target: number): number {
    const slot = this.find(target);
    if (slot < 0) return 0;
    let taken = this.taken;
    let n = 0;
    for (let link = this.heads[slot]!; link >= 0; link = this.next[link]!) {
      if (n === taken.length) taken = this.taken = grown(taken, n * 2);
      taken[n++] = this.links[link]!;
    }
    this.heads[slot] = -1;
    if (n > 1) taken.subarray(0, n).sort();
    return n;
  }

  private find(target: number): number {
    const { targets, stamps, stamp } = this;
    const mask = targets.length - 1;
    for (let slot = hash(target) & mask; ; slot = (slot + 1) & mask) {
      if (stamps[slot] !== stamp) return -1;
      if (targets[slot] === target) return slot;
    }
  }

  private claim(target: number): number {
    const { targets, stamps, stamp } = this;
    const mask = targets.length - 1;
    let slot = hash(target) & mask;
    while (stamps[slot] === stamp) slot = (slot + 1) & mask;
    stamps[slot] = stamp;
    targets[slot] = target;
    this.heads[slot] = -1;
    this.slotsUsed++;
    return slot;
  }

  private rehash(size: number): void {
    const { targets, stamps, heads, stamp } = this;
    this.targets = new Int32Array(size);
    this.stamps = new Uint32Array(size);
    this.heads = new Int32Array(size);
    this.slotsUsed = 0;
    for (let old = 0; old < targets.length; old++) {
      if (stamps[old] !== stamp) continue;
      const slot = this.claim(targets[old]!);
      this.heads[slot] = heads[old]!;
    }
  }
}

/** Element indexes of one group are often close together: mixed so they spread over the slots. */
function hash(target: number): number {
  const h = Math.imul(target, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function grown<T extends Uint32Array | Int32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (length: number) => T)(size);
  next.set(array);
  return next;
}
