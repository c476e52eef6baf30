/**
 * A small direct-mapped cache of element ids. A store may keep ids as UTF-8 bytes and decode one
 * per call; a stream of a million elements and two million connections asks for five million ids,
 * most of them for the few elements that many connections share (edges, segments, route tables)
 * or for the element just emitted. A fixed number of slots keeps the cache's memory flat.
 */
import type { TopologyView } from '../model.js';

const SLOTS = 1 << 16;

export class IdCache {
  private readonly keys = new Int32Array(SLOTS).fill(-1);
  private readonly values: string[] = new Array<string>(SLOTS).fill('');

  constructor(private readonly view: TopologyView) {}

  id(element: number): string {
    const slot = element & (SLOTS - 1);
    if (this.keys[slot] === element) return this.values[slot] as string;
    const id = this.view.id(element);
    this.keys[slot] = element;
    this.values[slot] = id;
    return id;
  }
}
