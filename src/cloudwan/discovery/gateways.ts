/**
 * The transit gateways the core network peers with, in each gateway's region: the gateways, their
 * route tables, and every route of those tables. A route's target is the element its
 * `resourceId` names when the topology has it, else its `transitGatewayAttachmentId` when that is
 * an element; routes to anything else (the gateway's own VPC or VPN attachments) have no element
 * to point at and are counted in a problem instead.
 */

import type { TransitGatewayRoute } from '@aws-sdk/client-ec2';
import type { Attachments } from './attachments.js';
import { describeRouteTables, describeTransitGateways, EC2_BATCH } from './ec2.js';
import type { FoundPeering } from './peers.js';
import { plural } from './problems.js';
import { gatewayRecord, record, routeTableRecord } from './records.js';
import { batches, forEachLimited, groupBy, type Run } from './run.js';
import { searchTransitGatewayRoutes } from './tgw-route-search.js';

interface RouteTableRef {
  id: string;
  region: string;
}

export async function discoverGateways(
  run: Run,
  peerings: readonly FoundPeering[],
  attachments: Attachments,
  written: Set<string>,
): Promise<void> {
  const gateways = new Map<string, { region: string; account: string }>();
  for (const peering of peerings) {
    const arn = peering.gateway;
    if (arn?.region && !gateways.has(arn.id))
      gateways.set(arn.id, { region: arn.region, account: arn.account });
  }
  const work: Array<{ region: string; ids: string[] }> = [];
  for (const [region, ids] of groupBy(gateways.keys(), (id) => gateways.get(id)!.region)) {
    for (const batch of batches(ids, EC2_BATCH)) work.push({ region, ids: batch });
  }
  const tables: RouteTableRef[] = [];
  await forEachLimited(run, 'transit-gateways', 'transit gateway batches', work, async ({ region, ids }) => {
    const client = run.clients.ec2(region);
    const owners = new Map<string, string | undefined>();
    try {
      await describeTransitGateways(client, ids, run.signal, (found) => {
        for (const gateway of found) {
          const id = gateway.TransitGatewayId;
          if (id === undefined || !gateways.has(id) || written.has(id)) continue;
          run.sink.addElement(gatewayRecord({ ...gateway, TransitGatewayId: id }, region));
          written.add(id);
          owners.set(id, gateway.OwnerId);
        }
      });
    } catch (error) {
      run.problems.fail(error, {
        service: 'ec2',
        operation: 'DescribeTransitGateways',
        region,
        resource: ids[0],
        merge: true,
        amount: ids.length,
        consequence: (n) => `the names, states and ASNs of ${plural(n, 'transit gateway')} in ${region}`,
      });
    }
    try {
      await describeRouteTables(client, ids, run.signal, (found) => {
        for (const table of found) {
          const id = table.TransitGatewayRouteTableId;
          const gateway = table.TransitGatewayId;
          if (id === undefined || gateway === undefined || !gateways.has(gateway) || written.has(id))
            continue;
          const account = owners.get(gateway) ?? (gateways.get(gateway)!.account || undefined);
          run.sink.addElement(
            routeTableRecord({ ...table, TransitGatewayRouteTableId: id }, region, account),
          );
          run.sink.addConnection({ type: 'contains', source: gateway, target: id });
          written.add(id);
          tables.push({ id, region });
        }
      });
    } catch (error) {
      run.problems.fail(error, {
        service: 'ec2',
        operation: 'DescribeTransitGatewayRouteTables',
        region,
        resource: ids[0],
        merge: true,
        amount: ids.length,
        consequence: (n) =>
          `the route tables (and their routes) of ${plural(n, 'transit gateway')} in ${region}`,
      });
    }
  });
  // A gateway that could not be described still has its peering's connection to land on.
  for (const [id, { region, account }] of gateways) {
    if (written.has(id)) continue;
    run.sink.addElement(record(id, 'transit-gateway', { region, accountId: account || undefined }));
    written.add(id);
  }
  await readRoutes(run, tables, (id) => attachments.has(id) || written.has(id));
}

async function readRoutes(run: Run, tables: RouteTableRef[], known: (id: string) => boolean): Promise<void> {
  const outside = new Map<string, { count: number; example: string }>();
  await forEachLimited(run, 'tgw-routes', 'TGW route tables', tables, async ({ id, region }) => {
    const write = (routes: TransitGatewayRoute[]): void => {
      for (const route of routes) {
        const destination = route.DestinationCidrBlock;
        if (destination === undefined) continue; // prefix-list routes have no CIDR to store
        const blackhole = route.State === 'blackhole';
        const via = route.TransitGatewayAttachments?.[0];
        let target: string | undefined;
        if (!blackhole) {
          target = [via?.ResourceId, via?.TransitGatewayAttachmentId].find(
            (t) => t !== undefined && known(t),
          );
          if (target === undefined) {
            const entry = outside.get(region) ?? { count: 0, example: `${destination} in ${id}` };
            entry.count++;
            outside.set(region, entry);
            continue;
          }
        }
        run.sink.addRoute({
          table: id,
          destination,
          ...(target === undefined ? {} : { target }),
          state: blackhole ? 'blackhole' : 'active',
          origin: route.Type === 'static' ? 'static' : 'propagated',
        });
      }
    };
    try {
      const { incomplete } = await searchTransitGatewayRoutes(run.clients.ec2(region), id, run.signal, write);
      if (incomplete.length > 0) {
        run.problems.add(
          {
            service: 'ec2',
            operation: 'SearchTransitGatewayRoutes',
            region,
            resource: id,
            consequence: () => `some routes of ${id} inside ${incomplete.slice(0, 5).join(', ')}`,
          },
          'AdditionalRoutesAvailable',
          'the search still had more routes at the longest prefix; nothing is left to split',
        );
      }
    } catch (error) {
      run.problems.fail(error, {
        service: 'ec2',
        operation: 'SearchTransitGatewayRoutes',
        region,
        resource: id,
        merge: true,
        consequence: (n) => `the routes of ${plural(n, 'TGW route table')} in ${region}`,
      });
    }
  });
  for (const [region, { count, example }] of outside) {
    run.problems.add(
      {
        service: 'ec2',
        operation: 'SearchTransitGatewayRoutes',
        region,
        amount: count,
        consequence: (n) =>
          `${plural(n, 'TGW route')} in ${region} whose next hop has no element in the topology`,
      },
      'RouteTargetOutsideTopology',
      `routes point at transit gateway attachments that are not part of the core network (first: ${example})`,
    );
  }
}
