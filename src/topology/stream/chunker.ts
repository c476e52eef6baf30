/**
 * Cuts a topology into chunks of at most `chunkSize` records, following the plan. Every element is
 * emitted once (a per-element group number marks it), and every connection once, never before both
 * of its ends: a connection inside a group travels with the later of its two ends; one between
 * groups goes into the connections phase, or, when an end belongs to a group after that phase, with
 * that end. Connections are found through the view's adjacency, so the only per-element state is
 * one Uint32Array and the first chunk is ready at once.
 *
 * (Measured against an alternative that lays the whole stream out first in typed arrays and
 * bucket-sorts the connections: same throughput, six times the state and no chunk until the layout
 * is done; the cost is random access into the store either way.)
 */
import { TopologyError } from '../../errors.js';
import type { ConnectionRecord, ElementRecord, TopologyView } from '../model.js';
import { IdCache } from './id-cache.js';
import { CHUNK_TYPES, type ChunkType, CONNECTIONS, type ElementGroup, planGroups } from './plan.js';
import { connectionRecord, leanElement } from './records.js';

export interface TopologyChunk {
  id: string;
  type: ChunkType;
  elements: ElementRecord[];
  connections: ConnectionRecord[];
  metadata: { batchIndex: number; totalElements: number; region?: string; segment?: string };
  /** The chunk type's place in the stream order: 0 (global network) is the most important. */
  priority: number;
}

export class Chunker {
  private readonly view: TopologyView;
  private readonly chunkSize: number;
  /** 0 = not emitted yet; otherwise the number of the group it was emitted in. */
  private readonly groupOf: Uint32Array;
  private group = 0;
  private afterConnections = false;
  private current: { type: ChunkType; region?: string; segment?: string } = { type: 'global-network' };
  private elements: ElementRecord[] = [];
  private connections: ConnectionRecord[] = [];
  private batchIndex = 0;
  /**
   * Chunks filled while emitting one element: usually none or one; more only for an element with
   * more than `chunkSize` connections to elements already out, so what waits here is bounded by one
   * element's degree. (The plan puts a segment's own element before its attachments, so even a
   * segment of a million attachments is no such element.)
   */
  private readonly ready: TopologyChunk[] = [];
  private readonly ids: IdCache;

  constructor(view: TopologyView, chunkSize: number) {
    this.view = view;
    this.chunkSize = chunkSize;
    this.groupOf = new Uint32Array(view.elementCount);
    this.ids = new IdCache(view);
  }

  /** Bytes of per-run state (the group marks), for the summary. */
  get stateBytes(): number {
    return this.groupOf.byteLength;
  }

  *chunks(): Generator<TopologyChunk> {
    for (const step of planGroups(this.view)) {
      if (step === CONNECTIONS) {
        yield* this.crossGroupConnections();
        this.afterConnections = true;
      } else {
        yield* this.elementGroup(step);
      }
    }
  }

  private *elementGroup(group: ElementGroup): Generator<TopologyChunk> {
    this.group++;
    this.current = { type: group.type, region: group.region, segment: group.segment };
    const { view, groupOf, ready } = this;
    // Plain loops and a plain emit(): a generator per element would cost more than the records.
    if (group.sources === 'all') {
      for (let element = 0; element < view.elementCount; element++) {
        if (groupOf[element] !== 0 || !group.accept(element)) continue;
        this.emitWithFollowers(element, group.follow);
        if (ready.length > 0) yield* ready.splice(0);
      }
    } else {
      for (const source of group.sources) {
        for (let k = 0; k < source.length; k++) {
          const element = source[k] as number;
          if (groupOf[element] !== 0 || !group.accept(element)) continue;
          this.emitWithFollowers(element, group.follow);
          if (ready.length > 0) yield* ready.splice(0);
        }
      }
    }
    if (this.elements.length + this.connections.length > 0) yield this.flush();
  }

