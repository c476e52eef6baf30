/**
 * The generator's pen: hands records to the sink, counts them, and says when a batch is full so the
 * step generator can yield (to check the abort signal and let an async writer drain).
 *
 * Links and routes name their elements by reference (refs.ts). A sink that takes them by element
 * index (the TopologyBuilder: see `IndexedSink`) gets indexes, once every generated element is
 * known to be in it at the index the element pass implies; any other sink gets ids. Such a sink,
 * when empty, also gets the elements as new (`addNewElement`): generated ids are unique by
 * construction (a bijection of ordinals under a prefix per kind), so none needs a lookup first.
 */

import type { IndexedRouteRecord } from '../../builder.js';
import {
  CONNECTION_TYPES,
  type ConnectionType,
  type ElementRecord,
  type RouteOrigin,
  type RouteState,
  type TopologySink,
} from '../../model.js';
import type { Layout } from './layout.js';
import { ElementIndex } from './refs.js';

/** Connection type codes, so the hot path counts by index. */
export const LINK = Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, i])) as Record<
  ConnectionType,
  number
>;

/** A route with no target (a blackhole). */
export const NO_TARGET = -1;

/** The optional part of a sink that takes new elements, and connections and routes by element index. */
export interface IndexedSink extends TopologySink {
  readonly elementCount: number;
  addNewElement(element: ElementRecord): void;
  addConnectionByIndex(type: ConnectionType, source: number, target: number): void;
  addRouteByIndex(route: IndexedRouteRecord): void;
}

function isIndexed(sink: TopologySink): sink is IndexedSink {
  const s = sink as Partial<IndexedSink>;
  return (
    typeof s.elementCount === 'number' &&
    typeof s.addNewElement === 'function' &&
    typeof s.addConnectionByIndex === 'function' &&
    typeof s.addRouteByIndex === 'function'
  );
}

export class Out {
  elements = 0;
  connections = 0;
  routes = 0;
  // Connections per type code (the index in CONNECTION_TYPES): a typed array, as this is per record.
  private readonly counts = new Float64Array(CONNECTION_TYPES.length);
  private readonly sink: TopologySink;
  private readonly batch: number;
  private readonly layout: Layout;
  /** The sink's element count before the first element, when it takes links by index. */
  private readonly base: number;
  /** The sink, when it was empty and takes elements as new. */
  private readonly fresh: IndexedSink | undefined;
  private indexed: IndexedSink | undefined;
  private index: ElementIndex | undefined;
  private pauseAt: number;

  constructor(sink: TopologySink, batch: number, layout: Layout) {
    this.sink = sink;
    this.batch = batch;
    this.pauseAt = batch;
    this.layout = layout;
    this.base = isIndexed(sink) ? sink.elementCount : -1;
    this.fresh = this.base === 0 ? (sink as IndexedSink) : undefined;
  }

  get connectionsByType(): Record<ConnectionType, number> {
    return Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, this.counts[i]])) as Record<
      ConnectionType,
      number
    >;
  }

  /**
   * Called once every element is written: links go by index from here on if the sink takes them and
   * holds exactly the generated elements after its earlier ones (none was refused as a duplicate).
   */
  elementsDone(): void {
    const sink = this.sink;
    if (this.base >= 0 && isIndexed(sink) && sink.elementCount === this.base + this.elements) {
      this.indexed = sink;
      this.index = new ElementIndex(this.layout, this.base);
    }
  }

  /** Each of these returns true when a batch is full: the caller yields then. */
  element(record: ElementRecord): boolean {
    if (this.fresh !== undefined) this.fresh.addNewElement(record);
    else this.sink.addElement(record);
    return ++this.elements + this.connections + this.routes >= this.pauseAt && this.pause();
  }

  /** A connection of type code `code` between two element references. */
  link(code: number, source: number, target: number): boolean {
    const type = CONNECTION_TYPES[code] as ConnectionType;
    if (this.index !== undefined) this.linkByIndex(type, source, target);
    else
      this.sink.addConnection({ type, source: this.layout.idOf(source), target: this.layout.idOf(target) });
    this.counts[code] = (this.counts[code] as number) + 1;
    return this.elements + ++this.connections + this.routes >= this.pauseAt && this.pause();
  }

  private linkByIndex(type: ConnectionType, source: number, target: number): void {
    const index = this.index as ElementIndex;
    (this.sink as IndexedSink).addConnectionByIndex(type, index.of(source), index.of(target));
  }

  /** A route in the table `table` (a reference) to `target` (a reference, or NO_TARGET). */
  route(table: number, destination: string, target: number, state: RouteState, origin: RouteOrigin): boolean {
    if (this.indexed !== undefined && this.index !== undefined) {
      const at = this.index.of(table);
      this.indexed.addRouteByIndex(
        target === NO_TARGET
          ? { table: at, destination, state, origin }
          : { table: at, destination, target: this.index.of(target), state, origin },
      );
    } else {
      const l = this.layout;
      this.sink.addRoute(
        target === NO_TARGET
          ? { table: l.idOf(table), destination, state, origin }
          : { table: l.idOf(table), destination, target: l.idOf(target), state, origin },
      );
    }
    return this.elements + this.connections + ++this.routes >= this.pauseAt && this.pause();
  }

  private pause(): true {
    this.pauseAt += this.batch;
    return true;
  }
}
