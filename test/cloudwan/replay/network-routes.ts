/**
 * GetNetworkRoutes: the route table of a segment (or network function group) at one edge, computed
 * from the topology by the analysis engine the first time it is asked for and kept per server.
 * Cloud WAN does not paginate this call, so the whole table goes back in one answer.
 */

import { TopologyError } from '../../../src/errors.js';
import {
  analyzeCoreNetwork,
  type CoreNetworkAnalysis,
  type NextHop,
  type RouteEntry,
  routeTable,
} from '../../../src/topology/analysis/index.js';
import { type Cidr, cidrContains, parseCidr } from '../../../src/topology/cidr.js';
import type { CoreNetworkEntry, ReplayAccount } from './account.js';
import { CREATED_AT } from './aws-names.js';

/** One network route: its JSON text and what the request filters look at. */
interface NetworkRoute {
  json: string;
  destination: string;
  state: 'ACTIVE' | 'BLACKHOLE';
  type: 'PROPAGATED' | 'STATIC';
}

export interface RouteTableRequest {
  kind: 'segment' | 'network-function-group';
  core: CoreNetworkEntry;
  name: string;
  edge: string;
}

/**
 * Route tables and analyses of one server, computed on first request. A generated core network of
 * 5,000 attachments has hundreds of thousands of routes over its tables, so what is kept is each
 * table's answer as one string (the routes themselves are dropped), and the destination part of a
 * route is written once per next hop.
 */
export class NetworkRouteCache {
  private readonly analyses = new Map<string, CoreNetworkAnalysis>();
  private readonly bodies = new Map<string, string>();
  private readonly destinations = new Map<string, string>();

  constructor(private readonly account: ReplayAccount) {}

  /**
   * The GetNetworkRoutes answer, or why the table does not exist (unknown segment, not present at
   * that edge...). The unfiltered answer, which discovery asks for, is kept; a filtered one is not.
   */
  answer(request: RouteTableRequest, filters: RouteFilters): { body: string } | { missing: string } {
    const filtered = Object.keys(filters).length > 0;
    const key = `${request.core.id}\n${request.kind}\n${request.name}\n${request.edge}`;
    const cached = filtered ? undefined : this.bodies.get(key);
    if (cached !== undefined) return { body: cached };
    let routes: NetworkRoute[];
    try {
      routes = this.compute(request);
    } catch (error) {
      if (error instanceof TopologyError) return { missing: error.message };
      throw error;
    }
    const body = networkRoutesBody(request, routes, filters);
    if (!filtered) this.bodies.set(key, body);
    return { body };
  }

  private analysis(core: CoreNetworkEntry): CoreNetworkAnalysis {
    let analysis = this.analyses.get(core.id);
    if (!analysis) {
      analysis = analyzeCoreNetwork(this.account.view, core.index);
      this.analyses.set(core.id, analysis);
    }
    return analysis;
  }

  private compute(request: RouteTableRequest): NetworkRoute[] {
    const analysis = this.analysis(request.core);
    const routes: NetworkRoute[] = [];
    const limit = 10_000;
    // Each page call walks the table once; a table of n routes takes n / 10,000 + 1 calls.
    for (let offset = 0, pages = 0; pages <= 100_000; pages++) {
      const page = routeTable(analysis, request.name, request.edge, { limit, offset });
      for (const entry of page.routes) routes.push(this.networkRoute(entry));
      offset += page.routes.length;
      if (!page.truncated || page.routes.length === 0) break;
    }
    return routes;
  }

  private networkRoute(entry: RouteEntry): NetworkRoute {
    const hop = entry.nextHop;
    const state = hop.kind === 'blackhole' ? 'BLACKHOLE' : 'ACTIVE';
    const type = entry.origin === 'static' ? 'STATIC' : 'PROPAGATED';
    // A blackhole has no destination: the member is left out, as AWS does.
    const destinations = hop.kind === 'blackhole' ? '' : `"Destinations":[${this.destination(hop)}],`;
    const json = `{"DestinationCidrBlock":${JSON.stringify(entry.destination)},${destinations}"State":"${state}","Type":"${type}"}`;
    return { json, destination: entry.destination, state, type };
  }

