/**
 * Replay server pagination through the SDK paginators: opaque tokens across pages of
 * min(MaxResults, pageSize), SearchTransitGatewayRoutes truncation followed to the end by splitting
 * the search with route-search.subnet-of-match, a generated topology whose pages add up to its
 * element counts, and an account with no core network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import {
  ListAttachmentsCommand,
  ListCoreNetworksCommand,
  paginateListAttachments,
} from '@aws-sdk/client-networkmanager';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { formatCidr, parseCidr } from '../../src/topology/cidr.js';
import { ATTACHMENT_TYPES } from '../../src/topology/model.js';
import { generateTopology } from '../../src/topology/sources/generate.js';
import { buildTopology } from '../topology/helpers.js';
import { ATTACHMENTS, CORE, scenario, TGW_ROUTES, US } from './replay/scenario.js';
import { type ReplayServer, startReplayServer } from './replay/server.js';
import { type Clients, clientsFor, restoreEnv, sdkError } from './replay/test-clients.js';

after(restoreEnv);

describe('replay server pagination (page size 2)', () => {
  let server: ReplayServer;
  let aws: Clients;
  before(async () => {
    server = await startReplayServer(scenario(), { pageSize: 2 });
    aws = clientsFor(server);
  });
  after(async () => {
    aws.destroy();
    await server.close();
  });

  it('pages ListAttachments by NextToken, whatever MaxResults asks', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListAttachments(
      { client: aws.nm, pageSize: 100 },
      { CoreNetworkId: CORE },
    )) {
      pages.push((page.Attachments ?? []).map((a) => a.AttachmentId as string));
      assert.ok(pages.length <= 10, 'the paginator should stop after 4 pages');
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 2, 1],
    );
    assert.deepEqual(pages.flat(), [...ATTACHMENTS]);
    assert.equal(server.callCounts()['networkmanager:ListAttachments'], 4);
  });

  it('pages DescribeVpcs by NextToken, and smaller pages when MaxResults is smaller', async () => {
    const sizes = async (pageSize?: number) => {
      const out: number[] = [];
      for await (const page of paginateDescribeVpcs(
        { client: aws.ec2(US), ...(pageSize ? { pageSize } : {}) },
        {},
      )) {
        out.push(page.Vpcs?.length ?? 0);
        assert.ok(out.length <= 10);
      }
      return out;
    };
    assert.deepEqual(await sizes(), [2, 1]);
    assert.deepEqual(await sizes(1), [1, 1, 1]);
    const subnets: string[] = [];
    for await (const page of paginateDescribeSubnets({ client: aws.ec2(US) }, {})) {
      subnets.push(...(page.Subnets ?? []).map((s) => s.SubnetId as string));
      assert.ok(subnets.length <= 10);
    }
    assert.deepEqual(subnets, ['subnet-0000000000000000a', 'subnet-0000000000000000b']);
  });

  it('refuses a token of another listing', async () => {
    const first = await aws.nm.send(new ListAttachmentsCommand({ CoreNetworkId: CORE }));
    assert.ok(first.NextToken);
    const error = await sdkError(
      aws.nm.send(new ListAttachmentsCommand({ AttachmentType: 'VPC', NextToken: first.NextToken })),
    );
    assert.equal(error.name, 'ValidationException');
    assert.match(error.message, /NextToken/);
  });

  it('truncates SearchTransitGatewayRoutes and answers the subnet-of-match split', async () => {
    const search = (values: string[], name = 'route-search.subnet-of-match') =>
      aws.ec2(US).send(
        new SearchTransitGatewayRoutesCommand({
          TransitGatewayRouteTableId: 'tgw-rtb-0000000000000000a',
          Filters: [
            { Name: 'state', Values: ['active', 'blackhole'] },
            { Name: name, Values: values },
          ],
          MaxResults: 1000,
        }),
      );
    const all = await aws.ec2(US).send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: 'tgw-rtb-0000000000000000a',
        Filters: [{ Name: 'state', Values: ['active', 'blackhole'] }],
      }),
    );
    assert.equal(all.Routes?.length, 2);
    assert.equal(all.AdditionalRoutesAvailable, true);
    // Known answers: 192.0.0.0/2 holds exactly two routes, 0.0.0.0/1 four (so it is cut at two).
    const upper = await search(['192.0.0.0/2']);
    assert.deepEqual(
      upper.Routes?.map((r) => r.DestinationCidrBlock),
      ['192.0.2.0/24', '200.1.0.0/16'],
    );
    assert.equal(upper.AdditionalRoutesAvailable, false);
    const lower = await search(['0.0.0.0/1']);
    assert.deepEqual(
      lower.Routes?.map((r) => r.DestinationCidrBlock),
      ['10.1.0.0/16', '10.2.0.0/16'],
    );
    assert.equal(lower.AdditionalRoutesAvailable, true);

    // Followed to the end as discovery does: halve each truncated prefix, and ask for the prefix
    // itself by exact match (a route equal to it is in neither half).
    const found = new Set<string>();
    const add = (routes: Array<{ DestinationCidrBlock?: string }> | undefined) => {
      for (const r of routes ?? []) found.add(r.DestinationCidrBlock as string);
    };
    for (const root of ['0.0.0.0/0', '::/0']) add((await search([root], 'route-search.exact-match')).Routes);
    const queue = ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'];
    for (let i = 0; i < queue.length; i++) {
      assert.ok(i < 500, 'the split should finish within 500 searches');
      const prefix = queue[i] as string;
      const answer = await search([prefix]);
      add(answer.Routes);
      if (!answer.AdditionalRoutesAvailable) continue;
      add((await search([prefix], 'route-search.exact-match')).Routes);
      queue.push(...halves(prefix));
    }
    assert.deepEqual([...found].sort(), TGW_ROUTES.map(([destination]) => destination).sort());
  });
});

/** The two halves of a prefix: one bit longer, that bit 0 and 1. */
function halves(prefix: string): string[] {
  const cidr = parseCidr(prefix);
  assert.ok(cidr);
  const length = cidr.prefix + 1;
  const upper = [...cidr.words];
  const word = Math.floor(cidr.prefix / 32);
  upper[word] = ((upper[word] as number) | (1 << (31 - (cidr.prefix % 32)))) >>> 0;
  return [formatCidr({ ...cidr, prefix: length }), formatCidr({ ...cidr, words: upper, prefix: length })];
}

