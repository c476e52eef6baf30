/**
 * The same topology as plain JavaScript objects, arrays and Maps: the straightforward layout the
 * columnar store is measured against (benchmarks build both from the same records), and a second,
 * obviously correct implementation of `TopologyView` for differential tests. Not for large inputs.
 */

import { type Cidr, cidrContains, parseCidr, parseIp } from './cidr.js';
import type {
  ConnectionRecord,
  ElementRecord,
  ElementType,
  RouteOrigin,
  RouteRecord,
  RouteState,
  StoreBytes,
  TopologySink,
  TopologyView,
} from './model.js';
import type { CoreNetworkPolicy } from './policy-types.js';

const NONE = new Uint32Array(0);

export class ObjectTopology implements TopologySink, TopologyView {
  readonly elements: ElementRecord[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly routes: RouteRecord[] = [];
  private readonly byId = new Map<string, number>();
  private readonly out = new Map<number, number[]>();
  private readonly in = new Map<number, number[]>();
  private readonly byTable = new Map<number, number[]>();
  private readonly policies = new Map<string, CoreNetworkPolicy>();
  private readonly prefixes: Array<{ cidr: Cidr; text: string; element: number }> = [];

  get elementCount(): number {
    return this.elements.length;
  }
  get connectionCount(): number {
    return this.connections.length;
  }
  get routeCount(): number {
    return this.routes.length;
  }

  addElement(element: ElementRecord): void {
    const index = this.elements.length;
    this.byId.set(element.id, index);
    this.elements.push(element);
    for (const text of element.cidrs ?? []) {
      const cidr = parseCidr(text);
      if (cidr) this.prefixes.push({ cidr, text, element: index });
    }
  }

  /** Connections and routes must name elements added before them. */
  addConnection(connection: ConnectionRecord): void {
    const index = this.connections.length;
    this.connections.push(connection);
    push(this.out, this.indexOf(connection.source), index);
    push(this.in, this.indexOf(connection.target), index);
  }

  addRoute(route: RouteRecord): void {
    push(this.byTable, this.indexOf(route.table), this.routes.length);
    this.routes.push(route);
  }

  setPolicy(coreNetworkId: string, policy: CoreNetworkPolicy): void {
    this.policies.set(coreNetworkId, policy);
  }

  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }
  private at(element: number): ElementRecord {
    const record = this.elements[element];
    if (!record) throw new RangeError(`no element ${element}`);
    return record;
  }
  id(element: number): string {
    return this.at(element).id;
  }
  type(element: number): ElementType {
    return this.at(element).type;
  }
  name(element: number): string | undefined {
    return this.at(element).name;
  }
  region(element: number): string | undefined {
    return this.at(element).region;
  }
  segment(element: number): string | undefined {
    return this.at(element).segment;
  }
  accountId(element: number): string | undefined {
    return this.at(element).accountId;
  }
  state(element: number): string | undefined {
    return this.at(element).state;
  }
  asn(element: number): number | undefined {
    return this.at(element).asn;
  }
  cidrs(element: number): string[] {
    return this.at(element).cidrs ?? [];
  }
  tags(element: number): Record<string, string> {
    return this.at(element).tags ?? {};
  }
  element(element: number): ElementRecord {
    return this.at(element);
  }

  connectionType(connection: number) {
    return (this.connections[connection] as ConnectionRecord).type;
  }
  connectionSource(connection: number): number {
    return this.indexOf((this.connections[connection] as ConnectionRecord).source);
  }
  connectionTarget(connection: number): number {
    return this.indexOf((this.connections[connection] as ConnectionRecord).target);
  }
  outgoing(element: number): Iterable<number> {
    return this.out.get(element) ?? [];
  }
  incoming(element: number): Iterable<number> {
    return this.in.get(element) ?? [];
  }

  private select(keep: (e: ElementRecord) => boolean): Uint32Array {
    const found: number[] = [];
    for (let i = 0; i < this.elements.length; i++) if (keep(this.elements[i] as ElementRecord)) found.push(i);
    return found.length ? Uint32Array.from(found) : NONE;
  }
  elementsOfType(type: ElementType): Uint32Array {
    return this.select((e) => e.type === type);
  }
  elementsInRegion(region: string): Uint32Array {
    return this.select((e) => e.region === region);
  }
  elementsInSegment(segment: string): Uint32Array {
    return this.select((e) => e.segment === segment);
  }
  regions(): string[] {
    return distinct(this.elements.map((e) => e.region));
  }
  segments(): string[] {
    return distinct(this.elements.map((e) => e.segment));
  }

  longestPrefixMatch(ip: string): { elements: number[]; prefix: string } | undefined {
    return this.prefixMatches(ip)[0];
  }

  prefixMatches(ip: string): Array<{ elements: number[]; prefix: string }> {
    const address = parseIp(ip);
    if (!address) return [];
    const byLength = new Map<number, { elements: number[]; prefix: string }>();
    for (const p of this.prefixes) {
      if (!cidrContains(p.cidr, address)) continue;
      const found = byLength.get(p.cidr.prefix);
      if (found) found.elements.push(p.element);
      else byLength.set(p.cidr.prefix, { elements: [p.element], prefix: p.text });
    }
    return [...byLength.entries()].sort((a, b) => b[0] - a[0]).map(([, match]) => match);
  }

  routesOf(table: number): Iterable<number> {
    return this.byTable.get(table) ?? [];
  }
  route(route: number): {
    table: number;
    destination: string;
    target: number;
    state: RouteState;
    origin: RouteOrigin;
  } {
    const r = this.routes[route] as RouteRecord;
    const target = r.target === undefined ? -1 : this.indexOf(r.target);
    return {
      table: this.indexOf(r.table),
      destination: r.destination,
      target,
      state: r.state,
      origin: r.origin,
    };
  }

  policy(coreNetwork: number): CoreNetworkPolicy | undefined {
    return this.policies.get(this.id(coreNetwork));
  }

  /** Not measurable exactly for objects; benchmarks measure this layout's heap from outside. */
  byteSize(): StoreBytes {
    return { total: 0, parts: {} };
  }
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function distinct(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))].sort();
}
