/**
 * The Cloud WAN topology data model: the record shapes that sources (generator, snapshot files, AWS
 * discovery) produce, the sink they write into, and the read-only view that analysis, rendering and
 * streaming use. The store behind the view is columnar; these shapes are the only contract between
 * the pieces, so a source never knows how the store lays its bytes out.
 */

import type { CoreNetworkPolicy } from './policy-types.js';

/** Element types, in the order the streaming manager emits them. The index is the stored code. */
export const ELEMENT_TYPES = [
  'global-network',
  'core-network',
  'edge',
  'transit-gateway',
  'tgw-route-table',
  'vpc',
  'subnet',
  'segment',
  'vpc-attachment',
  'vpn-attachment',
  'connect-attachment',
  'connect-peer',
  'tgw-route-table-attachment',
  'dx-gateway-attachment',
  'dx-gateway',
  'tgw-peering',
  'network-function-group',
] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/** Attachment types carry a segment or network function group and CIDRs that the core network learns. */
export const ATTACHMENT_TYPES: readonly ElementType[] = [
  'vpc-attachment',
  'vpn-attachment',
  'connect-attachment',
  'tgw-route-table-attachment',
  'dx-gateway-attachment',
];

/**
 * Connection types. Connections are typed and may repeat between the same pair of elements, so they
 * are rows with their own index, never keyed by `source->target`.
 */
export const CONNECTION_TYPES = [
  'contains', // parent -> child: global network -> core network, core -> edge/segment, TGW -> route table, VPC -> subnet
  'edge-mesh', // edge <-> edge, one per ordered pair of regions
  'attached-to', // attachment -> the edge of its region
  'attachment-of', // attachment -> the resource it attaches (VPC, TGW route table, DX gateway, ...)
  'member-of', // attachment -> segment or network function group
  'peering', // tgw-peering -> edge and tgw-peering -> transit gateway
  'connect-peer', // connect attachment -> connect peer
  'transport', // connect attachment -> its transport attachment
  'association', // attachment -> TGW route table it is associated with
  'propagation', // attachment -> TGW route table it propagates into
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export type RouteState = 'active' | 'blackhole';
export type RouteOrigin = 'propagated' | 'static';

/**
 * One element as sources produce it (and one NDJSON snapshot line with `kind: "element"`).
 * `segment` is the segment or network function group an attachment belongs to; for a segment or
 * function group element it is its own name. `cidrs` are IPv4 or IPv6 prefixes in CIDR notation:
 * the VPC's blocks, a subnet's block, an attachment's advertised prefixes.
 */
export interface ElementRecord {
  id: string;
  type: ElementType;
  name?: string;
  region?: string;
  segment?: string;
  accountId?: string;
  state?: string;
  asn?: number;
  cidrs?: string[];
  tags?: Record<string, string>;
}

/** One connection (snapshot line `kind: "connection"`); `source` and `target` are element ids. */
export interface ConnectionRecord {
  type: ConnectionType;
  source: string;
  target: string;
}

/**
 * One route of a route table element (a TGW route table, or a VPC's main table under the VPC id).
 * `target` is an element id (attachment, peering, ...) and absent for blackholes.
 */
export interface RouteRecord {
  table: string;
  destination: string;
  target?: string;
  state: RouteState;
  origin: RouteOrigin;
}

/** Where a record came from, so errors found later (a dangling connection end) can name it. */
export interface RecordLocation {
  line?: number;
  pointer?: string;
}

/** Where a source writes what it reads; the `TopologyBuilder` implements it. */
export interface TopologySink {
  addElement(element: ElementRecord, at?: RecordLocation): void;
  addConnection(connection: ConnectionRecord, at?: RecordLocation): void;
  addRoute(route: RouteRecord, at?: RecordLocation): void;
  /** The core network policy (one per core network; snapshot line `kind: "policy"`). */
  setPolicy(coreNetworkId: string, policy: CoreNetworkPolicy): void;
}

/** Exact bytes held by a store, per part, so the monitor and `topology inspect` can show where they go. */
export interface StoreBytes {
  total: number;
  parts: Record<string, number>;
}

/**
 * Read access to a built topology. Elements, connections and routes are dense integer indexes
 * (0..count-1); accessors return plain values so hot loops allocate nothing.
 */
export interface TopologyView {
  readonly elementCount: number;
  readonly connectionCount: number;
  readonly routeCount: number;

  /** The element's index, or -1. */
  indexOf(id: string): number;
  id(element: number): string;
  type(element: number): ElementType;
  name(element: number): string | undefined;
  region(element: number): string | undefined;
  segment(element: number): string | undefined;
  accountId(element: number): string | undefined;
  state(element: number): string | undefined;
  asn(element: number): number | undefined;
  cidrs(element: number): string[];
  tags(element: number): Record<string, string>;
  /** Reassembles the record, for output and for tests; not for hot loops. */
  element(element: number): ElementRecord;

  connectionType(connection: number): ConnectionType;
  connectionSource(connection: number): number;
  connectionTarget(connection: number): number;
  /** Connection indexes leaving / entering an element (CSR adjacency; no copy of the rows). */
  outgoing(element: number): Iterable<number>;
  incoming(element: number): Iterable<number>;

  /** Element indexes by type, region, segment (or function group); empty when none. */
  elementsOfType(type: ElementType): Uint32Array;
  elementsInRegion(region: string): Uint32Array;
  elementsInSegment(segment: string): Uint32Array;
  regions(): string[];
  segments(): string[];

  /**
   * Longest-prefix match of an IP address (v4 or v6) over every element's `cidrs`: the elements
   * owning the most specific matching prefix (several when they share it), and that prefix.
   */
  longestPrefixMatch(ip: string): { elements: number[]; prefix: string } | undefined;
  /**
   * Every prefix containing the address, most specific first, each with its owners: what a route
   * lookup needs when the most specific owner is not visible from where the lookup happens.
   */
  prefixMatches(ip: string): Array<{ elements: number[]; prefix: string }>;

  /** Route indexes of a route table element, and a route's fields. */
  routesOf(table: number): Iterable<number>;
  /** `target` is an element index, or -1 when the route has none (a blackhole). */
  route(route: number): {
    table: number;
    destination: string;
    target: number;
    state: RouteState;
    origin: RouteOrigin;
  };

  /** Policies by core network element index. */
  policy(coreNetwork: number): CoreNetworkPolicy | undefined;

  /** Exact bytes of every typed array, string table and index the store holds. */
  byteSize(): StoreBytes;
}
