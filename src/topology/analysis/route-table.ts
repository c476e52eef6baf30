/**
 * `routeTable`: one page of the route table of a segment (or function group) at one edge, as
 * Cloud WAN would hold it. Order: static routes (most specific first), the send-to default
 * routes, then propagated routes per visible segment (own first, then policy order) and per
 * attachment (segment index order). Only the requested page is built; the rest is counted, so
 * a table of a million routes costs one pass and `limit` objects.
 *
 * Next hops: an attachment in the table's own region is the next hop itself; one elsewhere is
 * reached through that region's edge (the edge mesh). A route learned through send-via points
 * at the function group at the edge that inspects it (see inspection.ts). A propagated route
 * with the same prefix as a static route is left out: the static one wins.
 */

import { TopologyError } from '../../errors.js';
import { formatCidr, parseCidr } from '../cidr.js';
import {
  attachmentRegion,
  isPropagating,
  membersOf,
  prefixLength,
  propagatedPrefixes,
} from './attachment.js';
import type { CoreNetworkAnalysis, DomainFacts } from './core-network.js';
import { sendToInspection, sendViaInspection } from './inspection.js';
import type { Reach } from './visibility.js';

export interface NextHop {
  kind: 'attachment' | 'edge' | 'network-function-group' | 'blackhole';
  /** Element id (attachment, edge), function group name, or "blackhole". */
  id: string;
  region?: string;
}

export interface RouteEntry {
  destination: string;
  nextHop: NextHop;
  /** propagated: from the segment's own attachments; shared: from another segment (see `via`). */
  origin: 'propagated' | 'static' | 'shared';
  /** The segment the route was learned from, when it is not the table's own. */
  via?: string;
}

export interface RouteTablePage {
  segment: string;
  edge: string;
  routes: RouteEntry[];
  total: number;
  truncated: boolean;
}

export interface RouteTableOptions {
  limit?: number;
  offset?: number;
}

export const DEFAULT_ROUTE_LIMIT = 100;
export const MAX_ROUTE_LIMIT = 10_000;

