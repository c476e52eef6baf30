/**
 * Element ids for connection records, kept in two small direct-mapped caches. A store may keep ids
 * as UTF-8 bytes and decode one per call; a stream of a million elements and two million
 * connections names five million ids. Most name one of two kinds of element:
 * - one emitted just before (a VPC, then its subnets): the `recent` slots, where every emitted
 *   element's id goes;
 * - a hub that many connections share (edges, segments, route tables): the `hub` slots, where an id
 *   goes only when its element has at least HUB_DEGREE connections, so the stream of one-off ends
 *   (an attachment's VPC) does not push the hubs out.
 * Recent slots are few on purpose: every id a cache holds stays alive, and at each young-generation
 * collection the live ids are copied (one cache of 65,536 slots for every id measured slower for
 * that alone). Hub slots are many, but only hubs take them: 10,000 route tables in 16,384 slots
 * still collided often enough to read 12 ids per table.
 * Which elements are hubs is worked out once per run into a bitmap (one bit per element, 125 KB at
 * a million): deciding it from the degree at each miss read two adjacency offsets far apart in
 * memory, and misses are the ids read from all over the store (an attachment's VPC).
 */
import type { ReadonlyCsr } from '../store/traversal.js';

const RECENT_SLOTS = 1 << 10;
const HUB_SLOTS = 1 << 16;
export const HUB_DEGREE = 8;

export class IdCache {
  private readonly recentKeys = new Int32Array(RECENT_SLOTS).fill(-1);
  private readonly recentIds: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private readonly hubKeys = new Int32Array(HUB_SLOTS).fill(-1);
  private readonly hubIds: string[] = new Array<string>(HUB_SLOTS).fill('');

  /** Bit e: element e has at least HUB_DEGREE connections, in and out. */
  private readonly hubs: Uint8Array;

  constructor(
    private readonly read: (element: number) => string,
    outgoing: ReadonlyCsr,
    incoming: ReadonlyCsr,
    elementCount: number,
  ) {
    this.hubs = hubBits(outgoing.start, incoming.start, elementCount);
  }

  /** The per-element state: the hub bitmap (the slots are a fixed ~800 KB whatever the size). */
  get stateBytes(): number {
    return this.hubs.byteLength;
  }

  id(element: number): string {
    const recent = element & (RECENT_SLOTS - 1);
    if (this.recentKeys[recent] === element) return this.recentIds[recent]!;
    const hub = element & (HUB_SLOTS - 1);
    if (this.hubKeys[hub] === element) return this.hubIds[hub]!;
    const id = this.read(element);
    if ((this.hubs[element >>> 3]! & (1 << (element & 7))) !== 0) {
      this.hubKeys[hub] = element;
      this.hubIds[hub] = id;
    } else {
      this.recentKeys[recent] = element;
      this.recentIds[recent] = id;
    }
    return id;
  }

  /** Keeps the id of an element just emitted: its followers' connections name it next. */
  remember(element: number, id: string): void {
    const recent = element & (RECENT_SLOTS - 1);
    this.recentKeys[recent] = element;
    this.recentIds[recent] = id;
  }
}

function hubBits(out: ArrayLike<number>, into: ArrayLike<number>, count: number): Uint8Array {
  const bits = new Uint8Array((count + 7) >>> 3);
  // Offsets into both lists up to element e; an element's degree is the step to the next.
  let before = count > 0 ? out[0]! + into[0]! : 0;
  for (let e = 0; e < count; e++) {
    const after = out[e + 1]! + into[e + 1]!;
    if (after - before >= HUB_DEGREE) bits[e >>> 3]! |= 1 << (e & 7);
    before = after;
  }
  return bits;
}
