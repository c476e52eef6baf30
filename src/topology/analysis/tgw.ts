/**
 * The last leg of a trace that leaves the core network through a transit gateway route table
 * attachment: a longest-prefix lookup in that TGW route table (its routes from the view), one
 * level deep. A blackhole route, or no route, ends the path there.
 */

import { formatCount } from '../../util/count.js';
import { cidrContains, type IpAddress, parseCidr } from '../cidr.js';
import type { CoreNetworkAnalysis } from './core-network.js';
import type { TraceHop } from './trace.js';

/** Routes read from one TGW route table; AWS allows 10,000 static routes per table. */
export const MAX_TGW_ROUTES = 20_000;

export interface TgwLeg {
  readonly hops: TraceHop[];
  /** Set when the lookup ends the path (no route, blackhole). */
  readonly unreachable?: string;
}

export function transitGatewayLeg(
  analysis: CoreNetworkAnalysis,
  attachment: number,
  ip: string,
  address: IpAddress,
): TgwLeg | undefined {
  const { view } = analysis;
  let table = -1;
  for (const c of view.outgoing(attachment)) {
    const target = view.connectionTarget(c);
    if (view.connectionType(c) === 'attachment-of' && view.type(target) === 'tgw-route-table') table = target;
  }
  if (table < 0) return undefined;
  const tableId = view.id(table);
  const region = view.region(table) ?? view.region(attachment);
  let best = -1;
  let bestLength = -1;
  let read = 0;
  for (const route of view.routesOf(table)) {
    if (read++ >= MAX_TGW_ROUTES) break;
    const cidr = parseCidr(view.route(route).destination);
    if (cidr && cidr.prefix > bestLength && cidrContains(cidr, address))
      [best, bestLength] = [route, cidr.prefix];
  }
  const cut =
    read > MAX_TGW_ROUTES ? ` (only the first ${formatCount(MAX_TGW_ROUTES)} routes were read)` : '';
  const tableHop = (action: string, reason: string): TraceHop => ({
    id: tableId,
    type: 'tgw-route-table',
    ...(region === undefined ? {} : { region }),
    action,
    reason,
  });
  if (best < 0) {
    const reason = `no route to ${ip} in TGW route table ${tableId}${cut}`;
    return { hops: [tableHop('drop', reason)], unreachable: reason };
  }
  const route = view.route(best);
  if (route.state === 'blackhole' || route.target < 0) {
    const reason = `blackhole route ${route.destination} (${route.origin}) in TGW route table ${tableId}`;
    return { hops: [tableHop('drop', reason)], unreachable: reason };
  }
  const targetId = view.id(route.target);
  const lookup = tableHop(
    'route-lookup',
    `longest-prefix match ${route.destination} in TGW route table ${tableId}: ${route.origin} route to ${targetId}${cut}`,
  );
  const targetRegion = view.region(route.target);
  const target: TraceHop = {
    id: targetId,
    type: view.type(route.target),
    ...(targetRegion === undefined ? {} : { region: targetRegion }),
    action: 'deliver',
    reason: `next hop of ${route.destination} in TGW route table ${tableId}`,
  };
  return { hops: [lookup, target] };
}