describe('replay server with a generated topology (2,000 elements)', () => {
  let server: ReplayServer;
  let aws: Clients;
  const builder = new TopologyBuilder({ source: 'generator' });
  const summary = generateTopology({ elements: 2000, seed: 7 }, builder);
  const view = builder.build();
  before(async () => {
    server = await startReplayServer(view);
    aws = clientsFor(server);
  });
  after(async () => {
    aws.destroy();
    await server.close();
  });

  it('pages every attachment and every VPC of every region', async () => {
    const expected = ATTACHMENT_TYPES.reduce((sum, type) => sum + summary.elementsByType[type], 0);
    assert.ok(expected > 100, 'the generated topology should need several pages');
    const seen = new Set<string>();
    let pages = 0;
    for await (const page of paginateListAttachments(
      { client: aws.nm },
      { CoreNetworkId: summary.coreNetworkId },
    )) {
      for (const a of page.Attachments ?? []) seen.add(a.AttachmentId as string);
      pages++;
      assert.ok(pages <= 1000);
    }
    assert.equal(seen.size, expected);
    assert.equal(pages, Math.ceil(expected / 50));
    let vpcs = 0;
    for (const region of summary.regions) {
      for await (const page of paginateDescribeVpcs({ client: aws.ec2(region) }, {})) {
        vpcs += page.Vpcs?.length ?? 0;
        assert.ok(vpcs <= summary.elementsByType.vpc);
      }
    }
    assert.equal(vpcs, summary.elementsByType.vpc);
  });
});

describe('replay server with an account that has no core network', () => {
  it('lists no core networks, attachments or VPCs', async () => {
    const server = await startReplayServer(buildTopology({ elements: [] }));
    const aws = clientsFor(server);
    try {
      assert.deepEqual((await aws.nm.send(new ListCoreNetworksCommand({}))).CoreNetworks, []);
      assert.deepEqual((await aws.nm.send(new ListAttachmentsCommand({}))).Attachments, []);
      const vpcs = [];
      for await (const page of paginateDescribeVpcs({ client: aws.ec2(US) }, {}))
        vpcs.push(...(page.Vpcs ?? []));
      assert.deepEqual(vpcs, []);
    } finally {
      aws.destroy();
      await server.close();
    }
  });
});
