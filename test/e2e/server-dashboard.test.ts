/**
 * `headroom cloudwan|openapi --dashboard-port 0`: the real process serves its MCP tools over stdio
 * and the monitoring dashboard over HTTP. Tool calls made through the SDK Client show up in the
 * monitor's per-tool figures, and components report what they measure (the topology store's exact
 * bytes; the spill store's bytes on disk), in the JSON API and in Prometheus /metrics.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { Cleanup, connectStdio, ROOT, within } from './cli-helpers.js';
import { startUpstream } from './upstream.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

// The JSON of /api/metrics, as far as these tests read it.
// biome-ignore lint/suspicious/noExplicitAny: a test reads nested JSON fields; a miss fails its assertion.
type Metrics = Record<string, any>;

async function metricsWhen(url: string, ready: (metrics: Metrics) => boolean): Promise<Metrics> {
  let metrics: Metrics = {};
  for (let i = 0; i < 50; i++) {
    metrics = (await (await fetch(`${url}/api/metrics`)).json()) as Metrics;
    if (ready(metrics)) break;
    await sleep(100);
  }
  return metrics;
}

async function dashboardUrl(stderr: () => string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const url = /dashboard at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr())?.[1];
    if (url) return url;
    await sleep(100);
  }
  assert.fail(`no dashboard URL in the log: ${stderr()}`);
}

describe('headroom cloudwan with the dashboard', { timeout: 90_000 }, () => {
  it('reports tool calls and the topology bytes it measures', async () => {
    const server = await connectStdio(
      ['cloudwan', '--generate', '2000', '--dashboard-port', '0', '--log-level', 'info'],
      cleanup,
      { env: { PATH: process.env.PATH ?? '', HEADROOM_MONITORING_SAMPLE_INTERVAL_MS: '100' } },
    );
    const url = await dashboardUrl(server.stderr);
    const call = async (name: string, args: Record<string, unknown>) =>
      (await within(server.client.callTool({ name, arguments: args }), 20_000, name)) as CallToolResult;
    const first = (await call('topology_summary', {})).content[0] as { text: string };
    const summary = JSON.parse(first.text) as { storeBytes: number };
    await call('topology_summary', {});
    await call('get_attachment', { attachment_id: 'nope' });
    const metrics = await metricsWhen(
      url,
      (m) => m.sample?.components?.topology > 0 && m.tools?.topology_summary !== undefined,
    );
    assert.equal(metrics.sample.components.topology, summary.storeBytes);
    assert.equal(metrics.tools.topology_summary.calls, 2);
    assert.equal(metrics.tools.topology_summary.errors, 0);
    assert.equal(metrics.tools.get_attachment.errors, 1);
    assert.ok(metrics.tools.topology_summary.bytesOut > 0);
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, new RegExp(`headroom_\\w+\\{[^}]*component="topology"[^}]*\\} ${summary.storeBytes}`));
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  });

  it('reports the calls of headroom openapi and the spill store on disk', async () => {
    const upstream = await startUpstream();
    cleanup.onRun(() => upstream.close());
    const dir = cleanup.tempDir('headroom-e2e-dashboard-');
    const spec = join(ROOT, 'test', 'e2e', 'fixtures', 'upstream.yaml');
    const server = await connectStdio(
      [
        'openapi',
        spec,
        '--base-url',
        `${upstream.origin}/api`,
        '--tools',
        'all',
        '--response-budget',
        '2000',
        '--dashboard-port',
        '0',
      ],
      cleanup,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          HEADROOM_OPENAPI_CACHE_DIR: join(dir, 'cache'),
          HEADROOM_OPENAPI_SPILL_DIR: join(dir, 'spill'),
          HEADROOM_MONITORING_SAMPLE_INTERVAL_MS: '100',
          HEADROOM_LOG_LEVEL: 'info',
        },
      },
    );
    const url = await dashboardUrl(server.stderr);
    // Far over the response budget: the answer is cut to fit and the rest spilled to disk.
    const result = (await within(
      server.client.callTool({ name: 'listItems', arguments: { count: 600, size: 10 } }),
      20_000,
      'listItems',
    )) as CallToolResult;
    assert.notEqual(result.isError, true);
    const metrics = await metricsWhen(
      url,
      (m) => m.details?.spill?.onDisk > 0 && m.tools?.listItems !== undefined,
    );
    assert.equal(metrics.tools.listItems.calls, 1);
    assert.ok(metrics.tools.listItems.bytesOut > 0);
    assert.ok(metrics.details.spill.onDisk > 0, JSON.stringify(metrics.details));
    assert.equal(metrics.details.spill.entries, 1);
    assert.equal(typeof metrics.sample.components['responses in flight'], 'number');
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /headroom_component_detail\{component="spill",figure="onDisk"\} [1-9]\d*/);
    assert.match(text, /headroom_tool_calls_total\{tool="listItems"\} 1/);
  });
});
