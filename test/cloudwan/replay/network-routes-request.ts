/**
 * The GetNetworkRoutes request: which route table it names (a segment or a network function group
 * at an edge of a core network), checked against the account so that an unknown one gets an error
 * listing what exists, and the filters the replay server applies.
 */

import { type RouteFilters, UNSUPPORTED_ROUTE_FILTERS } from './network-routes.js';
import {
  coreOrError,
  invalid,
  jsonReply,
  type NetworkManagerRequest,
  notFound,
  type Reply,
  type ServerState,
} from './reply.js';

export function getNetworkRoutes(state: ServerState, request: NetworkManagerRequest): Reply {
  const requestId = request.requestId;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body || '{}') as Record<string, unknown>;
  } catch {
    return invalid('the request body is not JSON', requestId);
  }
  for (const name of UNSUPPORTED_ROUTE_FILTERS) {
    if (body[name] !== undefined)
      return invalid(`the replay server does not support the ${name} filter`, requestId);
  }
  const identifier = (body.RouteTableIdentifier ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const segmentEdge = identifier.CoreNetworkSegmentEdge;
  const groupEdge = identifier.CoreNetworkNetworkFunctionGroup;
  const target = segmentEdge ?? groupEdge;
  const name = segmentEdge ? segmentEdge.SegmentName : groupEdge?.NetworkFunctionGroupName;
  if (
    !target ||
    typeof target.CoreNetworkId !== 'string' ||
    typeof name !== 'string' ||
    typeof target.EdgeLocation !== 'string'
  ) {
    return invalid(
      'RouteTableIdentifier must hold CoreNetworkSegmentEdge {CoreNetworkId, SegmentName, EdgeLocation} or CoreNetworkNetworkFunctionGroup {CoreNetworkId, NetworkFunctionGroupName, EdgeLocation}',
      requestId,
    );
  }
  const core = coreOrError(state, target.CoreNetworkId, requestId);
  if ('status' in core) return core;
  const globalNetworkId = request.params[0];
  if (core.globalNetworkId !== undefined && globalNetworkId !== core.globalNetworkId) {
    return notFound(
      `Core network '${core.id}' is in global network '${core.globalNetworkId}', not '${globalNetworkId}'.`,
      requestId,
    );
  }
  const kind = segmentEdge ? 'segment' : 'network-function-group';
  const names = kind === 'segment' ? core.segmentNames : core.functionGroupNames;
  if (!names.includes(name)) {
    const what = kind === 'segment' ? 'Segment' : 'Network function group';
    return notFound(
      `${what} '${name}' not found in core network '${core.id}'; it has: ${names.join(', ') || 'none'}`,
      requestId,
    );
  }
  if (!core.edgeRegions.includes(target.EdgeLocation)) {
    return notFound(
      `Edge location '${target.EdgeLocation}' not found in core network '${core.id}'; its edges: ${core.edgeRegions.join(', ') || 'none'}`,
      requestId,
    );
  }
  const filters = routeFilters(body);
  if (typeof filters === 'string') return invalid(filters, requestId);
  const tableRequest = { kind, core, name, edge: target.EdgeLocation } as const;
  const answer = state.routes.answer(tableRequest, filters);
  if ('missing' in answer) return notFound(answer.missing, requestId);
  return jsonReply(200, answer.body, requestId);
}

/** The supported filters, each a list of strings, or a message naming the one that is not. */
function routeFilters(body: Record<string, unknown>): RouteFilters | string {
  const filters: RouteFilters = {};
  for (const key of [
    'States',
    'Types',
    'ExactCidrMatches',
    'SubnetOfMatches',
    'SupernetOfMatches',
  ] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      return `${key} must be a list of strings`;
    filters[key] = value as string[];
  }
  return filters;
}