  private emitWithFollowers(element: number, follow: ElementGroup['follow']): void {
    this.emit(element);
    if (follow === 'none') return;
    const { view, groupOf } = this;
    const type = view.type(element);
    const parent = type === 'vpc' || type === 'transit-gateway';
    const attachment = type === 'connect-attachment' || type === 'dx-gateway-attachment';
    if (follow === 'children' ? !parent : !attachment) return;
    const child = type === 'vpc' ? 'subnet' : 'tgw-route-table';
    for (const connection of view.outgoing(element)) {
      const target = view.connectionTarget(connection);
      if (target < 0 || groupOf[target] !== 0) continue;
      const targetType = view.type(target);
      const link = view.connectionType(connection);
      const taken =
        follow === 'children'
          ? link === 'contains' && targetType === child
          : (link === 'connect-peer' && targetType === 'connect-peer') ||
            (link === 'attachment-of' && targetType === 'dx-gateway');
      if (taken) this.emit(target);
    }
  }

  private emit(element: number): void {
    const { view, groupOf } = this;
    groupOf[element] = this.group;
    this.elements.push(leanElement(view, this.ids, element));
    if (this.full()) this.ready.push(this.flush());
    for (const connection of view.outgoing(element)) {
      const target = view.connectionTarget(connection);
      // A self-loop is taken here, once, and skipped on the incoming side.
      if (target !== element && !this.otherEndReady(target)) continue;
      this.connections.push(connectionRecord(view, this.ids, connection, element, target));
      if (this.full()) this.ready.push(this.flush());
    }
    for (const connection of view.incoming(element)) {
      const source = view.connectionSource(connection);
      if (source === element || !this.otherEndReady(source)) continue;
      this.connections.push(connectionRecord(view, this.ids, connection, source, element));
      if (this.full()) this.ready.push(this.flush());
    }
  }

  private full(): boolean {
    return this.elements.length + this.connections.length >= this.chunkSize;
  }

  private otherEndReady(other: number): boolean {
    if (other < 0) return false;
    const mark = this.groupOf[other] as number;
    return this.afterConnections ? mark !== 0 : mark === this.group;
  }

  /**
   * Connections between groups whose ends are both out, in connection order. (Reading them per
   * source element instead looks up fewer ids but measured slower: one more adjacency view per
   * element.)
   */
  private *crossGroupConnections(): Generator<TopologyChunk> {
    const { view, groupOf, chunkSize } = this;
    this.current = { type: 'connections' };
    for (let connection = 0; connection < view.connectionCount; connection++) {
      const source = view.connectionSource(connection);
      const target = view.connectionTarget(connection);
      if (!(source >= 0 && source < view.elementCount && target >= 0 && target < view.elementCount)) {
        throw new TopologyError(
          'stream',
          `connection ${connection} (${view.connectionType(connection)}) has an end that is not an element of ` +
            'the topology; rebuild the topology from a snapshot whose connections name existing element ids.',
        );
      }
      const a = groupOf[source] as number;
      const b = groupOf[target] as number;
      if (a === 0 || b === 0 || a === b) continue;
      this.connections.push(connectionRecord(view, this.ids, connection, source, target));
      if (this.connections.length >= chunkSize) yield this.flush();
    }
    if (this.connections.length > 0) yield this.flush();
  }

  private flush(): TopologyChunk {
    const { type, region, segment } = this.current;
    const batchIndex = this.batchIndex++;
    const metadata: TopologyChunk['metadata'] = { batchIndex, totalElements: this.view.elementCount };
    if (region !== undefined) metadata.region = region;
    if (segment !== undefined) metadata.segment = segment;
    const where = region ?? segment;
    const chunk: TopologyChunk = {
      id: `${batchIndex}:${type}${where !== undefined ? `:${where}` : ''}`,
      type,
      elements: this.elements,
      connections: this.connections,
      metadata,
      priority: CHUNK_TYPES.indexOf(type),
    };
    this.elements = [];
    this.connections = [];
    return chunk;
  }
}
