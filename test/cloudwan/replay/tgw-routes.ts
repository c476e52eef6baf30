/**
 * SearchTransitGatewayRoutes as EC2 answers it: no NextToken, at most min(MaxResults, page size)
 * routes and `additionalRoutesAvailable` when more matched. A caller gets the rest by narrowing the
 * search, which is why the route-search filters (subnet-of-match above all) are implemented.
 */

import { type Cidr, parseCidr } from '../../../src/topology/cidr.js';
import type { TgwRouteItem } from './account.js';
import {
  type Ec2Request,
  ec2Error,
  ec2Reply,
  type Filter,
  filterKey,
  filterPredicate,
  invalidCidr,
  readFilters,
} from './ec2-query.js';
import { within } from './network-routes.js';
import type { Reply, ServerState } from './reply.js';
import { el } from './xml.js';

/** EC2's own default and ceiling for MaxResults here. */
const MAX_RESULTS = 1000;

const ATTRIBUTE_FILTERS = [
  'state',
  'type',
  'attachment.resource-id',
  'attachment.transit-gateway-attachment-id',
  'attachment.resource-type',
];
const CIDR_FILTERS = [
  'route-search.exact-match',
  'route-search.subnet-of-match',
  'route-search.supernet-of-match',
];

export function searchTransitGatewayRoutes(state: ServerState, request: Ec2Request): Reply {
  const { params, requestId, region } = request;
  const tableId = params.get('TransitGatewayRouteTableId');
  if (!tableId) {
    return ec2Error(
      400,
      'MissingParameter',
      'The request must contain the parameter TransitGatewayRouteTableId',
      requestId,
    );
  }
  const filters = readFilters(params);
  if (filters.length === 0) {
    return ec2Error(400, 'MissingParameter', 'The request must contain the parameter Filter', requestId);
  }
  for (const filter of filters) {
    if (CIDR_FILTERS.includes(filter.name)) {
      const message = invalidCidr(filter);
      if (message) return ec2Error(400, 'InvalidParameterValue', message, requestId);
    } else if (!ATTRIBUTE_FILTERS.includes(filter.name)) {
      return ec2Error(
        400,
        'InvalidParameterValue',
        `The filter '${filter.name}' is invalid (the replay server supports: ${[...ATTRIBUTE_FILTERS, ...CIDR_FILTERS].join(', ')})`,
        requestId,
      );
    }
  }
  const routes = state.account.regions.get(region)?.routesByTable.get(tableId);
  if (!routes) {
    return ec2Error(
      400,
      'InvalidRouteTableID.NotFound',
      `The transitGatewayRouteTable ID '${tableId}' does not exist in ${region}`,
      requestId,
    );
  }
  const asked = params.get('MaxResults');
  const maxResults = asked === null ? MAX_RESULTS : Number(asked);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
    return ec2Error(
      400,
      'InvalidParameterValue',
      `MaxResults must be an integer from 1 to ${MAX_RESULTS}, got '${asked}'`,
      requestId,
    );
  }
  const query = `SearchTransitGatewayRoutes\n${region}\n${tableId}\n${filterKey(filters)}`;
  const matched = state.lists.get(query, () => routes.filter(routePredicate(filters)));
  const cap = Math.min(maxResults, state.pageSize);
  let list = '<routeSet>';
  for (let i = 0; i < matched.length && i < cap; i++)
    list += `<item>${(matched[i] as TgwRouteItem).xml}</item>`;
  list += '</routeSet>';
  return ec2Reply(
    'SearchTransitGatewayRoutes',
    requestId,
    list + el('additionalRoutesAvailable', matched.length > cap),
  );
}

/** The route-search filters on the parsed destination, the others as EC2 attribute filters. */
function routePredicate(filters: readonly Filter[]): (route: TgwRouteItem) => boolean {
  const cidrs = filters
    .filter((f) => CIDR_FILTERS.includes(f.name))
    .map((f) => ({ name: f.name, values: f.values.map((v) => parseCidr(v) as Cidr) }));
  const attributes = filterPredicate(filters.filter((f) => !CIDR_FILTERS.includes(f.name)));
  return (route) => {
    for (const { name, values } of cidrs) {
      const ok =
        name === 'route-search.exact-match'
          ? values.some((v) => within(v, route.cidr) && v.prefix === route.cidr?.prefix)
          : name === 'route-search.subnet-of-match'
            ? values.some((v) => within(route.cidr, v))
            : values.some((v) => within(v, route.cidr));
      if (!ok) return false;
    }
    return attributes(route);
  };
}
