/**
 * The Cloud WAN route tables read with GetNetworkRoutes (one per segment or network function group
 * at each edge), held in flat typed arrays: a route is a prefix (one word for IPv4, an index into a
 * four-word IPv6 array), a flags byte and a range of targets; every string (attachment ids,
 * regions, names) is stored once in a dictionary and referred to by number.
 */

import { CloudWanError } from '../../errors.js';
import { formatCidr, type IpAddress, maskWord, parseCidr, parseIp } from '../../topology/cidr.js';
import { grow } from '../../topology/store/grow.js';

export type RouteTableKind = 'segment' | 'network-function-group';

export interface NetworkRoute {
  destination: string;
  state: 'active' | 'blackhole';
  type: 'propagated' | 'static';
  targets: Array<{
    attachmentId?: string;
    edge?: string;
    segment?: string;
    networkFunctionGroup?: string;
    resourceType?: string;
    resourceId?: string;
  }>;
}

/** A route as GetNetworkRoutes returns it (the members this store keeps). */
export interface AwsNetworkRoute {
  DestinationCidrBlock?: string;
  PrefixListId?: string;
  State?: string;
  Type?: string;
  Destinations?: AwsRouteDestination[];
}

export interface AwsRouteDestination {
  CoreNetworkAttachmentId?: string;
  EdgeLocation?: string;
  SegmentName?: string;
  NetworkFunctionGroupName?: string;
  ResourceType?: string;
  ResourceId?: string;
}

const BLACKHOLE = 1;
const STATIC = 2;
const V6 = 4;
/** The destination is not a CIDR (a prefix list id): `words` holds its dictionary code. */
const TEXT = 8;
/** Target fields, in this order, as dictionary codes (-1 for absent). */
const TARGET_FIELDS = 6;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
/** One-byte strings (AWS ids and names are ASCII): V8's string header, plus its Map entry and array slot. */
const STRING_OVERHEAD = 16 + 24 + 8;

interface Table {
  kind: RouteTableKind;
  name: string;
  edge: string;
  /** Routes start..start+count; count -1 until the table has been filled. */
  start: number;
  count: number;
}

export class NetworkRouteTables {
  private readonly dictionary: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly list: Table[] = [];
  private readonly byKey = new Map<string, number>();
  private routeCount = 0;
  private words = new Uint32Array(64);
  private lengths = new Uint8Array(64);
  private flags = new Uint8Array(64);
  private targetStart = new Uint32Array(65);
  private v6 = new Uint32Array(16);
  private v6Count = 0;
  private targets = new Int32Array(64 * TARGET_FIELDS);
  private targetCount = 0;

  /** Tables that were read, in the order they were asked for, with their route counts. */
  tables(): Array<{ kind: RouteTableKind; name: string; edge: string; routes: number }> {
    return this.list
      .filter((table) => table.count >= 0)
      .map(({ kind, name, edge, count }) => ({ kind, name, edge, routes: count }));
  }

  routes(
    kind: RouteTableKind,
    name: string,
    edge: string,
    options: { limit?: number; offset?: number } = {},
  ): { routes: NetworkRoute[]; total: number } {
    const table = this.table(kind, name, edge);
    const limit = options.limit ?? DEFAULT_LIMIT;
    const offset = options.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new CloudWanError(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
    }
    if (!Number.isInteger(offset) || offset < 0) {
      throw new CloudWanError(`offset must be a non-negative integer, got ${offset}`);
    }
    const routes: NetworkRoute[] = [];
    const end = Math.min(table.count, offset + limit);
    for (let k = offset; k < end; k++) routes.push(this.route(table.start + k));
    return { routes, total: table.count };
  }

  /** The most specific route whose destination contains `ip` (the first of equals), if any. */
  lookup(kind: RouteTableKind, name: string, edge: string, ip: string): NetworkRoute | undefined {
    const table = this.table(kind, name, edge);
    const address = parseIp(ip);
    if (!address) {
      throw new CloudWanError(`"${ip}" is not an IPv4 or IPv6 address`);
    }
    let best = -1;
    let bestLength = -1;
    for (let r = table.start; r < table.start + table.count; r++) {
      const length = this.lengths[r]!;
      if (length > bestLength && this.contains(r, address)) {
        best = r;
        bestLength = length;
      }
    }
    return best < 0 ? undefined : this.route(best);
  }

