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
 */

const RECENT_SLOTS = 1 << 10;
const HUB_SLOTS = 1 << 16;
export const HUB_DEGREE = 8;

export class IdCache {
  private readonly recentKeys = new Int32Array(RECENT_SLOTS).fill(-1);
  private readonly recentIds: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private readonly hubKeys = new Int32Array(HUB_SLOTS).fill(-1);
  private readonly hubIds: string[] = new Array<string>(HUB_SLOTS).fill('');

  /** `degree(e)`: how many connections element e has, in and out. */
  constructor(
    private readonly read: (element: number) => string,
    private readonly degree: (element: number) => number,
  ) {}

  id(element: number): string {
    const recent = element & (RECENT_SLOTS - 1);
    if (this.recentKeys[recent] === element) return this.recentIds[recent]!;
    const hub = element & (HUB_SLOTS - 1);
    if (this.hubKeys[hub] === element) return this.hubIds[hub]!;
    const id = this.read(element);
    if (this.degree(element) >= HUB_DEGREE) {
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
