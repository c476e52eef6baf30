/**
 * Who may talk to the real `headroom openapi --transport http` process and its dashboard.
 *
 * | issue 9 point                                   | covered by                                                        |
 * | ----------------------------------------------- | ----------------------------------------------------------------- |
 * | MCP HTTP bound to 127.0.0.1 by default          | this file (URL and a connect to 127.0.0.2 / the LAN address);     |
 * |                                                 | test/mcp/http.test.ts 'binding' (non-loopback needs a token)      |
 * | dashboard bound to 127.0.0.1 by default         | this file; test/observe/dashboard-server.test.ts (token off lo)   |
 * | Host checked (DNS rebinding), MCP + dashboard   | this file; test/mcp/http.test.ts; dashboard-server.test.ts        |
 * | Origin checked, MCP                             | this file; test/mcp/http.test.ts                                  |
 * | Origin checked, dashboard HTTP (was WS only)    | this file (regression test of the fix in access.ts)               |
 * | bearer token: missing/wrong 401, right one ok   | this file (MCP and dashboard); test/e2e/openapi-http.test.ts;     |
 * |                                                 | test/mcp/http.test.ts; dashboard-server.test.ts                   |
 * | token compared in constant time                 | by reading: both servers compare SHA-256 digests with             |
 * |                                                 | timingSafeEqual; this file checks a guess of another length is a  |
 * |                                                 | plain 401 (an unhashed timingSafeEqual would throw: 500)          |
 * | request body size limit (413, keeps serving)    | this file (default 4 MiB and HEADROOM_SERVER_MAX_BODY_SIZE);      |
 * |                                                 | test/mcp/http.test.ts (in process)                                |
 */
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { Cleanup, runCli, within } from '../e2e/cli-helpers.js';
import { closedPort, connect, INITIALIZE, MCP_HEADERS, raw, type Served, serveOpenApi } from './helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

const SPEC = 'test/e2e/fixtures/upstream.yaml';
const TOKEN = 'mcp-token-0f1e2d3c4b5a';
const DASHBOARD_TOKEN = 'dashboard-token-9a8b7c6d';

/** Whether a TCP connection to host:port is accepted (true) or refused (false), within 3 s. */
function accepts(host: string, port: number): Promise<boolean> {
  return within(
    new Promise<boolean>((resolve) => {
      const socket = netConnect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    }),
    3000,
    `connecting to ${host}:${port}`,
  );
}

/** This machine's addresses that are not loopback: a server bound to 127.0.0.1 must not answer on them. */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && address.family === 'IPv4' && !address.internal)
    .map((address) => (address as { address: string }).address);
}

