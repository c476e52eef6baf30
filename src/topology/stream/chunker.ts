/**
 * Cuts a topology into chunks of at most `chunkSize` records, following the plan. Every element is
 * emitted once (a per-element group number marks it), and every connection once, never before both
 * of its ends: a connection inside a group travels with the later of its two ends; one between
 * groups goes into the connections phase, or, when an end belongs to a group after that phase, with
 * that end. Connections are found through the adjacency, so with the store the only per-element
 * state is one Uint32Array and the first chunk is ready at once (any other view has its columns
 * copied first: see source.ts).
 *
 * The walk reads the columns directly, no call per step. At a million elements its cost is the
 * random access into the store that the stream order implies (a source may interleave regions and
 * segments, which the stream groups; the generator writes in stream order, which halves the VPC and
 * segment phases, but a VPC and its attachment then sit apart), so every load that can be avoided
 * is: an element's links from its own group are taken from the group's pending links (pending.ts) rather than by reading the
 * source of each incoming connection, and element records read their fields only when asked
 * (store/stored-element.ts). (Measured against an alternative that lays the whole stream out first
 * in typed arrays and bucket-sorts the connections: same throughput, six times the state and no
 * chunk until the layout is done.)
 */
import { TopologyError } from '../../errors.js';
import {
  CONNECTION_TYPES,
  type ConnectionRecord,
  type ConnectionType,
  ELEMENT_TYPES,
  type ElementRecord,
  type TopologyView,
} from '../model.js';
import type { ReadonlyCsr } from '../store/traversal.js';
import { IdCache } from './id-cache.js';
import { PendingLinks } from './pending.js';
import { CHUNK_TYPES, type ChunkType, CONNECTIONS, type ElementGroup, planGroups } from './plan.js';
import { type StreamSource, streamSource } from './source.js';

export interface TopologyChunk {
  id: string;
  type: ChunkType;
  elements: ElementRecord[];
  connections: ConnectionRecord[];
  metadata: { batchIndex: number; totalElements: number; region?: string; segment?: string };
  /** The chunk type's place in the stream order: 0 (global network) is the most important. */
  priority: number;
}

const code = <T>(list: readonly T[], item: T) => list.indexOf(item);
const VPC = code(ELEMENT_TYPES, 'vpc');
const SUBNET = code(ELEMENT_TYPES, 'subnet');
const TRANSIT_GATEWAY = code(ELEMENT_TYPES, 'transit-gateway');
const TGW_ROUTE_TABLE = code(ELEMENT_TYPES, 'tgw-route-table');
const CONNECT_ATTACHMENT = code(ELEMENT_TYPES, 'connect-attachment');
const CONNECT_PEER = code(ELEMENT_TYPES, 'connect-peer');
const DX_GATEWAY_ATTACHMENT = code(ELEMENT_TYPES, 'dx-gateway-attachment');
const DX_GATEWAY = code(ELEMENT_TYPES, 'dx-gateway');
const CONTAINS = code(CONNECTION_TYPES, 'contains');
const CONNECT_PEER_LINK = code(CONNECTION_TYPES, 'connect-peer');
const ATTACHMENT_OF = code(CONNECTION_TYPES, 'attachment-of');

/**
 * A connection record. Made by a constructor rather than as an object literal: V8 tracks where
 * literals are made and, seeing the records of chunks in flight survive young collections, starts
 * making them straight in the old generation (pretenuring), where they stay until a full collection:
 * about one stream in eight of a million elements grew the heap by 50-80 MB instead of 20.
 */
class Link implements ConnectionRecord {
  constructor(
    public type: ConnectionType,
    public source: string,
    public target: string,
  ) {}
}

