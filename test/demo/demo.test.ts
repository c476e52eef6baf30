/**
 * `headroom demo`, the real process (src/cli.ts through tsx): with --check it starts everything,
 * passes its self-check and exits 0; with stdin a pipe that stays open it serves until SIGINT,
 * while the SDK's Client (and the MCP Inspector CLI, when installed) lists and calls tools on both
 * servers and the dashboard counts the calls of both; with stdin ended at once (`npm start
 * </dev/null`) it checks and stops by itself; a port in use is refused before anything starts.
 * Every port is picked free on loopback; every wait has a deadline.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type CallToolResult, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Cleanup, NODE_ARGS, ROOT, within } from '../e2e/cli-helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

const FREE_PORTS = [
  '--openapi-port',
  '0',
  '--cloudwan-port',
  '0',
  '--upstream-port',
  '0',
  '--dashboard-port',
  '0',
];
const INSPECTOR = join(ROOT, 'test', 'e2e', 'tools', 'node_modules', '.bin', 'mcp-inspector');

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `headroom demo ARGS` with its caches in a temporary folder; stdin is a pipe left open. */
function startDemo(args: string[]): Demo {
  const dir = cleanup.tempDir('headroom-demo-e2e-');
  const child = cleanup.track(
    spawn(process.execPath, [...NODE_ARGS, 'demo', ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        HEADROOM_OPENAPI_CACHE_DIR: join(dir, 'cache'),
        HEADROOM_OPENAPI_SPILL_DIR: join(dir, 'spill'),
        HEADROOM_MONITORING_SAMPLE_INTERVAL_MS: '200',
      },
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => setImmediate(() => done({ code, signal }))),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits until stdout matches, or fails with what the demo printed. */
async function waitFor(demo: Demo, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = performance.now() + ms;
  for (;;) {
    const match = pattern.exec(demo.stdout());
    if (match) return match;
    if (demo.child.exitCode !== null || performance.now() > deadline)
      assert.fail(`no ${pattern} in the demo's output:\n${demo.stdout()}\nstderr:\n${demo.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The four URLs of the banner. */
function urls(stdout: string) {
  const find = (what: string) => {
    const url = new RegExp(`${what}\\s+(http://127\\.0\\.0\\.1:\\d+\\S*)`).exec(stdout)?.[1];
    assert.ok(url, `no URL for ${what} in:\n${stdout}`);
    return url;
  };
  return {
    upstream: find('Demo API \\(upstream\\)'),
    openapi: find('OpenAPI MCP server'),
    cloudwan: find('Cloud WAN MCP server'),
    dashboard: find('Dashboard'),
  };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'headroom-demo-e2e', version: '1.0.0' });
  await within(
    client.connect(new StreamableHTTPClientTransport(new URL(url))),
    15_000,
    `connecting to ${url}`,
  );
  cleanup.onRun(() => client.close());
  return client;
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await within(client.callTool({ name, arguments: args }), 30_000, name)) as CallToolResult;
}

function text(result: CallToolResult, index = 0): string {
  const block = result.content[index];
  return block?.type === 'text' ? block.text : '';
}

function freePortHeld(): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

describe('headroom demo', { timeout: 180_000 }, () => {
  it('--check: starts everything, passes the self-check and exits 0', { timeout: 60_000 }, async () => {
    const demo = startDemo(['--check', ...FREE_PORTS]);
    const { code } = await within(demo.exited, 55_000, 'headroom demo --check');
    const out = demo.stdout();
    assert.equal(code, 0, `${out}\n${demo.stderr()}`);
    assert.match(out, /everything is up/);
    assert.match(out, /Self-check passed: 8 checks\./);
    assert.doesNotMatch(out, /FAIL/);
    assert.match(
      out,
      /ok {4}openapi {2}tools\/call exportEvents: cut to fit the 25,000-token budget .* the rest spilled/,
    );
    assert.match(out, /ok {4}cloudwan tools\/call topology_summary: 10,000 elements/);
    assert.match(out, /ok {4}dashboard: \/api\/metrics counts the calls of both servers/);
    // The configurations printed are valid JSON and point at the demo's URLs.
    const u = urls(out);
    const blocks = out
      .split('\n{\n')
      .slice(1)
      .map((rest) => JSON.parse(`{\n${rest.slice(0, rest.indexOf('\n}\n') + 2)}`));
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].mcpServers['headroom-demo-api'].url, u.openapi);
    assert.equal(blocks[0].mcpServers['headroom-cloudwan'].url, u.cloudwan);
    assert.deepEqual(blocks[1].mcpServers['headroom-demo-api'].args.slice(1), [
      'openapi',
      join(ROOT, 'examples', 'demo-api.yaml'),
      '--base-url',
      u.upstream,
    ]);
    assert.match(out, new RegExp(`--cli ${u.openapi} --transport http --method tools/list`));
    // Logs are warnings only by default (the monitor's alerts, say), and none is an error.
    assert.doesNotMatch(demo.stderr(), / INFO |ERROR|unexpected error/);
  });

  it('serves both MCP servers and the dashboard until SIGINT, then exits 0', {
    timeout: 90_000,
  }, async () => {
    const demo = startDemo(FREE_PORTS);
    // stdin is a pipe, not a terminal: the self-check runs, and the demo stays up while it is open.
    await waitFor(demo, /Self-check passed/, 45_000);
    const u = urls(demo.stdout());

    // All three ports answer (and the upstream's).
    for (const url of [new URL('/healthz', u.openapi), new URL('/healthz', u.cloudwan), new URL(u.dashboard)])
      assert.equal((await fetch(url, { signal: AbortSignal.timeout(5000) })).status, 200, String(url));
    const products = await fetch(`${u.upstream}/products?limit=1`, { signal: AbortSignal.timeout(5000) });
    assert.equal(products.status, 200);

    // The SDK's Client over Streamable HTTP, on each server.
    const openapi = await connect(u.openapi);
    const names = (await openapi.listTools()).tools.map((tool) => tool.name);
    assert.deepEqual(names.sort(), [
      'createOrder',
      'exportEvents',
      'getOrder',
      'getProduct',
      'listEvents',
      'listOrders',
      'listProducts',
      'read_result',
    ]);
    const books = await call(openapi, 'listProducts', { category: 'books', limit: 3 });
    assert.notEqual(books.isError, true, text(books));
    const page = JSON.parse(text(books)) as { items: Array<{ category: string }> };
    assert.equal(page.items.length, 3);
    assert.ok(page.items.every((p) => p.category === 'books'));
    // The demo set the API key itself: the POST reaches the upstream with it.
    const placed = await call(openapi, 'createOrder', {
      body: { customerId: 'cus_0001', lines: [{ productId: 'prd_0003', quantity: 2 }] },
    });
    assert.notEqual(placed.isError, true, text(placed));
    assert.match(text(placed), /"status":\s*"pending"/);
    const tooMany = await call(openapi, 'exportEvents', { count: 2_500_001 });
    assert.equal(tooMany.isError, true);

    const cloudwan = await connect(u.cloudwan);
    const cloudwanTools = (await cloudwan.listTools()).tools.map((tool) => tool.name);
    assert.equal(cloudwanTools.length, 16);
    const core = await call(cloudwan, 'get_core_network');
    assert.notEqual(core.isError, true, text(core));

    // One dashboard for both: the calls of each server are counted there.
    // biome-ignore lint/suspicious/noExplicitAny: a test reads nested JSON fields; a miss fails its assertion.
    let tools: Record<string, any> = {};
    for (let i = 0; i < 50 && !(tools.listProducts && tools.get_core_network); i++) {
      const metrics = await fetch(new URL('api/metrics', u.dashboard), { signal: AbortSignal.timeout(5000) });
      tools = ((await metrics.json()) as { tools: typeof tools }).tools;
      if (!(tools.listProducts && tools.get_core_network)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(tools.listProducts?.calls, 1);
    assert.equal(tools.createOrder?.calls, 1);
    assert.equal(tools.get_core_network?.calls, 1);
    assert.ok(tools.exportEvents?.calls >= 2, JSON.stringify(tools.exportEvents));
    assert.equal(tools.topology_summary?.calls, 1);

    // The MCP Inspector CLI, as the banner prints it (without npx: the tests' installed copy).
    if (existsSync(INSPECTOR)) {
      const { stdout } = await promisify(execFile)(
        INSPECTOR,
        [
          '--cli',
          u.cloudwan,
          '--transport',
          'http',
          '--method',
          'tools/call',
          '--tool-name',
          'topology_summary',
        ],
        { cwd: ROOT, timeout: 60_000 },
      );
      const result = JSON.parse(stdout) as { content: Array<{ text: string }> };
      assert.equal(JSON.parse(result.content[0]?.text ?? '{}').elements, 10_000);
    }

    await Promise.all([openapi.close(), cloudwan.close()]);
    const started = performance.now();
    demo.child.kill('SIGINT');
    const { code, signal } = await within(demo.exited, 10_000, 'the demo stopping on SIGINT');
    assert.equal(signal, null);
    assert.equal(code, 0, demo.stderr());
    assert.ok(performance.now() - started < 5000, `stopped in ${Math.round(performance.now() - started)} ms`);
    assert.match(demo.stdout(), /headroom demo: stopping\./);
    // Nothing listens any more.
    await assert.rejects(fetch(new URL('/healthz', u.openapi), { signal: AbortSignal.timeout(2000) }));
    await assert.rejects(fetch(u.dashboard, { signal: AbortSignal.timeout(2000) }));
  });

  it('with stdin ended at once (npm start </dev/null), checks and stops by itself with 0', {
    timeout: 60_000,
  }, async () => {
    const demo = startDemo(FREE_PORTS);
    demo.child.stdin?.end();
    const { code } = await within(demo.exited, 55_000, 'headroom demo with stdin ended');
    assert.equal(code, 0, `${demo.stdout()}\n${demo.stderr()}`);
    assert.match(demo.stdout(), /stdin is not a terminal/);
    assert.match(demo.stdout(), /Self-check passed: 8 checks\./);
  });

  it('refuses a port in use before starting anything, naming the option', { timeout: 30_000 }, async () => {
    const held = await freePortHeld();
    try {
      const demo = startDemo([...FREE_PORTS, '--cloudwan-port', String(held.port)]);
      const { code } = await within(demo.exited, 25_000, 'headroom demo with a port in use');
      assert.equal(code, 2);
      assert.match(
        demo.stderr(),
        new RegExp(`port ${held.port} on 127\\.0\\.0\\.1 is in use: pick another with --cloudwan-port`),
      );
      assert.doesNotMatch(demo.stdout(), /everything is up/);
    } finally {
      await held.close();
    }
  });
});