describe('headroom openapi --transport http --dashboard, default options', { timeout: 50_000 }, () => {
  let open: Served;
  let guarded: Served;
  let baseUrl: string;

  before(async () => {
    // Calls would go to a port with nothing on it: nothing here leaves the machine.
    baseUrl = `http://127.0.0.1:${await closedPort()}/api`;
    const common = [SPEC, '--no-cache', '--base-url', baseUrl, '--dashboard-port', '0'];
    [open, guarded] = await Promise.all([
      serveOpenApi(common, cleanup),
      serveOpenApi([...common, '--token', TOKEN], cleanup, { HEADROOM_MONITORING_TOKEN: DASHBOARD_TOKEN }),
    ]);
  });

  it('binds MCP and the dashboard to 127.0.0.1, and to nothing else', async () => {
    for (const url of [open.mcpUrl, open.dashboardUrl]) {
      assert.ok(url, `no URL in the log:\n${open.stderr()}`);
      const { hostname, port } = new URL(url);
      assert.equal(hostname, '127.0.0.1');
      assert.equal(await accepts('127.0.0.1', Number(port)), true);
      // All of 127/8 is this machine: a wildcard or 127.0.0.0/8 bind would answer on 127.0.0.2.
      assert.equal(await accepts('127.0.0.2', Number(port)), false, `${url} answers on 127.0.0.2`);
      for (const address of otherAddresses()) {
        assert.equal(await accepts(address, Number(port)), false, `${url} answers on ${address}`);
      }
    }
  });

  it('refuses to listen beyond loopback without a token, saying why', async () => {
    const run = await runCli(
      ['openapi', SPEC, '--no-cache', '--transport', 'http', '--host', '0.0.0.0', '--port', '0'],
      cleanup,
      { timeoutMs: 15_000 },
    );
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /refusing to listen on 0\.0\.0\.0 without --token/);
  });

  it('answers a Host of another name with 403 and what to do (DNS rebinding), on both servers', async () => {
    const evil = { host: 'evil.example' };
    const mcp = await raw(open.mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...evil },
      body: INITIALIZE,
    });
    assert.equal(mcp.status, 403);
    assert.match(mcp.body, /evil\.example.*--allowed-host/);
    assert.equal((await raw(new URL('/healthz', open.mcpUrl).href, { headers: evil })).status, 403);
    for (const path of ['/', '/api/metrics', '/metrics']) {
      const dashboard = await raw(new URL(path, open.dashboardUrl).href, { headers: evil });
      assert.equal(dashboard.status, 403, path);
      assert.match(
        JSON.parse(dashboard.body).error,
        /Host header "evil\.example" is not this dashboard's/,
        path,
      );
    }
    // The same requests with the real name go through.
    assert.equal(
      (await raw(open.mcpUrl, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE })).status,
      200,
    );
    assert.equal((await raw(new URL('/api/metrics', open.dashboardUrl).href)).status, 200);
  });

  it('answers an Origin of another site with 403 and what to do, on both servers', async () => {
    const evil = { origin: 'http://evil.example' };
    const mcp = await raw(open.mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...evil },
      body: INITIALIZE,
    });
    assert.equal(mcp.status, 403);
    assert.match(mcp.body, /evil\.example.*--allowed-origin/);
    for (const path of ['/', '/api/metrics', '/metrics']) {
      const dashboard = await raw(new URL(path, open.dashboardUrl).href, { headers: evil });
      assert.equal(dashboard.status, 403, path);
      assert.match(
        JSON.parse(dashboard.body).error,
        /origin http:\/\/evil\.example refused: only the dashboard's own page/,
        path,
      );
    }
    // A page served by the dashboard itself names the dashboard's own origin, and is served.
    const own = new URL(open.dashboardUrl as string).origin;
    assert.equal((await raw(new URL('/api/metrics', own).href, { headers: { origin: own } })).status, 200);
    const local = await raw(open.mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: new URL(open.mcpUrl).origin },
      body: INITIALIZE,
    });
    assert.equal(local.status, 200);
  });

  it('with a token: 401 when missing or wrong (any length), served with the right one', async () => {
    const post = (authorization?: string) =>
      raw(guarded.mcpUrl, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...(authorization ? { authorization } : {}) },
        body: INITIALIZE,
      });
    const missing = await post();
    assert.equal(missing.status, 401);
    assert.match(missing.body, /missing bearer token/);
    for (const wrong of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), 'x'.repeat(4096)]) {
      const answer = await post(`Bearer ${wrong}`);
      assert.equal(answer.status, 401, `a ${wrong.length}-character guess`);
      assert.match(answer.body, /invalid bearer token/);
      assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/);
    }
    assert.equal((await post(`Bearer ${TOKEN}`)).status, 200);
    const client = await connect(guarded.mcpUrl, cleanup, TOKEN);
    assert.ok((await client.listTools()).tools.length > 0);
  });

  it('dashboard with a token: 401 when missing or wrong, served with Bearer or ?token=', async () => {
    const metrics = new URL('/api/metrics', guarded.dashboardUrl).href;
    const missing = await raw(metrics);
    assert.equal(missing.status, 401);
    assert.match(missing.body, /needs its token/);
    const wrong = await raw(metrics, { headers: { authorization: `Bearer ${'x'.repeat(4096)}` } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /wrong dashboard token/);
    assert.equal(
      (await raw(metrics, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).status,
      200,
    );
    assert.equal((await raw(`${metrics}?token=${DASHBOARD_TOKEN}`)).status, 200);
    assert.equal((await raw(new URL('/metrics', guarded.dashboardUrl).href)).status, 401);
    // The MCP token is not the dashboard's.
    assert.equal((await raw(metrics, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 401);
  });

  it('answers a body over the default 4 MiB limit with 413, declared or streamed, and keeps serving', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const declared = await raw(open.mcpUrl, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: INITIALIZE,
      declare: big.length,
    });
    assert.equal(declared.status, 413);
    assert.match(declared.body, /request body too large: the limit is 4 MiB/);
    const streamed = await raw(open.mcpUrl, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: big,
      chunked: true,
    });
    assert.equal(streamed.status, 413);
    assert.equal((await raw(new URL('/healthz', open.mcpUrl).href)).status, 200);
    const client = await connect(open.mcpUrl, cleanup);
    assert.ok((await client.listTools()).tools.length > 0);
    assert.equal(open.child.exitCode, null, 'the server is still running');
  });
});

describe('headroom openapi --transport http with HEADROOM_SERVER_MAX_BODY_SIZE', { timeout: 30_000 }, () => {
  it('refuses a body over the configured size with 413 naming it, and serves the next request', async () => {
    const served = await serveOpenApi([SPEC, '--no-cache'], cleanup, {
      HEADROOM_SERVER_MAX_BODY_SIZE: '64KB',
    });
    const over = await raw(served.mcpUrl, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: Buffer.alloc(100 * 1024, 0x20),
      chunked: true,
    });
    assert.equal(over.status, 413);
    assert.match(over.body, /the limit is 64 KiB \(maxBodyBytes\)/);
    assert.match(served.stderr(), /HTTP request rejected.*status=413/);
    const ok = await raw(served.mcpUrl, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
    assert.equal(ok.status, 200);
  });
});