export class Chunker {
  private readonly view: TopologyView;
  private readonly source: StreamSource;
  private readonly chunkSize: number;
  private readonly elementCount: number;
  /** The source's columns, kept in fields so the walk reads them without going through `source`. */
  private readonly types: ArrayLike<number>;
  private readonly linkTypes: ArrayLike<number>;
  private readonly linkSources: ArrayLike<number>;
  private readonly linkTargets: ArrayLike<number>;
  private readonly outgoing: ReadonlyCsr;
  private readonly incoming: ReadonlyCsr;
  /** 0 = not emitted yet; otherwise the number of the group it was emitted in. */
  private readonly groupOf: Uint32Array;
  private group = 0;
  private afterConnections = false;
  /** Always all three fields (undefined when absent): one object shape for flush() to read. */
  private current: { type: ChunkType; region: string | undefined; segment: string | undefined } = {
    type: 'global-network',
    region: undefined,
    segment: undefined,
  };
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
  /** The group's links waiting for their target (see emit and pending.ts). */
  private readonly pending = new PendingLinks();

  constructor(view: TopologyView, chunkSize: number) {
    this.view = view;
    const source = streamSource(view);
    this.source = source;
    this.chunkSize = chunkSize;
    this.elementCount = view.elementCount;
    const columns = source.columns;
    this.types = columns.elementTypes;
    this.linkTypes = columns.connectionTypes;
    this.linkSources = columns.connectionSources;
    this.linkTargets = columns.connectionTargets;
    this.outgoing = columns.outgoing;
    this.incoming = columns.incoming;
    this.groupOf = new Uint32Array(view.elementCount);
    this.ids = new IdCache(
      (element) => source.id(element),
      columns.outgoing,
      columns.incoming,
      view.elementCount,
    );
  }

