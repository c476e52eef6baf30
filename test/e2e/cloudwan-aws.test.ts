/**
 * `headroom cloudwan` discovering through the AWS SDK, as a user runs it: a child process whose SDK
 * clients reach the loopback replay server (Network Manager restJson1, EC2 query protocol) through
 * the standard AWS_ENDPOINT_URL_* variables, driven by the MCP SDK Client over stdio. Every tool is
 * called; answers are checked against the topology the replay server serves and against the engine
 * run in this process on what discovery reads from the same server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import {
  createCloudWanClients,
  type DiscoveryResult,
  discoverCoreNetwork,
} from '../../src/cloudwan/discovery/index.js';
import { analyzeCoreNetwork, traceNetworkPath } from '../../src/topology/analysis/index.js';
import { TopologyBuilder } from '../../src/topology/builder.js';
import type { TopologyView } from '../../src/topology/model.js';
import { generateTopology } from '../../src/topology/sources/generate.js';
import { type ReplayServer, startReplayServer } from '../cloudwan/replay/server.js';
import { Cleanup, connectStdio, type StdioClient, within } from './cli-helpers.js';

// A tool's JSON answer, as far as a test reads it.
// biome-ignore lint/suspicious/noExplicitAny: a test reads nested fields; a miss fails its assertion.
type Json = Record<string, any>;

const STEP_MS = 60_000;
const cleanup = new Cleanup();
const servers: ReplayServer[] = [];
after(async () => {
  await cleanup.run();
  await Promise.all(servers.map((s) => s.close()));
});

function generated(elements: number, seed: number): TopologyView {
  const builder = new TopologyBuilder();
  generateTopology({ elements, seed }, builder);
  return builder.build();
}

async function serve(replay: ReplayServer, extra: string[] = []): Promise<StdioClient> {
  const home = cleanup.tempDir('headroom-e2e-aws-');
  const env = {
    ...replay.env(),
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: `${home}/none`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/none`,
  };
  return connectStdio(['cloudwan', '--max-attempts', '3', ...extra], cleanup, { env, timeoutMs: 30_000 });
}

function tools(client: StdioClient) {
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await within(client.client.callTool({ name, arguments: args }), STEP_MS, name)) as CallToolResult;
  const textOf = (result: CallToolResult) => {
    const block = result.content[0];
    assert.ok(block && block.type === 'text');
    return block.text;
  };
  return {
    call,
    textOf,
    json: async (name: string, args: Record<string, unknown> = {}): Promise<Json> => {
      const result = await call(name, args);
      assert.notEqual(result.isError, true, `${name} failed: ${textOf(result)}`);
      return JSON.parse(textOf(result));
    },
    error: async (name: string, args: Record<string, unknown> = {}): Promise<string> => {
      const result = await call(name, args);
      assert.equal(result.isError, true, `${name} should fail`);
      return textOf(result);
    },
  };
}

function hostIn(view: TopologyView, element: number): string {
  const [base] = (view.cidrs(element)[0] as string).split('/');
  const parts = (base as string).split('.').map(Number);
  parts[3] = (parts[3] as number) + 1;
  return parts.join('.');
}

describe('headroom cloudwan discovering through the AWS wire protocols', { timeout: 240_000 }, () => {
  let view: TopologyView;
  let replay: ReplayServer;
  let client: StdioClient;
  let discovered: DiscoveryResult;
  let t: ReturnType<typeof tools>;

  before(async () => {
    view = generated(1500, 11);
    replay = await startReplayServer(view, { pageSize: 50 });
    servers.push(replay);
    // The same discovery in this process, for the answers the engine gives on what AWS returns.
    Object.assign(process.env, replay.env());
    const clients = createCloudWanClients({ maxAttempts: 3 });
    discovered = await discoverCoreNetwork({ clients });
    clients.destroy();
    client = await serve(replay);
    t = tools(client);
  });

  it('serves what discovery read, with the AWS calls it took and its age', async () => {
    const summary = await t.json('topology_summary');
    assert.equal(summary.elements, discovered.topology.elementCount);
    assert.equal(summary.connections, discovered.topology.connectionCount);
    assert.equal(summary.byType['vpc-attachment'], view.elementsOfType('vpc-attachment').length);
    assert.match(summary.asOf.source, /^AWS core network core-network-/);
    assert.ok(summary.asOf.refreshInSeconds > 0, 'a discovered network expires');
    assert.ok(
      summary.awsCalls['networkmanager:ListAttachments'] > 1,
      'ListAttachments followed past page one',
    );
    assert.equal(summary.problems, undefined);
  });

  it('lists core networks live and reads policies by version', async () => {
    const core = view.id(view.elementsOfType('core-network')[0] as number);
    const listed = await t.json('list_core_networks');
    assert.deepEqual(
      listed.coreNetworks.map((c: { coreNetworkId: string; served: boolean }) => [c.coreNetworkId, c.served]),
      [[core, true]],
    );
    const live = await t.json('get_core_network_policy');
    assert.deepEqual(live.policy, view.policy(view.indexOf(core)));
    const one = await t.json('get_core_network_policy', { version: 1 });
    assert.deepEqual(one.policy, live.policy);
    assert.match(await t.error('get_core_network_policy', { version: 7 }), /7/);
    const summary = await t.json('get_core_network');
    assert.equal(summary.coreNetworkId, core);
    assert.equal((await t.json('validate_core_network_policy')).valid, true);
  });

  it('answers attachments, peerings and route tables from the discovered data', async () => {
    const vpn = await t.json('list_attachments', { type: 'vpn-attachment', limit: 500 });
    assert.equal(vpn.total, view.elementsOfType('vpn-attachment').length);
    const dx = view.elementsOfType('dx-gateway-attachment')[0] as number;
    const one = await t.json('get_attachment', { attachment_id: view.id(dx) });
    assert.equal(one.region, view.region(dx), 'the DX edge location recovered from the raw body');
    const peerings = await t.json('list_peerings', { limit: 100 });
    assert.equal(peerings.total, view.elementsOfType('tgw-peering').length);

    const analysis = analyzeCoreNetwork(discovered.topology);
    const [segment, edge] = [analysis.segmentNames[0] as string, analysis.edgeRegions[0] as string];
    const routes = await t.json('get_routes', { segment, edge, limit: 10 });
    assert.equal(routes.source, 'aws (GetNetworkRoutes)');
    assert.equal(routes.total, discovered.networkRoutes.routes('segment', segment, edge).total);
    const table = view.elementsOfType('tgw-route-table')[0] as number;
    const tgw = await t.json('get_routes', { tgw_route_table_id: view.id(table), limit: 500 });
    assert.equal(tgw.total, [...view.routesOf(table)].length);
  });

  it('traces, inspects and simulates as the engine does on the same data', async () => {
    const analysis = analyzeCoreNetwork(discovered.topology);
    const vpcs = view.elementsOfType('vpc');
    for (const [a, b] of [
      [3, 40],
      [10, 200],
      [77, 5],
    ] as const) {
      const src = hostIn(view, vpcs[a] as number);
      const dst = hostIn(view, vpcs[b] as number);
      const answer = await t.json('trace_network_path', { source_ip: src, destination_ip: dst });
      const expected = traceNetworkPath(analysis, src, dst);
      assert.equal(answer.reachable, expected.reachable);
      assert.deepEqual(answer.hops, expected.hops);
    }
    const [first, second] = analysis.segmentNames as [string, string];
    assert.equal(
      typeof (await t.json('detect_inspection', { source_segment: first, destination_segment: second }))
        .inspected,
      'boolean',
    );
    const attachment = view.id(view.elementsOfType('vpc-attachment')[1] as number);
    const moved = await t.json('simulate_attachment_change', { attachment_id: attachment, segment: second });
    assert.equal(moved.attachment, attachment);
  });

  it('streams, renders, refreshes (calling AWS again) and loads no file from outside', async () => {
    const chunks = await t.json('stream_topology_chunks', { chunk_size: 100, limit: 2 });
    assert.equal(chunks.chunks.length, 2);
    assert.ok(chunks.nextCursor);
    assert.match((await t.json('render_topology')).diagram, /^flowchart/);
    const before = replay.calls.length;
    const refreshed = await t.json('refresh_topology', {});
    assert.equal(refreshed.refreshed, true);
    assert.ok(replay.calls.length > before, 'a refresh discovers again');
    assert.equal(refreshed.asOf.ageSeconds, 0);
    assert.match(
      await t.error('stream_topology_chunks', { chunk_size: 100, cursor: chunks.nextCursor }),
      /loaded again/,
    );
    assert.match(await t.error('load_topology_snapshot', { path: '/etc/passwd' }), /outside the folders/);
  });
});

describe('headroom cloudwan with partial and missing access', { timeout: 180_000 }, () => {
  it('serves what it could read and names the permission that was missing', async () => {
    const view = generated(600, 4);
    const region = view.regions()[1] as string;
    const replay = await startReplayServer(view, {
      faults: [{ service: 'ec2', operation: 'DescribeVpcs', region, error: 'AccessDenied' }],
    });
    servers.push(replay);
    const t = tools(await serve(replay));
    const summary = await t.json('topology_summary');
    assert.ok(summary.elements > 0);
    const problem = summary.problems.find((p: { operation: string }) => p.operation === 'DescribeVpcs');
    assert.ok(problem, JSON.stringify(summary.problems));
    assert.equal(problem.permission, 'ec2:DescribeVpcs');
    assert.equal(problem.region, region);
  });

  it('says clearly when the account has no core network', async () => {
    const replay = await startReplayServer(new TopologyBuilder().build());
    servers.push(replay);
    const t = tools(await serve(replay));
    assert.match(await t.error('topology_summary'), /no core network/i);
  });
});