  /**
   * Bytes held: the typed arrays exactly (their allocated length), each dictionary string estimated
   * as its length (one byte per character) plus 48 bytes for its header, Map entry and array slot,
   * and 64 bytes per table record.
   */
  byteSize(): number {
    let bytes =
      this.words.byteLength +
      this.lengths.byteLength +
      this.flags.byteLength +
      this.targetStart.byteLength +
      this.v6.byteLength +
      this.targets.byteLength;
    for (const text of this.dictionary) bytes += text.length + STRING_OVERHEAD;
    return bytes + this.list.length * 64;
  }

  /** Registers a table before it is read, so that tables keep the order they were asked in. */
  reserve(kind: RouteTableKind, name: string, edge: string): number {
    const key = `${kind}\n${name}\n${edge}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    this.list.push({ kind, name, edge, start: 0, count: -1 });
    this.byKey.set(key, this.list.length - 1);
    return this.list.length - 1;
  }

  /** Stores the routes of a reserved table (all at once, so they stay contiguous). */
  fill(table: number, routes: readonly AwsNetworkRoute[]): void {
    const entry = this.list[table];
    if (!entry) throw new RangeError(`no reserved route table ${table}`);
    entry.start = this.routeCount;
    entry.count = routes.length;
    for (const route of routes) this.push(route);
  }

  /**
   * Calls `fn` for each target attachment of each propagated route, tables in the order they were
   * reserved and routes in the order AWS listed them, so the result does not depend on the order
   * responses arrived in.
   */
  forEachPropagated(fn: (attachmentId: string, destination: string) => void): void {
    for (const table of this.list) {
      for (let r = table.start; r < table.start + Math.max(0, table.count); r++) {
        if (this.flags[r]! & (STATIC | TEXT)) continue;
        const destination = this.destination(r);
        for (let t = this.targetStart[r]!; t < this.targetStart[r + 1]!; t++) {
          const code = this.targets[t * TARGET_FIELDS]!;
          if (code >= 0) fn(this.dictionary[code]!, destination);
        }
      }
    }
  }

  /** Drops the spare capacity of the growable arrays once every table is in. */
  compact(): void {
    this.words = this.words.slice(0, this.routeCount);
    this.lengths = this.lengths.slice(0, this.routeCount);
    this.flags = this.flags.slice(0, this.routeCount);
    this.targetStart = this.targetStart.slice(0, this.routeCount + 1);
    this.v6 = this.v6.slice(0, this.v6Count * 4);
    this.targets = this.targets.slice(0, this.targetCount * TARGET_FIELDS);
  }

  private table(kind: RouteTableKind, name: string, edge: string): Table {
    const index = this.byKey.get(`${kind}\n${name}\n${edge}`);
    const table = index === undefined ? undefined : this.list[index];
    if (table && table.count >= 0) return table;
    const known = this.tables()
      .slice(0, 20)
      .map((t) => `${t.kind} ${t.name} at ${t.edge}`);
    const what = kind === 'segment' ? 'segment' : 'network function group';
    const reason = table ? 'could not be read (see the discovery problems)' : 'was not discovered';
    throw new CloudWanError(
      `the route table of ${what} "${name}" at edge ${edge} ${reason}; tables: ${known.join(', ') || 'none'}`,
    );
  }

  private push(route: AwsNetworkRoute): void {
    const r = this.routeCount++;
    // Each column grows on its own: targetStart is one longer, so it crosses sizes at other times.
    this.words = grow(this.words, r + 1);
    this.lengths = grow(this.lengths, r + 1);
    this.flags = grow(this.flags, r + 1);
    this.targetStart = grow(this.targetStart, r + 2);
    let flags = (route.State === 'BLACKHOLE' ? BLACKHOLE : 0) | (route.Type === 'STATIC' ? STATIC : 0);
    const text = route.DestinationCidrBlock ?? route.PrefixListId ?? '';
    const cidr = parseCidr(text);
    if (!cidr) {
      flags |= TEXT;
      this.words[r] = this.intern(text);
      this.lengths[r] = 0;
    } else if (cidr.version === 6) {
      flags |= V6;
      this.v6 = grow(this.v6, (this.v6Count + 1) * 4);
      this.v6.set(cidr.words, this.v6Count * 4);
      this.words[r] = this.v6Count++;
      this.lengths[r] = cidr.prefix;
    } else {
      this.words[r] = cidr.words[0]!;
      this.lengths[r] = cidr.prefix;
    }
    this.flags[r] = flags;
    for (const destination of route.Destinations ?? []) {
      const t = this.targetCount++;
      this.targets = grow(this.targets, (t + 1) * TARGET_FIELDS);
      const at = t * TARGET_FIELDS;
      this.targets[at] = this.intern(destination.CoreNetworkAttachmentId);
      this.targets[at + 1] = this.intern(destination.EdgeLocation);
      this.targets[at + 2] = this.intern(destination.SegmentName);
      this.targets[at + 3] = this.intern(destination.NetworkFunctionGroupName);
      this.targets[at + 4] = this.intern(destination.ResourceType);
      this.targets[at + 5] = this.intern(destination.ResourceId);
    }
    this.targetStart[r + 1] = this.targetCount;
  }

  private intern(text: string | undefined): number {
    if (text === undefined) return -1;
    let code = this.codes.get(text);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(text);
      this.codes.set(text, code);
    }
    return code;
  }

  private contains(r: number, address: IpAddress): boolean {
    const flags = this.flags[r]!;
    if (flags & TEXT || (flags & V6 ? 6 : 4) !== address.version) return false;
    const length = this.lengths[r]!;
    if (address.version === 4) return (address.words[0]! & maskWord(length, 0)) >>> 0 === this.words[r];
    const base = this.words[r]! * 4;
    for (let i = 0; i < 4; i++) {
      if ((address.words[i]! & maskWord(length, i)) >>> 0 !== this.v6[base + i]) return false;
    }
    return true;
  }

  private destination(r: number): string {
    const flags = this.flags[r]!;
    if (flags & TEXT) return this.dictionary[this.words[r]!]!;
    const prefix = this.lengths[r]!;
    if (!(flags & V6)) return formatCidr({ version: 4, words: [this.words[r]!], prefix });
    const base = this.words[r]! * 4;
    return formatCidr({ version: 6, words: Array.from(this.v6.subarray(base, base + 4)), prefix });
  }

  private route(r: number): NetworkRoute {
    const flags = this.flags[r]!;
    const targets: NetworkRoute['targets'] = [];
    for (let t = this.targetStart[r]!; t < this.targetStart[r + 1]!; t++) {
      const at = t * TARGET_FIELDS;
      const target: NetworkRoute['targets'][number] = {};
      const field = (k: number): string | undefined => {
        const code = this.targets[at + k]!;
        return code < 0 ? undefined : this.dictionary[code];
      };
      const attachmentId = field(0);
      const edge = field(1);
      const segment = field(2);
      const networkFunctionGroup = field(3);
      const resourceType = field(4);
      const resourceId = field(5);
      if (attachmentId !== undefined) target.attachmentId = attachmentId;
      if (edge !== undefined) target.edge = edge;
      if (segment !== undefined) target.segment = segment;
      if (networkFunctionGroup !== undefined) target.networkFunctionGroup = networkFunctionGroup;
      if (resourceType !== undefined) target.resourceType = resourceType;
      if (resourceId !== undefined) target.resourceId = resourceId;
      targets.push(target);
    }
    return {
      destination: this.destination(r),
      state: flags & BLACKHOLE ? 'blackhole' : 'active',
      type: flags & STATIC ? 'static' : 'propagated',
      targets,
    };
  }
}