  /**
   * Bytes of per-run state: the group marks, the id cache's hub bits, and the columns copied from a
   * view that is not the store.
   */
  get stateBytes(): number {
    return this.groupOf.byteLength + this.ids.stateBytes + this.source.stateBytes;
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
    this.pending.reset();
    this.current = { type: group.type, region: group.region, segment: group.segment };
    const { groupOf, ready } = this;
    // Plain loops and a plain emit(): a generator per element would cost more than the records.
    if (group.sources === 'all') {
      for (let element = 0; element < this.elementCount; element++) {
        if (groupOf[element] !== 0 || !group.accept(element)) continue;
        this.emitWithFollowers(element, group.follow);
        if (ready.length > 0) yield* ready.splice(0);
      }
    } else {
      for (const source of group.sources) {
        for (let k = 0; k < source.length; k++) {
          const element = source[k]!;
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
    const { groupOf, types, linkTypes, linkTargets, elementCount } = this;
    const type = types[element]!;
    const parent = type === VPC || type === TRANSIT_GATEWAY;
    const attachment = type === CONNECT_ATTACHMENT || type === DX_GATEWAY_ATTACHMENT;
    if (follow === 'children' ? !parent : !attachment) return;
    const child = type === VPC ? SUBNET : TGW_ROUTE_TABLE;
    const { start, items } = this.outgoing;
    for (let k = start[element]!, end = start[element + 1]!; k < end; k++) {
      const connection = items[k]!;
      const target = linkTargets[connection]!;
      if (target >= elementCount || groupOf[target] !== 0) continue;
      const targetType = types[target]!;
      const link = linkTypes[connection]!;
      const taken =
        follow === 'children'
          ? link === CONTAINS && targetType === child
          : (link === CONNECT_PEER_LINK && targetType === CONNECT_PEER) ||
            (link === ATTACHMENT_OF && targetType === DX_GATEWAY);
      if (taken) this.emit(target);
    }
  }

  /**
   * Emits the element, then its connections whose other end is already out: in this group, or in
   * any group once the connections phase is over. A self-loop is taken once, on the outgoing side.
   */
  private emit(element: number): void {
    const { groupOf, ids, linkTypes, elementCount } = this;
    const group = this.group;
    const after = this.afterConnections;
    groupOf[element] = group;
    const record = this.source.record(element);
    const id = record.id;
    ids.remember(element, id);
    this.elements.push(record);
    if (this.full()) this.ready.push(this.flush());

    const targets = this.linkTargets;
    const out = this.outgoing;
    const outItems = out.items;
    for (let k = out.start[element]!, end = out.start[element + 1]!; k < end; k++) {
      const connection = outItems[k]!;
      const target = targets[connection]!;
      if (target !== element) {
        if (target >= elementCount) continue;
        const mark = groupOf[target]!;
        if (after ? mark === 0 : mark !== group) {
          if (mark === 0 && !after) this.pending.add(target, connection);
          continue;
        }
      }
      const type = CONNECTION_TYPES[linkTypes[connection]!]!;
      this.connections.push(new Link(type, id, target === element ? id : ids.id(target)));
      if (this.full()) this.ready.push(this.flush());
    }

    const sources = this.linkSources;
    const into = this.incoming;
    const inItems = into.items;
    // Before the connections phase only sources out in this group count, and each of them left its
    // link to this element in `pending` when it came out.
    if (!after && this.pending.complete) {
      this.emitPending(element, id);
      return;
    }
    for (let k = into.start[element]!, end = into.start[element + 1]!; k < end; k++) {
      const connection = inItems[k]!;
      const from = sources[connection]!;
      if (from === element || from >= elementCount) continue;
      const mark = groupOf[from]!;
      if (after ? mark === 0 : mark !== group) continue;
      const type = CONNECTION_TYPES[linkTypes[connection]!]!;
      this.connections.push(new Link(type, ids.id(from), id));
      if (this.full()) this.ready.push(this.flush());
    }
  }

  /** The element's links from elements out in this group, in connection order (as its list has them). */
  private emitPending(element: number, id: string): void {
    const { pending, linkSources, linkTypes, ids } = this;
    const n = pending.take(element);
    const taken = pending.taken;
    for (let k = 0; k < n; k++) {
      const connection = taken[k]!;
      const type = CONNECTION_TYPES[linkTypes[connection]!]!;
      this.connections.push(new Link(type, ids.id(linkSources[connection]!), id));
      if (this.full()) this.ready.push(this.flush());
    }
  }

  private full(): boolean {
    return this.elements.length + this.connections.length >= this.chunkSize;
  }

  /**
   * Connections between groups whose ends are both out, by source element and then in connection
   * order: an element's links leave together, so its id is read once for all of them, and the
   * sources come in index order, which lets the store decode their ids in runs. (In plain
   * connection order an attachment's links may come in runs far apart, and its id is read again
   * for each run.)
   */
  private *crossGroupConnections(): Generator<TopologyChunk> {
    const { groupOf, chunkSize, ids, linkTypes, linkTargets, elementCount, source } = this;
    this.current = { type: 'connections', region: undefined, segment: undefined };
    this.checkConnectionEnds();
    const { start, items } = this.outgoing;
    for (let from = 0; from < elementCount; from++) {
      const a = groupOf[from]!;
      if (a === 0) continue;
      let fromId: string | undefined;
      for (let k = start[from]!, end = start[from + 1]!; k < end; k++) {
        const connection = items[k]!;
        const target = linkTargets[connection]!;
        const b = groupOf[target]!;
        if (b === 0 || a === b) continue;
        fromId ??= source.streamedId(from);
        const type = CONNECTION_TYPES[linkTypes[connection]!]!;
        this.connections.push(new Link(type, fromId, ids.id(target)));
        if (this.connections.length >= chunkSize) yield this.flush();
      }
    }
    if (this.connections.length > 0) yield this.flush();
  }

  /** A connection with an end that is no element would never be emitted: an error, not a silent gap. */
  private checkConnectionEnds(): void {
    const { linkTypes, linkSources, linkTargets, elementCount } = this;
    for (let connection = 0; connection < linkTypes.length; connection++) {
      if (linkSources[connection]! < elementCount && linkTargets[connection]! < elementCount) continue;
      throw new TopologyError(
        'stream',
        `connection ${connection} (${CONNECTION_TYPES[linkTypes[connection]!]}) has an end that is not an element of ` +
          'the topology; rebuild the topology from a snapshot whose connections name existing element ids.',
      );
    }
  }

  private flush(): TopologyChunk {
    const { type, region, segment } = this.current;
    const batchIndex = this.batchIndex++;
    const metadata: TopologyChunk['metadata'] = { batchIndex, totalElements: this.elementCount };
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
