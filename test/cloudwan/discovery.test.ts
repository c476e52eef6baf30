/**
 * Discovery round trip: a generated core network (3,000 elements, seed 7) is served by the replay
 * server as an AWS account, with pages of 20 items, and discovered back through the real SDK
 * clients, pointed at the server through the standard AWS_ENDPOINT_URL_* variables. What AWS
 * exposes must come back unchanged.
 *
 * Not discoverable through the APIs discovery uses, so left out of the comparison:
 * - association and propagation connections (attachment -> TGW route table): no listed API says;
 * - the names and states of the global network and the Direct Connect gateways, DX gateway ASNs,
 *   edge states, and VPN attachment ASNs (these need APIs outside Network Manager and the EC2
 *   calls listed in the mapping);
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetCoreNetworkCommand,
  ListAttachmentsCommand,
  NetworkManagerClient,
} from '@aws-sdk/client-networkmanager';
import type { DiscoveryResult, NetworkRoute } from '../../src/cloudwan/discovery/index.js';
import { discoverCoreNetwork } from '../../src/cloudwan/discovery/index.js';
import { analyzeCoreNetwork, routeTable } from '../../src/topology/analysis/index.js';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { ELEMENT_TYPES, type ElementType, type TopologyView } from '../../src/topology/model.js';
import { generateTopology } from '../../src/topology/sources/generate.js';
import { connectionLines, elementLines, idsOfType, routeLines } from './discovery-compare.js';
import { type ReplayServer, startReplayServer } from './replay/server.js';

const PAGE = 20;

describe('discovery round trip: generate -> replay -> discover', () => {
  let original: TopologyView;
  let server: ReplayServer;
  let result: DiscoveryResult;
  let found: TopologyView;
  let served: Record<string, number>;
  const phases: string[] = [];

  before(async () => {
    const builder = new TopologyBuilder({ source: 'generator' });
    generateTopology({ elements: 3000, seed: 7 }, builder);
    original = builder.build();
    server = await startReplayServer(original, { pageSize: PAGE });
    Object.assign(process.env, server.env());
    result = await discoverCoreNetwork({ onProgress: (p) => phases.push(p.phase) });
    found = result.topology;
    served = server.callCounts();
  });
  after(() => server.close());

  it('finds the core network and reports no problem', () => {
    const core = original.elementsOfType('core-network')[0]!;
    assert.equal(result.coreNetworkId, original.id(core));
    assert.equal(result.globalNetworkId, original.id(original.elementsOfType('global-network')[0]!));
    assert.deepEqual(result.problems, []);
    assert.equal(found.elementCount, 3000);
  });

  it('gives back the same element ids for every type', () => {
    for (const type of ELEMENT_TYPES) {
      assert.deepEqual(idsOfType(found, type), idsOfType(original, type), `ids of ${type}`);
    }
  });

  it('gives back regions, segments (function groups included), accounts and CIDRs', () => {
    const fields = ['region', 'segment', 'accountId', 'cidrs'] as const;
    assert.deepEqual(elementLines(found, fields), elementLines(original, fields));
    // 892 VPC attachments take their VPC's blocks; every other attachment its propagated routes'.
    const vpn = [...original.elementsOfType('vpn-attachment')].map((e) => original.id(e));
    for (const id of vpn) assert.ok(found.cidrs(found.indexOf(id)).length > 0, `${id} has CIDRs`);
  });

  it('gives back states, ASNs, names and tags where AWS has them', () => {
    const notDiscoverable = new Set<ElementType>(['global-network', 'dx-gateway', 'edge', 'vpn-attachment']);
    const only = (type: ElementType) => !notDiscoverable.has(type);
    const fields = ['state', 'asn', 'name', 'tags'] as const;
    assert.deepEqual(elementLines(found, fields, only), elementLines(original, fields, only));
    // What does come back for the others.
    assert.deepEqual(
      elementLines(found, ['asn'], (t) => t === 'edge'),
      elementLines(original, ['asn'], (t) => t === 'edge'),
    );
    assert.deepEqual(
      elementLines(found, ['state', 'name', 'tags'], (t) => t === 'vpn-attachment'),
      elementLines(original, ['state', 'name', 'tags'], (t) => t === 'vpn-attachment'),
    );
  });

  it('recovers the network function groups that the 3.523 parser drops', async () => {
    assert.deepEqual(idsOfType(found, 'network-function-group'), ['nfg-egress', 'nfg-inspection']);
    const inspection = found.elementsInSegment('inspection');
    assert.ok(inspection.length > 1);
    // The SDK alone, on the same responses, has no trace of them.
    const client = new NetworkManagerClient({ region: 'us-west-2' });
    try {
      const core = await client.send(new GetCoreNetworkCommand({ CoreNetworkId: result.coreNetworkId }));
      assert.equal((core.CoreNetwork as Record<string, unknown>).NetworkFunctionGroups, undefined);
      const listed = await client.send(new ListAttachmentsCommand({ CoreNetworkId: result.coreNetworkId }));
      const attachments = listed.Attachments ?? [];
      assert.ok(attachments.length > 0);
      for (const a of attachments) {
        assert.equal((a as Record<string, unknown>).NetworkFunctionGroupName, undefined);
        if (found.segment(found.indexOf(a.AttachmentId!)) === 'inspection')
          assert.equal(a.SegmentName, undefined);
      }
    } finally {
      client.destroy();
    }
  });

  it('gives back every connection but association and propagation (DX attachments on all their edges)', () => {
    const keep = (c: { type: string }) => c.type !== 'association' && c.type !== 'propagation';
    const expected = connectionLines(original, keep);
    assert.equal(expected.length, 6000 - 2 * 969);
    assert.deepEqual(connectionLines(found, keep), expected);
    // Discovery makes none of the undiscoverable ones.
    assert.equal(connectionLines(found, (c) => !keep(c)).length, 0);
  });

  it('gives back every TGW route, target included', () => {
    const expected = routeLines(original);
    assert.equal(expected.length, 999);
    assert.deepEqual(routeLines(found), expected);
  });

  it('gives back the policy', () => {
    const index = found.indexOf(result.coreNetworkId);
    assert.deepEqual(found.policy(index), original.policy(original.indexOf(result.coreNetworkId)));
  });

  it('reads every network route table, equal to what the analysis computes', () => {
    const analysis = analyzeCoreNetwork(original);
    const expected: string[] = [];
    for (const kind of ['segment', 'network-function-group'] as const) {
      const names = kind === 'segment' ? analysis.segmentNames : analysis.functionGroupNames;
      for (const name of names) {
        for (const edge of analysis.edgeRegions) expected.push(`${kind} ${name} ${edge}`);
      }
    }
    const tables = result.networkRoutes.tables();
    assert.deepEqual(tables.map((t) => `${t.kind} ${t.name} ${t.edge}`).sort(), expected.sort());
    for (const table of tables) {
      const page = routeTable(analysis, table.name, table.edge, { limit: 10_000 });
      assert.equal(table.routes, page.total, `${table.name} at ${table.edge}`);
      const got = result.networkRoutes.routes(table.kind, table.name, table.edge, { limit: 10_000 });
      assert.equal(got.total, page.total);
      const want = page.routes.map((entry) => {
        const hop = entry.nextHop;
        const state = hop.kind === 'blackhole' ? 'blackhole' : 'active';
        const type = entry.origin === 'static' ? 'static' : 'propagated';
        const target =
          hop.kind === 'attachment'
            ? `attachment ${hop.id}`
            : hop.kind === 'edge'
              ? `edge ${hop.region}`
              : hop.kind === 'network-function-group'
                ? `nfg ${hop.id}@${hop.region}`
                : '-';
        return `${entry.destination} ${state} ${type} ${target}`;
      });
      assert.deepEqual(got.routes.map(line), want, `${table.kind} ${table.name} at ${table.edge}`);
    }
  });

  it('follows every page and counts each call', () => {
    const attachments = 892 + 45 + 15 + 15 + 12;
    assert.equal(result.calls['networkmanager:ListAttachments'], Math.ceil(attachments / PAGE));
    assert.ok((result.calls['ec2:DescribeVpcs'] ?? 0) > 7, 'VPCs of each region need several pages');
    assert.ok(
      (result.calls['ec2:SearchTransitGatewayRoutes'] ?? 0) > 30,
      'full route tables need split searches',
    );
    assert.deepEqual(result.calls, served);
    // EC2 was asked only in the core network's regions.
    const regions = new Set(Array.from(found.elementsOfType('edge'), (e) => found.region(e)));
    for (const call of server.calls.slice(
      0,
      Object.values(served).reduce((a, b) => a + b, 0),
    )) {
      assert.ok(
        call.service === 'networkmanager' ? call.region === 'us-west-2' : regions.has(call.region),
        `${call.region}`,
      );
    }
  });

  it('reports progress for each phase', () => {
    const seen = [...new Set(phases)];
    assert.deepEqual(seen, [
      'core-network',
      'policy',
      'attachments',
      'peerings',
      'attachment-details',
      'connect-peers',
      'network-routes',
      'vpcs',
      'transit-gateways',
      'tgw-routes',
      'write',
      'build',
    ]);
  });

  it('answers lookups from the discovered network routes', () => {
    const table = result.networkRoutes.tables().find((t) => t.kind === 'segment')!;
    const analysis = analyzeCoreNetwork(original);
    const first = routeTable(analysis, table.name, table.edge, { limit: 1 }).routes[0]!;
    const address = first.destination.split('/')[0]!;
    const hit = result.networkRoutes.lookup(table.kind, table.name, table.edge, address);
    assert.ok(hit);
    assert.ok(hit.destination.endsWith(`/${Math.max(...matchingLengths(result, table, address))}`));
  });
});

function line(route: NetworkRoute): string {
  const target = route.targets[0];
  const where =
    target === undefined
      ? '-'
      : target.attachmentId !== undefined
        ? `attachment ${target.attachmentId}`
        : target.networkFunctionGroup !== undefined
          ? `nfg ${target.networkFunctionGroup}@${target.edge}`
          : `edge ${target.edge}`;
  return `${route.destination} ${route.state} ${route.type} ${where}`;
}

/** The prefix lengths of every route of the table containing `address` (IPv4 only), computed by hand. */
function matchingLengths(
  result: DiscoveryResult,
  table: { kind: 'segment' | 'network-function-group'; name: string; edge: string },
  address: string,
): number[] {
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const ip = toInt(address);
  const { routes } = result.networkRoutes.routes(table.kind, table.name, table.edge, { limit: 10_000 });
  const lengths: number[] = [];
  for (const route of routes) {
    const [base, length] = route.destination.split('/');
    if (!base || base.includes(':')) continue;
    const bits = Number(length);
    const size = 2 ** (32 - bits);
    const start = toInt(base);
    if (ip >= start && ip < start + size) lengths.push(bits);
  }
  return lengths;
}