  /** A next hop as a Destinations item, written once per hop. */
  private destination(hop: NextHop): string {
    const key = `${hop.kind}\n${hop.id}\n${hop.region}`;
    let json = this.destinations.get(key);
    if (json !== undefined) return json;
    if (hop.kind === 'attachment') {
      const attachment = this.account.attachmentById.get(hop.id);
      json = JSON.stringify({
        CoreNetworkAttachmentId: hop.id,
        EdgeLocation: hop.region ?? attachment?.edgeLocation,
        SegmentName: attachment?.segmentName,
        NetworkFunctionGroupName: attachment?.functionGroupName,
        ResourceType: attachment?.resourceType,
        ResourceId: attachment?.resourceId,
      });
    } else if (hop.kind === 'network-function-group') {
      json = JSON.stringify({ NetworkFunctionGroupName: hop.id, EdgeLocation: hop.region });
    } else {
      json = JSON.stringify({ EdgeLocation: hop.region });
    }
    this.destinations.set(key, json);
    return json;
  }
}

export interface RouteFilters {
  States?: string[];
  Types?: string[];
  ExactCidrMatches?: string[];
  SubnetOfMatches?: string[];
  SupernetOfMatches?: string[];
}

export const UNSUPPORTED_ROUTE_FILTERS = [
  'LongestPrefixMatches',
  'PrefixListIds',
  'DestinationFilters',
] as const;

/** The GetNetworkRoutes answer for a table, filtered as asked. */
export function networkRoutesBody(
  request: RouteTableRequest,
  routes: readonly NetworkRoute[],
  filters: RouteFilters,
): string {
  const subnetOf = parsedAll(filters.SubnetOfMatches);
  const supernetOf = parsedAll(filters.SupernetOfMatches);
  const parts: string[] = [];
  for (const route of routes) {
    if (filters.States && !filters.States.includes(route.state)) continue;
    if (filters.Types && !filters.Types.includes(route.type)) continue;
    if (filters.ExactCidrMatches && !filters.ExactCidrMatches.includes(route.destination)) continue;
    if (subnetOf || supernetOf) {
      const cidr = parseCidr(route.destination);
      if (subnetOf && !subnetOf.some((outer) => within(cidr, outer))) continue;
      if (supernetOf && !supernetOf.some((inner) => within(inner, cidr))) continue;
    }
    parts.push(route.json);
  }
  const { core, kind, name, edge } = request;
  const identifier =
    kind === 'segment'
      ? `"CoreNetworkSegmentEdge":${JSON.stringify({ CoreNetworkId: core.id, SegmentName: name, EdgeLocation: edge })}`
      : `"CoreNetworkNetworkFunctionGroup":${JSON.stringify({ CoreNetworkId: core.id, NetworkFunctionGroupName: name, EdgeLocation: edge })}`;
  const arn = JSON.stringify(`${core.arn}/route-table/${kind}/${name}/${edge}`);
  const type = kind === 'segment' ? 'CORE_NETWORK_SEGMENT' : 'NETWORK_FUNCTION_GROUP';
  return `{"RouteTableArn":${arn},${identifier},"RouteTableType":"${type}","RouteTableTimestamp":${CREATED_AT},"NetworkRoutes":[${parts.join(',')}]}`;
}

function parsedAll(texts: string[] | undefined): Cidr[] | undefined {
  if (!texts) return undefined;
  const out: Cidr[] = [];
  for (const text of texts) {
    const cidr = parseCidr(text);
    if (cidr) out.push(cidr);
  }
  return out;
}

/** Whether `inner` lies inside `outer` (equal counts). */
export function within(inner: Cidr | undefined, outer: Cidr | undefined): boolean {
  return (
    inner !== undefined && outer !== undefined && inner.prefix >= outer.prefix && cidrContains(outer, inner)
  );
}
