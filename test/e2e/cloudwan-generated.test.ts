/**
 * The real `headroom cloudwan` process serving a generated topology and a snapshot, driven by the
 * SDK's Client over stdio. Answers are checked against the engine run in this process on the same
 * topology (the generator is deterministic), so the test proves the tools, their arguments, paging
 * and the transport carry the engine's results intact; the errors are checked for what they say.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import {
  analyzeCoreNetwork,
  routeTable,
  simulateAttachmentChange,
  traceNetworkPath,
} from '../../src/topology/analysis/index.js';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { ATTACHMENT_TYPES, type TopologyView } from '../../src/topology/model.js';
import { generateTopology } from '../../src/topology/sources/generate.js';
import { generateSnapshot } from '../../src/topology/sources/snapshot-write.js';
import { Cleanup, connectStdio, type StdioClient, within } from './cli-helpers.js';

// A tool's JSON answer, as far as a test reads it.
// biome-ignore lint/suspicious/noExplicitAny: a test reads nested fields; a miss fails its assertion.
type Json = Record<string, any>;

const ELEMENTS = 2000;
const SEED = 3;
const STEP_MS = 20_000;
const cleanup = new Cleanup();
let server: StdioClient;
let view: TopologyView;

before(async () => {
  const builder = new TopologyBuilder();
  generateTopology({ elements: ELEMENTS, seed: SEED }, builder);
  view = builder.build();
  server = await connectStdio(['cloudwan', '--generate', String(ELEMENTS), '--seed', String(SEED)], cleanup);
});
after(() => cleanup.run());

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await within(server.client.callTool({ name, arguments: args }), STEP_MS, name)) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  const block = result.content[0];
  assert.ok(block && block.type === 'text', 'a text block first');
  return block.text;
}

async function json(name: string, args: Record<string, unknown> = {}): Promise<Json> {
  const result = await call(name, args);
  assert.notEqual(result.isError, true, `${name} failed: ${textOf(result)}`);
  return JSON.parse(textOf(result));
}

async function error(name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(name, args);
  assert.equal(result.isError, true, `${name} should fail: ${textOf(result).slice(0, 300)}`);
  return textOf(result);
}

/** The first address of an element's first CIDR, plus one (a host address inside it). */
function hostIn(element: number): string {
  const [base] = (view.cidrs(element)[0] as string).split('/');
  const parts = (base as string).split('.').map(Number);
  parts[3] = (parts[3] as number) + 1;
  return parts.join('.');
}

