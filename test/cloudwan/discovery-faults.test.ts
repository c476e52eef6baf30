/**
 * Discovery of the hand-built replay account (test/cloudwan/replay/scenario.ts) when AWS says no:
 * AccessDenied on one region or one route table, throttling, missing or several core networks,
 * an unknown policy version, and cancellation. Every answer is known from the scenario: two edges
 * (us-east-1, eu-west-1), segments prod and dev, function group inspection, seven attachments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListAttachmentsCommand, NetworkManagerClient } from '@aws-sdk/client-networkmanager';
import {
  createCloudWanClients,
  type DiscoverOptions,
  type DiscoveryResult,
  discoverCoreNetwork,
  listCoreNetworks,
  readCoreNetworkPolicy,
} from '../../src/cloudwan/discovery/index.js';
import { AbortedError, CloudWanError } from '../../src/errors.js';
import type { TopologyView } from '../../src/topology/model.js';
import { buildTopology } from '../topology/helpers.js';
import { connectionLines, elementLines, routeLines } from './discovery-compare.js';
import {
  APP_ACCOUNT,
  CORE,
  DX,
  EU,
  INSPECTION,
  scenario,
  scenarioRecords,
  US,
  VPC_A,
  VPC_B,
  VPN,
} from './replay/scenario.js';
import { type ReplayFault, type ReplayOptions, startReplayServer } from './replay/server.js';

/** Discovers `topology` served with `options`; the server's call log comes back too. */
async function discover(
  topology: TopologyView,
  options: ReplayOptions = {},
  discoverOptions: DiscoverOptions = {},
): Promise<{
  result: DiscoveryResult;
  calls: Array<{ service: string; operation: string; region: string }>;
}> {
  const server = await startReplayServer(topology, options);
  Object.assign(process.env, server.env());
  try {
    const result = await discoverCoreNetwork(discoverOptions);
    return { result, calls: server.calls };
  } finally {
    await server.close();
  }
}

async function failure(topology: TopologyView, options: DiscoverOptions = {}): Promise<Error> {
  const server = await startReplayServer(topology);
  Object.assign(process.env, server.env());
  try {
    await discoverCoreNetwork(options);
  } catch (error) {
    return error as Error;
  } finally {
    await server.close();
  }
  throw new Error('discovery succeeded; an error was expected');
}

const fault = (f: ReplayFault): ReplayOptions => ({ faults: [f] });
const ALL = ['region', 'segment', 'accountId', 'state', 'cidrs'] as const;

