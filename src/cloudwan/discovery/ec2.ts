/**
 * The EC2 Describe calls discovery makes, in one region each, following NextToken to the end.
 * SearchTransitGatewayRoutes, which pages differently, is in tgw-route-search.ts.
 */

import {
  DescribeSubnetsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Subnet,
  type TransitGateway,
  type TransitGatewayRouteTable,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { PageTokens } from './page-tokens.js';

/** Ids per DescribeVpcs call, and values per filter: the EC2 limit for both. */
export const EC2_BATCH = 200;
const PAGE_SIZE = 1000;

/**
 * Follows NextToken to the end, handing over each page's items. A token that comes back, or pages
 * past MAX_PAGES, end it with a PaginationError (so the loop is bounded).
 */
export async function eachPage<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  onItems: (items: T[]) => void,
): Promise<void> {
  const tokens = new PageTokens();
  let token: string | undefined;
  for (;;) {
    const { items, next } = await fetch(token);
    onItems(items ?? []);
    if (!tokens.next(next)) return;
    token = next;
  }
}

/** DescribeVpcs by id (MaxResults may not be given with ids). */
export function describeVpcs(
  client: EC2Client,
  ids: string[],
  signal: AbortSignal | undefined,
  onVpcs: (vpcs: Vpc[]) => void,
): Promise<void> {
  return eachPage(async (NextToken) => {
    const out = await client.send(new DescribeVpcsCommand({ VpcIds: ids, NextToken }), {
      abortSignal: signal,
    });
    return { items: out.Vpcs, next: out.NextToken };
  }, onVpcs);
}

export function describeSubnets(
  client: EC2Client,
  vpcIds: string[],
  signal: AbortSignal | undefined,
  onSubnets: (subnets: Subnet[]) => void,
): Promise<void> {
  const Filters = [{ Name: 'vpc-id', Values: vpcIds }];
  return eachPage(async (NextToken) => {
    const out = await client.send(new DescribeSubnetsCommand({ Filters, MaxResults: PAGE_SIZE, NextToken }), {
      abortSignal: signal,
    });
    return { items: out.Subnets, next: out.NextToken };
  }, onSubnets);
}

export function describeTransitGateways(
  client: EC2Client,
  ids: string[],
  signal: AbortSignal | undefined,
  onGateways: (gateways: TransitGateway[]) => void,
): Promise<void> {
  return eachPage(async (NextToken) => {
    const out = await client.send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: ids, NextToken }), {
      abortSignal: signal,
    });
    return { items: out.TransitGateways, next: out.NextToken };
  }, onGateways);
}

export function describeRouteTables(
  client: EC2Client,
  gatewayIds: string[],
  signal: AbortSignal | undefined,
  onTables: (tables: TransitGatewayRouteTable[]) => void,
): Promise<void> {
  const Filters = [{ Name: 'transit-gateway-id', Values: gatewayIds }];
  return eachPage(async (NextToken) => {
    const out = await client.send(
      new DescribeTransitGatewayRouteTablesCommand({ Filters, MaxResults: PAGE_SIZE, NextToken }),
      { abortSignal: signal },
    );
    return { items: out.TransitGatewayRouteTables, next: out.NextToken };
  }, onTables);
}