describe('headroom cloudwan over stdio, generated topology', { timeout: 120_000 }, () => {
  it('lists sixteen read-only tools with object schemas', async () => {
    const { tools } = await server.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'detect_inspection',
      'get_attachment',
      'get_core_network',
      'get_core_network_policy',
      'get_routes',
      'list_attachments',
      'list_core_networks',
      'list_peerings',
      'load_topology_snapshot',
      'refresh_topology',
      'render_topology',
      'simulate_attachment_change',
      'stream_topology_chunks',
      'topology_summary',
      'trace_network_path',
      'validate_core_network_policy',
    ]);
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
      assert.equal(tool.annotations?.destructiveHint, false, tool.name);
    }
  });

  it('summarizes what the engine built, and says how old the data is', async () => {
    const summary = await json('topology_summary');
    assert.equal(summary.elements, view.elementCount);
    assert.equal(summary.connections, view.connectionCount);
    assert.equal(summary.routes, view.routeCount);
    assert.equal(summary.byType['vpc-attachment'], view.elementsOfType('vpc-attachment').length);
    assert.equal(summary.storeBytes, view.byteSize().total);
    assert.match(summary.asOf.source, /generated topology of 2,000 elements \(seed 3\)/);
    assert.ok(summary.asOf.ageSeconds >= 0);
    const core = await json('get_core_network');
    const policy = view.policy(view.elementsOfType('core-network')[0] as number);
    assert.deepEqual(
      core.segments.map((s: { name: string }) => s.name),
      policy?.segments.map((s) => s.name),
    );
    assert.equal(
      core.attachments.total,
      ATTACHMENT_TYPES.reduce((n, t) => n + view.elementsOfType(t).length, 0),
    );
  });

  it('pages through every attachment exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const answer = await json('list_attachments', { limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...answer.attachments.map((a: { id: string }) => a.id));
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    const expected = ATTACHMENT_TYPES.flatMap((t) => [...view.elementsOfType(t)].map((e) => view.id(e)));
    assert.equal(seen.length, expected.length);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    const vpn = await json('list_attachments', { type: 'SITE_TO_SITE_VPN' });
    assert.equal(vpn.total, view.elementsOfType('vpn-attachment').length);
  });

  it('traces paths and computes route tables exactly as the engine does', async () => {
    const analysis = analyzeCoreNetwork(view);
    const vpcs = view.elementsOfType('vpc');
    let compared = 0;
    for (let i = 0; i + 7 < vpcs.length && compared < 5; i += 37, compared++) {
      const src = hostIn(vpcs[i] as number);
      const dst = hostIn(vpcs[i + 7] as number);
      const answer = await json('trace_network_path', { source_ip: src, destination_ip: dst });
      const expected = traceNetworkPath(analysis, src, dst);
      assert.equal(answer.reachable, expected.reachable, `${src} -> ${dst}`);
      assert.deepEqual(answer.hops, expected.hops);
    }
    assert.equal(compared, 5);
    const segment = analysis.segmentNames[0] as string;
    const edge = analysis.edgeRegions[0] as string;
    const routes = await json('get_routes', { segment, edge, limit: 20 });
    const expected = routeTable(analysis, segment, edge, { limit: 20 });
    assert.deepEqual(routes.routes, expected.routes);
    assert.equal(routes.total, expected.total);
  });

  it('simulates a move and reports inspection as the engine does', async () => {
    const analysis = analyzeCoreNetwork(view);
    const attachment = view.id(view.elementsOfType('vpc-attachment')[5] as number);
    const to = analysis.segmentNames.find((s) => s !== view.segment(view.indexOf(attachment))) as string;
    const answer = await json('simulate_attachment_change', { attachment_id: attachment, segment: to });
    const { asOf: _asOf, ...rest } = answer;
    assert.deepEqual(
      rest,
      JSON.parse(
        JSON.stringify(simulateAttachmentChange(analysis, { attachmentId: attachment, segment: to })),
      ),
    );
    const sendVia = analysis.sendVia[0];
    assert.ok(sendVia, 'the generated policy has a send-via rule');
    const other = analysis.segmentNames.find((s) => s !== sendVia.segment) as string;
    const inspection = await json('detect_inspection', {
      source_segment: sendVia.segment,
      destination_segment: other,
    });
    assert.equal(
      inspection.inspected,
      analysis.domains.get(sendVia.segment)?.sees.get(other)?.kind === 'send-via',
    );
  });

  it('streams every element in chunks, following the cursors', async () => {
    let elements = 0;
    let connections = 0;
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const answer = await json('stream_topology_chunks', {
        chunk_size: 500,
        limit: 10,
        ...(cursor ? { cursor } : {}),
      });
      for (const chunk of answer.chunks) {
        elements += chunk.elements.length;
        connections += chunk.connections.length;
      }
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    assert.equal(elements, view.elementCount);
    assert.equal(connections, view.connectionCount);
  });

  it('renders Mermaid text and an SVG resource the client can read', async () => {
    const mermaid = await json('render_topology', { format: 'mermaid' });
    assert.match(mermaid.diagram, /^flowchart/);
    const svg = await call('render_topology', { format: 'svg' });
    assert.notEqual(svg.isError, true, textOf(svg));
    const meta = JSON.parse(textOf(svg));
    const read = await server.client.readResource({ uri: meta.uri });
    const content = read.contents[0] as { text: string; mimeType: string };
    assert.equal(content.mimeType, 'image/svg+xml');
    assert.match(content.text, /<svg/);
  });

  it('answers bad input with errors that say what exists', async () => {
    const near = view.id(view.elementsOfType('vpc-attachment')[0] as number);
    assert.match(
      await error('get_attachment', { attachment_id: `${near}9` }),
      new RegExp(`closest: ${near}`),
    );
    assert.match(
      await error('trace_network_path', { source_ip: '203.0.113.9', destination_ip: '10.0.0.1' }),
      /source 203\.0\.113\.9 is outside every CIDR .* prefixes that exist include/,
    );
    assert.match(
      await error('trace_network_path', { source_ip: '10.0.0.300', destination_ip: '10.0.0.1' }),
      /not an IPv4 or IPv6 address/,
    );
    assert.match(
      await error('get_routes', { segment: 'nope', edge: 'us-east-1' }),
      /unknown segment 'nope'.*segments: /,
    );
    assert.match(
      await error('get_routes', { tgw_route_table_id: 'tgw-rtb-0', segment: 'x' }),
      /exactly one of/,
    );
    assert.match(
      await error('list_attachments', { segmnt: 'x' }),
      /unknown argument 'segmnt' \(did you mean 'segment'\?\)/,
    );
    const unparsable = await json('validate_core_network_policy', { policy: '{"version": ' });
    assert.equal(unparsable.valid, false);
    assert.equal(unparsable.errors[0].code, 'parse-error');
    const invalid = await json('validate_core_network_policy', {
      policy: { version: '2021.12', segments: [] },
    });
    assert.equal(invalid.valid, false);
    assert.ok(invalid.errors.length > 0);
    assert.match(
      await error('load_topology_snapshot', { path: '/etc/hostname' }),
      /outside the folders snapshots may be loaded from/,
    );
  });
});

describe('headroom cloudwan over stdio, snapshots', { timeout: 120_000 }, () => {
  it('loads another snapshot of its folder, refuses stale cursors, and reports progress', async () => {
    const dir = cleanup.tempDir('headroom-e2e-cloudwan-');
    await generateSnapshot({ elements: 300, seed: 1 }, join(dir, 'a.ndjson'));
    await generateSnapshot({ elements: 500, seed: 2 }, join(dir, 'b.ndjson'));
    const snap = await connectStdio(['cloudwan', '--snapshot', join(dir, 'a.ndjson')], cleanup);
    const first = JSON.parse(
      textOf(
        (await snap.client.callTool({ name: 'list_attachments', arguments: { limit: 5 } })) as CallToolResult,
      ),
    );
    assert.ok(first.nextCursor);
    const loaded = JSON.parse(
      textOf(
        (await snap.client.callTool({
          name: 'load_topology_snapshot',
          arguments: { path: join(dir, 'b.ndjson') },
        })) as CallToolResult,
      ),
    );
    assert.equal(loaded.elements, 500);
    const stale = (await snap.client.callTool({
      name: 'list_attachments',
      arguments: { cursor: first.nextCursor },
    })) as CallToolResult;
    assert.equal(stale.isError, true);
    assert.match(textOf(stale), /loaded again since this cursor was made/);
    const progress: number[] = [];
    const refreshed = (await snap.client.callTool(
      { name: 'refresh_topology', arguments: {} },
      {
        onprogress: (p) => progress.push(p.progress),
      },
    )) as CallToolResult;
    assert.equal(JSON.parse(textOf(refreshed)).elements, 500);
    assert.ok(progress.length >= 1, 'progress notifications while loading');
  });
});
