/**
 * The generator's pen: hands records to the sink, counts them, and says when a batch is full so the
 * step generator can yield (to check the abort signal and let an async writer drain).
 */

import {
  CONNECTION_TYPES,
  type ConnectionType,
  type ElementRecord,
  type RouteRecord,
  type TopologySink,
} from '../../model.js';

/** Connection type codes, so the hot path counts by index. */
export const LINK = Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, i])) as Record<
  ConnectionType,
  number
>;

export class Out {
  elements = 0;
  connections = 0;
  routes = 0;
  // Connections per type code (the index in CONNECTION_TYPES): a typed array, as this is per record.
  private readonly counts = new Float64Array(CONNECTION_TYPES.length);
  private readonly sink: TopologySink;
  private readonly batch: number;
  private pauseAt: number;

  constructor(sink: TopologySink, batch: number) {
    this.sink = sink;
    this.batch = batch;
    this.pauseAt = batch;
  }

  get connectionsByType(): Record<ConnectionType, number> {
    return Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, this.counts[i]])) as Record<
      ConnectionType,
      number
    >;
  }

  /** Each of these returns true when a batch is full: the caller yields then. */
  element(record: ElementRecord): boolean {
    this.sink.addElement(record);
    return ++this.elements + this.connections + this.routes >= this.pauseAt && this.pause();
  }

  link(code: number, source: string, target: string): boolean {
    this.sink.addConnection({ type: CONNECTION_TYPES[code] as ConnectionType, source, target });
    this.counts[code] = (this.counts[code] as number) + 1;
    return this.elements + ++this.connections + this.routes >= this.pauseAt && this.pause();
  }

  route(record: RouteRecord): boolean {
    this.sink.addRoute(record);
    return this.elements + this.connections + ++this.routes >= this.pauseAt && this.pause();
  }

  private pause(): true {
    this.pauseAt += this.batch;
    return true;
  }
}