export function routeTable(
  analysis: CoreNetworkAnalysis,
  segment: string,
  edgeRegion: string,
  options: RouteTableOptions = {},
): RouteTablePage {
  const facts = domainAt(analysis, segment, edgeRegion, 'route-table');
  const limit = options.limit ?? DEFAULT_ROUTE_LIMIT;
  const offset = options.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROUTE_LIMIT) {
    throw new TopologyError(
      'route-table',
      `limit must be an integer from 1 to ${MAX_ROUTE_LIMIT}, got ${limit}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new TopologyError('route-table', `offset must be a non-negative integer, got ${offset}`);
  }
  const routes: RouteEntry[] = [];
  let total = 0;
  const emit = (make: () => RouteEntry): void => {
    if (total >= offset && routes.length < limit) routes.push(make());
    total++;
  };
  const staticDestinations = new Set(facts.statics.map((route) => route.destination));
  // Canonicalizing every propagated prefix costs a parse; only those of a static route's length can collide.
  const staticLengths = new Set(facts.statics.map((route) => route.cidr.prefix));

  for (const route of facts.statics) {
    if (route.blackhole) {
      emit(() => ({
        destination: route.destination,
        nextHop: { kind: 'blackhole', id: 'blackhole' },
        origin: 'static',
      }));
      continue;
    }
    route.targets.forEach((id, i) => {
      const target = route.targetIndexes[i] as number;
      emit(() => ({
        destination: route.destination,
        nextHop: attachmentHop(analysis, target, id, edgeRegion),
        origin: 'static',
      }));
    });
  }
  if (facts.sendTo) {
    const rule = facts.sendTo;
    for (const destination of ['0.0.0.0/0', '::/0']) {
      if (staticDestinations.has(destination)) continue;
      const point = sendToInspection(analysis, rule, edgeRegion);
      emit(() => ({
        destination,
        nextHop: { kind: 'network-function-group', id: rule.nfg, region: point.region },
        origin: 'static',
      }));
    }
  }
  // The inspection edge depends only on the destination region: one answer per region, not per route.
  const inspected = new Map<string, string>();
  for (const [domain, reach] of orderedSources(facts)) {
    for (const attachment of membersOf(analysis, domain)) {
      if (!isPropagating(analysis.view, attachment)) continue;
      for (const prefix of propagatedPrefixes(analysis.view, attachment)) {
        if (staticLengths.has(prefixLength(prefix)) && staticDestinations.has(canonical(prefix))) continue;
        emit(() =>
          propagatedEntry(analysis, facts, domain, reach, attachment, prefix, edgeRegion, inspected),
        );
      }
    }
  }
  return { segment, edge: edgeRegion, routes, total, truncated: offset + routes.length < total };
}

/** The facts of a segment present at an edge, or an error naming what is known. */
export function domainAt(
  analysis: CoreNetworkAnalysis,
  segment: string,
  edgeRegion: string,
  source: string,
): DomainFacts {
  const facts = analysis.domains.get(segment);
  if (!facts) {
    const groups = analysis.functionGroupNames.length
      ? `; network function groups: ${analysis.functionGroupNames.join(', ')}`
      : '';
    throw new TopologyError(
      source,
      `unknown segment '${segment}' in core network ${analysis.coreNetworkId}; segments: ${analysis.segmentNames.join(', ') || 'none'}${groups}`,
    );
  }
  if (!analysis.edgeRegions.includes(edgeRegion)) {
    throw new TopologyError(
      source,
      `unknown edge '${edgeRegion}' in core network ${analysis.coreNetworkId}; edges: ${analysis.edgeRegions.join(', ') || 'none'}`,
    );
  }
  if (!facts.edges.includes(edgeRegion)) {
    throw new TopologyError(
      source,
      `segment '${segment}' is not present at edge ${edgeRegion}; it is at: ${facts.edges.join(', ') || 'no edge'}`,
    );
  }
  return facts;
}

/** The next hop toward an attachment from an edge: itself when local, else its region's edge. */
export function attachmentHop(
  analysis: CoreNetworkAnalysis,
  attachment: number,
  id: string,
  fromRegion: string,
): NextHop {
  if (attachment < 0) return { kind: 'attachment', id };
  const region = attachmentRegion(analysis.view, attachment);
  if (region === undefined || region === fromRegion) {
    return region === undefined ? { kind: 'attachment', id } : { kind: 'attachment', id, region };
  }
  const edge = analysis.edgeByRegion.get(region) ?? -1;
  return { kind: 'edge', id: edge >= 0 ? analysis.view.id(edge) : region, region };
}

function propagatedEntry(
  analysis: CoreNetworkAnalysis,
  facts: DomainFacts,
  domain: string,
  reach: Reach,
  attachment: number,
  prefix: string,
  edgeRegion: string,
  inspected: Map<string, string>,
): RouteEntry {
  const { view } = analysis;
  let nextHop: NextHop;
  if (reach.kind === 'send-via') {
    const region = attachmentRegion(view, attachment) ?? edgeRegion;
    const key = `${reach.rule.action}\n${region}`;
    let at = inspected.get(key);
    if (at === undefined) {
      at = sendViaInspection(analysis, reach.rule, edgeRegion, region)[0]?.region ?? edgeRegion;
      inspected.set(key, at);
    }
    nextHop = { kind: 'network-function-group', id: reach.rule.nfg, region: at };
  } else {
    nextHop = attachmentHop(analysis, attachment, view.id(attachment), edgeRegion);
  }
  return domain === facts.name
    ? { destination: prefix, nextHop, origin: 'propagated' }
    : { destination: prefix, nextHop, origin: 'shared', via: domain };
}

/** Visible source domains, the table's own segment first. */
function orderedSources(facts: DomainFacts): Array<[string, Reach]> {
  const own = facts.sees.get(facts.name);
  const rest = [...facts.sees].filter(([name]) => name !== facts.name);
  return own ? [[facts.name, own], ...rest] : rest;
}

function canonical(prefix: string): string {
  const cidr = parseCidr(prefix);
  return cidr ? formatCidr(cidr) : prefix;
}
