/**
 * EC2 over the query protocol: form-encoded `Action=...` requests, XML answers built from the
 * account's ready-made `<item>` strings, `<Response><Errors>` errors. Each region's endpoint sees
 * only that region's resources (the region comes from the request's SigV4 scope).
 */

import type { Ec2Item, RegionResources } from './account.js';
import {
  type Ec2Request,
  ec2Error,
  ec2Reply,
  filterKey,
  filterPredicate,
  readFilters,
  readList,
} from './ec2-query.js';
import { pageOf } from './paging.js';
import type { Reply, ServerState } from './reply.js';
import { searchTransitGatewayRoutes } from './tgw-routes.js';
import { el } from './xml.js';

interface DescribeSpec {
  /** The XML list element of the answer (`vpcSet`, ...). */
  listName: string;
  /** The query name of the id list (`VpcId` -> VpcId.1, VpcId.2, ...). */
  idParam: string;
  items(region: RegionResources): readonly Ec2Item[];
  byId(region: RegionResources): ReadonlyMap<string, Ec2Item>;
  notFound: [code: string, message: (ids: string) => string];
  /** Filter names besides `tag:<key>` and `tag-key`. */
  filterNames: readonly string[];
}

const DESCRIBE: Record<string, DescribeSpec> = {
  DescribeVpcs: {
    listName: 'vpcSet',
    idParam: 'VpcId',
    items: (r) => r.vpcs,
    byId: (r) => r.vpcById,
    notFound: ['InvalidVpcID.NotFound', (ids) => `The vpc ID '${ids}' does not exist`],
    filterNames: [
      'vpc-id',
      'owner-id',
      'state',
      'is-default',
      'cidr',
      'cidr-block-association.cidr-block',
      'ipv6-cidr-block-association.ipv6-cidr-block',
    ],
  },
  DescribeSubnets: {
    listName: 'subnetSet',
    idParam: 'SubnetId',
    items: (r) => r.subnets,
    byId: (r) => r.subnetById,
    notFound: ['InvalidSubnetID.NotFound', (ids) => `The subnet ID '${ids}' does not exist`],
    filterNames: [
      'subnet-id',
      'vpc-id',
      'owner-id',
      'state',
      'cidr-block',
      'cidr',
      'ipv6-cidr-block-association.ipv6-cidr-block',
      'availability-zone',
    ],
  },
  DescribeTransitGateways: {
    listName: 'transitGatewaySet',
    idParam: 'TransitGatewayIds',
    items: (r) => r.transitGateways,
    byId: (r) => r.transitGatewayById,
    notFound: [
      'InvalidTransitGatewayID.NotFound',
      (ids) => `Transit Gateway ${ids} was deleted or does not exist.`,
    ],
    filterNames: ['transit-gateway-id', 'owner-id', 'state', 'options.amazon-side-asn'],
  },
  DescribeTransitGatewayRouteTables: {
    listName: 'transitGatewayRouteTables',
    idParam: 'TransitGatewayRouteTableIds',
    items: (r) => r.routeTables,
    byId: (r) => r.routeTableById,
    notFound: [
      'InvalidRouteTableID.NotFound',
      (ids) => `The transitGatewayRouteTable ID '${ids}' does not exist`,
    ],
    filterNames: [
      'transit-gateway-route-table-id',
      'transit-gateway-id',
      'state',
      'default-association-route-table',
      'default-propagation-route-table',
    ],
  },
};

export const EC2_ACTIONS = [...Object.keys(DESCRIBE), 'SearchTransitGatewayRoutes'];

/** The not-found error code of an action, for NotFound faults. */
export function notFoundCode(action: string): string {
  return (
    DESCRIBE[action]?.notFound[0] ??
    (action === 'SearchTransitGatewayRoutes' ? 'InvalidRouteTableID.NotFound' : 'InvalidParameterValue')
  );
}

export function handleEc2(state: ServerState, request: Ec2Request): Reply {
  if (request.action === 'SearchTransitGatewayRoutes') return searchTransitGatewayRoutes(state, request);
  const spec = Object.hasOwn(DESCRIBE, request.action) ? DESCRIBE[request.action] : undefined;
  if (!spec) {
    return ec2Error(
      400,
      'InvalidAction',
      `The action ${request.action || '(none)'} is not valid for this web service. The replay server serves: ${EC2_ACTIONS.join(', ')}`,
      request.requestId,
    );
  }
  return describe(state, request, spec);
}

function describe(state: ServerState, request: Ec2Request, spec: DescribeSpec): Reply {
  const { params, requestId } = request;
  const filters = readFilters(params);
  const bad = filters.find((f) => !spec.filterNames.includes(f.name) && !isTagFilter(f.name));
  if (bad) return ec2Error(400, 'InvalidParameterValue', `The filter '${bad.name}' is invalid`, requestId);
  const ids = [...new Set(readList(params, spec.idParam))];
  const region = state.account.regions.get(request.region);
  const byId = region ? spec.byId(region) : new Map<string, Ec2Item>();
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    return ec2Error(400, spec.notFound[0], spec.notFound[1](missing.join(', ')), requestId);
  }
  const query = `${request.action}\n${request.region}\n${ids.join(',')}\n${filterKey(filters)}`;
  const items = state.lists.get(query, () => {
    const candidates = ids.length
      ? ids.map((id) => byId.get(id) as Ec2Item)
      : region
        ? spec.items(region)
        : [];
    return filters.length ? candidates.filter(filterPredicate(filters)) : candidates;
  });
  const page = pageOf(
    items,
    query,
    params.get('NextToken') ?? undefined,
    params.get('MaxResults') ?? undefined,
    state.pageSize,
  );
  if ('error' in page) return ec2Error(400, 'InvalidParameterValue', page.error, requestId);
  let list = `<${spec.listName}>`;
  for (const item of page.items) list += `<item>${item.xml}</item>`;
  list += `</${spec.listName}>`;
  return ec2Reply(request.action, requestId, list + el('nextToken', page.nextToken));
}

function isTagFilter(name: string): boolean {
  return name === 'tag-key' || (name.startsWith('tag:') && name.length > 4);
}