describe('discovery of the hand-built account', () => {
  it('reads it whole, with every page followed, whatever the page size', async () => {
    const small = await discover(scenario(), { pageSize: 1 });
    const large = await discover(scenario(), { pageSize: 50 });
    assert.deepEqual(small.result.problems, []);
    // Seven attachments, one per page; one page when 50 fit.
    assert.equal(small.result.calls['networkmanager:ListAttachments'], 7);
    assert.equal(large.result.calls['networkmanager:ListAttachments'], 1);
    const a = small.result.topology;
    const b = large.result.topology;
    assert.deepEqual(elementLines(a, ALL), elementLines(b, ALL));
    assert.deepEqual(
      connectionLines(a, () => true),
      connectionLines(b, () => true),
    );
    assert.deepEqual(routeLines(a), routeLines(b));
    assert.equal(routeLines(a).length, 11);
    // The pending VPN propagates nothing, so no table shows a prefix of it.
    assert.deepEqual(a.cidrs(a.indexOf(VPN)), []);
    assert.deepEqual(a.cidrs(a.indexOf(DX)), ['172.18.0.0/20']);
    assert.equal(a.indexOf('vpc-0000000000000000d'), -1, 'an unattached VPC is not part of the core network');
  });

  it('recovers the Direct Connect attachment edge location that the 3.523 parser drops', async () => {
    const server = await startReplayServer(scenario());
    Object.assign(process.env, server.env());
    const client = new NetworkManagerClient({ region: 'us-west-2' });
    try {
      const listed = await client.send(new ListAttachmentsCommand({ CoreNetworkId: CORE }));
      const dx = listed.Attachments?.find((a) => a.AttachmentId === DX);
      assert.ok(dx);
      assert.equal(dx.EdgeLocation, undefined);
      assert.equal((dx as Record<string, unknown>).EdgeLocations, undefined);
      const result = await discoverCoreNetwork();
      const view = result.topology;
      const at = view.indexOf(DX);
      assert.equal(view.region(at), EU);
      assert.deepEqual(
        connectionLines(view, (c) => c.source === DX),
        [
          `attached-to ${DX} edge-${EU}`,
          `attachment-of ${DX} 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b`,
          `member-of ${DX} segment-dev`,
        ],
      );
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('goes on without the VPCs of a region that refuses DescribeVpcs, naming the permission', async () => {
    const { result, calls } = await discover(
      scenario(),
      fault({ service: 'ec2', operation: 'DescribeVpcs', region: EU, error: 'AccessDenied' }),
    );
    assert.equal(result.problems.length, 1);
    const [problem] = result.problems;
    assert.equal(problem?.service, 'ec2');
    assert.equal(problem?.operation, 'DescribeVpcs');
    assert.equal(problem?.region, EU);
    assert.equal(problem?.code, 'UnauthorizedOperation');
    assert.equal(problem?.permission, 'ec2:DescribeVpcs');
    assert.match(problem?.message ?? '', /not authorized to perform: ec2:DescribeVpcs in eu-west-1/);
    assert.equal(
      problem?.consequence,
      "1 VPC in eu-west-1: their CIDRs (so their attachments' CIDRs), names and subnets",
    );
    assert.equal(calls.filter((c) => c.operation === 'DescribeVpcs' && c.region === EU).length, 1);
    const view = result.topology;
    // us-east-1 is whole; the eu-west-1 VPC is known only by what its attachment's ARN says.
    assert.deepEqual(view.cidrs(view.indexOf(VPC_A)), ['10.1.0.0/16', '2600:1f18:aa00::/56']);
    assert.equal(view.name(view.indexOf('vpc-0000000000000000a')), 'app');
    assert.deepEqual(view.cidrs(view.indexOf(VPC_B)), []);
    assert.deepEqual(view.element(view.indexOf('vpc-0000000000000000b')), {
      id: 'vpc-0000000000000000b',
      type: 'vpc',
      region: EU,
      accountId: APP_ACCOUNT,
    });
    assert.equal(view.indexOf('subnet-0000000000000000c'), -1);
    assert.notEqual(view.indexOf('subnet-0000000000000000a'), -1);
    assert.equal(routeLines(view).length, 11);
  });

  it('goes on without one network route table that is refused', async () => {
    const { result } = await discover(
      scenario(),
      fault({
        service: 'networkmanager',
        operation: 'GetNetworkRoutes',
        match: `"SegmentName":"dev","EdgeLocation":"${EU}"`,
        error: 'AccessDenied',
      }),
    );
    assert.deepEqual(
      result.problems.map((p) => `${p.operation} ${p.resource} ${p.code} ${p.permission}`),
      ['GetNetworkRoutes segment dev at eu-west-1 AccessDeniedException networkmanager:GetNetworkRoutes'],
    );
    assert.match(result.problems[0]?.message ?? '', /networkmanager:GetNetworkRoutes/);
    const tables = result.networkRoutes.tables().map((t) => `${t.kind} ${t.name} ${t.edge}`);
    assert.deepEqual(tables, [
      `segment prod ${US}`,
      `segment prod ${EU}`,
      `segment dev ${US}`,
      `network-function-group inspection ${US}`,
      `network-function-group inspection ${EU}`,
    ]);
    assert.throws(
      () => result.networkRoutes.routes('segment', 'dev', EU),
      (error: Error) => error instanceof CloudWanError && /could not be read/.test(error.message),
    );
    // The Direct Connect attachment is dev's only one in eu-west-1, but inspection's eu-west-1
    // table also leads to it (prod reaches dev through inspection), so its prefix is still known.
    const view = result.topology;
    assert.deepEqual(view.cidrs(view.indexOf(DX)), ['172.18.0.0/20']);
    assert.deepEqual(view.cidrs(view.indexOf('attachment-0000000000000000e')), ['172.17.0.0/20']);
    // Without both tables, nothing names it.
    const { result: both } = await discover(scenario(), {
      faults: [
        {
          service: 'networkmanager',
          operation: 'GetNetworkRoutes',
          match: `"SegmentName":"dev","EdgeLocation":"${EU}"`,
          error: 'AccessDenied',
        },
        {
          service: 'networkmanager',
          operation: 'GetNetworkRoutes',
          match: `"NetworkFunctionGroupName":"inspection","EdgeLocation":"${EU}"`,
          error: 'AccessDenied',
        },
      ],
    });
    assert.deepEqual(
      both.problems.map((p) => p.resource),
      [`segment dev at ${EU}`, `network function group inspection at ${EU}`],
    );
    assert.deepEqual(both.topology.cidrs(both.topology.indexOf(DX)), []);
  });

  it('finishes whole when throttled twice', async () => {
    const { result, calls } = await discover(scenario(), {
      faults: [
        { service: 'networkmanager', operation: 'ListAttachments', error: 'Throttling', times: 2 },
        { service: 'ec2', operation: 'DescribeVpcs', region: US, error: 'Throttling', times: 2 },
      ],
    });
    assert.deepEqual(result.problems, []);
    // Retries are counted: one page after two refusals; two regions after two refusals.
    assert.equal(result.calls['networkmanager:ListAttachments'], 3);
    assert.equal(result.calls['ec2:DescribeVpcs'], 4);
    assert.equal(calls.filter((c) => c.operation === 'ListAttachments').length, 3);
    const { result: calm } = await discover(scenario());
    assert.deepEqual(elementLines(result.topology, ALL), elementLines(calm.topology, ALL));
    assert.deepEqual(routeLines(result.topology), routeLines(calm.topology));
  });

  it('recovers the function groups from GetCoreNetwork when the policy is refused', async () => {
    const { result } = await discover(
      scenario(),
      fault({ service: 'networkmanager', operation: 'GetCoreNetworkPolicy', error: 'AccessDenied' }),
    );
    assert.deepEqual(
      result.problems.map((p) => `${p.operation} ${p.permission}`),
      ['GetCoreNetworkPolicy networkmanager:GetCoreNetworkPolicy'],
    );
    const view = result.topology;
    assert.equal(view.policy(view.indexOf(CORE)), undefined);
    assert.equal(result.policyVersionId, undefined);
    assert.deepEqual(
      connectionLines(view, (c) => c.source === INSPECTION && c.type === 'member-of'),
      [`member-of ${INSPECTION} nfg-inspection`],
    );
    assert.deepEqual(
      result.networkRoutes.tables().filter((t) => t.kind === 'network-function-group').length,
      2,
    );
  });

  it('reads a policy version when asked, and reports one that does not exist', async () => {
    const { result: one } = await discover(scenario(), {}, { policyVersion: 1 });
    assert.equal(one.policyVersionId, 1);
    assert.deepEqual(one.topology.policy(one.topology.indexOf(CORE)), scenarioRecords().policies[CORE]);
    const { result: seven } = await discover(scenario(), {}, { policyVersion: 7 });
    assert.deepEqual(
      seven.problems.map((p) => `${p.code} ${p.consequence}`),
      [
        `ResourceNotFoundException policy version 7 of core network ${CORE}: policy checks, and function groups the API does not list`,
      ],
    );
    const server = await startReplayServer(scenario());
    Object.assign(process.env, server.env());
    const clients = createCloudWanClients();
    try {
      assert.deepEqual(await readCoreNetworkPolicy(clients, CORE), scenarioRecords().policies[CORE]);
      await assert.rejects(readCoreNetworkPolicy(clients, CORE, 7), (error: Error) => {
        assert.ok(error instanceof CloudWanError);
        assert.match(error.message, /could not read policy version 7 of core network/);
        assert.match(error.message, /check the version number/);
        return true;
      });
    } finally {
      clients.destroy();
      await server.close();
    }
  });

  it('says clearly when the account has no core network', async () => {
    const error = await failure(
      buildTopology({ elements: [{ id: 'vpc-1', type: 'vpc', region: US, cidrs: ['10.0.0.0/16'] }] }),
    );
    assert.ok(error instanceof CloudWanError);
    assert.equal((error as CloudWanError).code, 'HR_CLOUDWAN');
    assert.match(error.message, /^no core network found in this account \(Network Manager, us-west-2\); /);
  });

  it('lists the core networks when there are several and none is chosen, or an unknown one is', async () => {
    const records = scenarioRecords();
    const other = 'core-network-0ffffffffffffffff';
    records.elements.push(
      { id: 'global-network-0eeeeeeeeeeeeeeee', type: 'global-network', accountId: '111111111111' },
      { id: other, type: 'core-network', name: 'second', accountId: '111111111111', state: 'available' },
      { id: 'edge-ap-south-1', type: 'edge', name: 'ap-south-1', region: 'ap-south-1', asn: 64700 },
    );
    records.connections.push(
      { type: 'contains', source: 'global-network-0eeeeeeeeeeeeeeee', target: other },
      { type: 'contains', source: other, target: 'edge-ap-south-1' },
    );
    const two = buildTopology(records);
    const both = `${CORE} (global network global-network-0f1e2d3c4b5a69788), ${other} (global network global-network-0eeeeeeeeeeeeeeee)`;
    const none = await failure(two);
    assert.ok(none instanceof CloudWanError);
    assert.equal(
      none.message,
      `this account has 2 core networks (Network Manager, us-west-2); choose one with the core network id option: ${both}`,
    );
    const unknown = await failure(two, { coreNetworkId: 'core-network-0123' });
    assert.equal(
      unknown.message,
      `core network "core-network-0123" was not found in this account (Network Manager, us-west-2); core networks: ${both}`,
    );
    const { result } = await discover(two, {}, { coreNetworkId: other });
    assert.equal(result.coreNetworkId, other);
    assert.deepEqual(elementLines(result.topology, ['region']), [
      'core-network-0ffffffffffffffff region=null',
      'edge-ap-south-1 region="ap-south-1"',
      'global-network-0eeeeeeeeeeeeeeee region=null',
    ]);
    const server = await startReplayServer(two);
    Object.assign(process.env, server.env());
    const clients = createCloudWanClients();
    try {
      const listed = await listCoreNetworks(clients);
      assert.deepEqual(
        listed.map(
          (c) => `${c.coreNetworkId} ${c.globalNetworkId} ${c.state} ${c.ownerAccountId} ${c.tags.Name}`,
        ),
        [
          `${CORE} global-network-0f1e2d3c4b5a69788 available 111111111111 corenet`,
          `${other} global-network-0eeeeeeeeeeeeeeee available 111111111111 second`,
        ],
      );
    } finally {
      clients.destroy();
      await server.close();
    }
  });

  it('stops with an AbortedError when cancelled mid-way, calling nothing after', async () => {
    const server = await startReplayServer(scenario());
    Object.assign(process.env, server.env());
    const controller = new AbortController();
    try {
      await assert.rejects(
        discoverCoreNetwork({
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'attachments') controller.abort();
          },
        }),
        (error: Error) => error instanceof AbortedError && error.code === 'HR_ABORTED',
      );
      const counts = server.callCounts();
      assert.equal(counts['networkmanager:ListAttachments'], 1);
      assert.equal(counts['networkmanager:ListPeerings'], undefined);
      await assert.rejects(discoverCoreNetwork({ signal: AbortSignal.abort() }), AbortedError);
      assert.equal(
        server.calls.length,
        Object.values(counts).reduce((a, b) => a + b, 0),
      );
    } finally {
      await server.close();
    }
  });

  it('refuses options out of range, naming them', async () => {
    await assert.rejects(
      discoverCoreNetwork({ concurrency: 0 }),
      /concurrency must be an integer from 1 to 64/,
    );
    await assert.rejects(
      discoverCoreNetwork({ policyVersion: 1.5 }),
      /policyVersion must be a positive integer/,
    );
    assert.throws(
      () => createCloudWanClients({ maxAttempts: 0 }),
      /maxAttempts must be an integer from 1 to 20/,
    );
  });
});
