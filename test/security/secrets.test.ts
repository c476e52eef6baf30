/**
 * Secrets never leave the real `headroom openapi` process: credentials for every scheme kind, the
 * MCP token and the dashboard token carry distinctive canaries, the server runs at trace level, and
 * calls succeed, fail upstream (401, a 500 that echoes the request back), cannot connect, and time
 * out. The canaries must appear nowhere a user or a model can read.
 *
 * | issue 9 point                                    | covered by                                                 |
 * | ------------------------------------------------ | ---------------------------------------------------------- |
 * | secrets not in logs                              | this file (stderr at trace level, end to end);             |
 * |                                                  | test/log/logger.test.ts; test/openapi/auth.test.ts         |
 * | secrets not in errors                            | this file (401, refused, timeout, bad arguments);          |
 * |                                                  | test/openapi/auth.test.ts (auth and OAuth2 errors)          |
 * | secrets not in tool schemas                      | this file (tools/list: no values, no credential parameter) |
 * | secrets not in results: the API's own answers    | this file (ok calls)                                       |
 * | secrets not in results: an API echoing them back | this file (200, a 500's error excerpt, read_result pages)  |
 * | secrets not in the dashboard (/api/metrics,      | this file                                                  |
 * | /metrics)                                        |                                                            |
 * | Logger.scrub: registered secrets only            | this file (unit)                                           |
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { Logger } from '../../src/log/logger.js';
import { Cleanup } from '../e2e/cli-helpers.js';
import {
  closedPort,
  connect,
  type Recorder,
  raw,
  type Served,
  sendJson,
  serveOpenApi,
  startRecorder,
} from './helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

const BEARER = 'sk-SECRET-canary-12345';
const API_KEY = 'sk-SECRET-apikey-67890';
const QUERY_KEY = 'sk-SECRET-query-24680';
const BASIC = 'ada:sk-SECRET-basic-13579';
const MCP_TOKEN = 'sk-SECRET-mcp-11111';
const DASHBOARD_TOKEN = 'sk-SECRET-dash-22222';
/** Every canary contains this; the basic credentials also travel base64-encoded. */
const CANARY = /sk-SECRET/;
const BASIC_WIRE = Buffer.from(BASIC).toString('base64');

function assertNoSecret(text: string, where: string): void {
  assert.doesNotMatch(text, CANARY, `${where} holds a secret:\n${text.slice(0, 3000)}`);
  assert.ok(
    !text.includes(BASIC_WIRE),
    `${where} holds the base64 basic credentials:\n${text.slice(0, 3000)}`,
  );
}

const ALL = '[{ bearerAuth: [], ApiKeyAuth: [], QueryKey: [], basicAuth: [] }]';

function spec(upstream: string, refusedPort: number): string {
  const op = (id: string, extra = '') => `
    get:
      operationId: ${id}
      security: ${ALL}${extra}
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }`;
  return `openapi: 3.0.3
info: { title: Secrets, version: "1" }
servers: [{ url: "${upstream}/api" }]
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }
    ApiKeyAuth: { type: apiKey, in: header, name: X-API-Key }
    QueryKey: { type: apiKey, in: query, name: api_key }
    basicAuth: { type: http, scheme: basic }
paths:
  /ok:${op('ok')}
  /unauthorized:${op('unauthorized')}
  /echo:${op('echoRequest')}
  /fail:${op('failEchoing')}
  /big:${op('bigEcho')}
  /slow:${op('slow')}
  /refused:${op('refused', `\n      servers: [{ url: "http://127.0.0.1:${refusedPort}/api" }]`)}
`;
}

/** The upstream: its answers, and the request as it arrived where an API would echo it back. */
function answer(hit: { url: string; headers: Record<string, unknown> }, res: ServerResponse) {
  const path = new URL(hit.url, 'http://upstream').pathname;
  const request = { url: hit.url, headers: hit.headers };
  if (path === '/api/ok') return sendJson(res, 200, { ok: true, items: [1, 2, 3] });
  if (path === '/api/unauthorized') return sendJson(res, 401, { error: 'unauthorized' });
  if (path === '/api/echo') return sendJson(res, 200, { received: request });
  if (path === '/api/fail') return sendJson(res, 500, { error: 'internal error', debug: request });
  if (path === '/api/big') {
    const items = Array.from({ length: 400 }, (_, i) => ({ id: i, text: 'x'.repeat(40) }));
    return sendJson(res, 200, [...items, { received: request }]);
  }
  if (path === '/api/slow') return; // never answers: the call times out
  sendJson(res, 404, { error: 'not found' });
}

function text(result: unknown): string {
  return JSON.stringify(result);
}

describe('secrets stay out of logs, errors, schemas, results and the dashboard', { timeout: 55_000 }, () => {
  let upstream: Recorder;
  let served: Served;
  let client: Client;

  before(async () => {
    upstream = await startRecorder((hit, res) => answer(hit, res));
    cleanup.onRun(() => upstream.close());
    const dir = cleanup.tempDir('headroom-security-secrets-');
    const file = join(dir, 'secrets.yaml');
    writeFileSync(file, spec(upstream.origin, await closedPort()));
    served = await serveOpenApi(
      [
        file,
        '--no-cache',
        '--log-level',
        'trace',
        '--dashboard-port',
        '0',
        '--headers-timeout',
        '800',
        '--max-retries',
        '0',
        '--response-budget',
        '300',
        '--spill-dir',
        join(dir, 'spill'),
      ],
      cleanup,
      {
        HEADROOM_AUTH_BEARERAUTH: BEARER,
        HEADROOM_AUTH_APIKEYAUTH: API_KEY,
        HEADROOM_AUTH_QUERYKEY: QUERY_KEY,
        HEADROOM_AUTH_BASICAUTH: BASIC,
        HEADROOM_TOKEN: MCP_TOKEN,
        HEADROOM_MONITORING_TOKEN: DASHBOARD_TOKEN,
      },
    );
    client = await connect(served.mcpUrl, cleanup, MCP_TOKEN);
  });

  const call = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }, { timeout: 8000 });

  it('sends every credential to the upstream (so the checks below can fail)', async () => {
    const result = await call('ok');
    assert.notEqual(result.isError, true, text(result));
    const hit = upstream.hits.find((h) => h.url.startsWith('/api/ok'));
    assert.ok(hit, 'the upstream was called');
    assert.equal(hit.headers.authorization, `Basic ${BASIC_WIRE}`, 'the last scheme set wins the header');
    assert.equal(hit.headers['x-api-key'], API_KEY);
    assert.match(hit.url, new RegExp(`api_key=${QUERY_KEY}`));
    assertNoSecret(text(result), 'the result of ok');
  });

  it('lists tools without secret values and without credential parameters', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 7);
    assertNoSecret(text(tools), 'tools/list');
    for (const tool of tools) {
      const names = Object.keys((tool.inputSchema.properties ?? {}) as object).map((n) => n.toLowerCase());
      for (const credential of ['authorization', 'x-api-key', 'api_key', 'cookie']) {
        assert.ok(!names.includes(credential), `${tool.name} takes ${credential} as an argument`);
      }
    }
  });

  it('says nothing secret when the API refuses the credentials (401)', async () => {
    const result = await call('unauthorized');
    assert.equal(result.isError, true);
    assert.match(text(result), /answered 401.*HEADROOM_AUTH_/);
    assertNoSecret(text(result), 'the 401 result');
  });

  it('says nothing secret when the API cannot be reached or does not answer in time', async () => {
    const refused = await call('refused');
    assert.equal(refused.isError, true);
    assert.match(text(refused), /refused|ECONNREFUSED|unreachable/i);
    assertNoSecret(text(refused), 'the connection-refused error');
    const slow = await call('slow');
    assert.equal(slow.isError, true);
    assert.match(text(slow), /time|timeout/i);
    assertNoSecret(text(slow), 'the timeout error');
  });

  it('says nothing secret for bad arguments, an unknown tool or a bad cursor', async () => {
    const extra = await call('ok', { authorization: 'Bearer guess', api_key: 'guess' });
    assert.equal(extra.isError, true);
    assertNoSecret(text(extra), 'the argument error');
    const unknown = await call('no_such_tool');
    assert.equal(unknown.isError, true);
    assertNoSecret(text(unknown), 'the unknown-tool error');
    const cursor = await call('read_result', { cursor: 'nope' });
    assertNoSecret(text(cursor), 'the cursor error');
  });

  // FINDING (issue 9): the API's echo of the request comes back verbatim. src/log/redact.ts says
  // redaction is for "log lines now, error messages and tool results later"; the README promises
  // secrets "never appear in logs, errors or results". The fix wires Logger.scrub into the call
  // side (src/mcp/openapi-calls.ts, outside this test's area): see the report.
  it('keeps secrets out of a result whose API echoes the request (200)', async () => {
    const result = await call('echoRequest');
    assert.notEqual(result.isError, true, text(result));
    assertNoSecret(text(result), 'the echo result');
  });

  it('keeps secrets out of the error excerpt of a 500 that echoes the request', async () => {
    const result = await call('failEchoing');
    assert.equal(result.isError, true);
    assert.match(text(result), /answered 500/);
    assertNoSecret(text(result), 'the 500 result');
  });

  it('keeps secrets out of read_result pages of a cut echo', async () => {
    const first = await call('bigEcho');
    assertNoSecret(text(first), 'the first page');
    let cursor = /"cursor":\s*"([^"]+)"/.exec(text(first).replace(/\\"/g, '"'))?.[1];
    let offset: number | undefined;
    const pages: string[] = [];
    for (let page = 0; page < 50 && cursor !== undefined; page++) {
      const read = await call('read_result', { cursor, ...(offset === undefined ? {} : { offset }) });
      pages.push(text(read));
      const next = /"offset":\s*(\d+)/.exec(text(read).replace(/\\"/g, '"'));
      if (!next) break;
      offset = Number(next[1]);
      cursor = /"cursor":\s*"([^"]+)"/.exec(text(read).replace(/\\"/g, '"'))?.[1];
    }
    assert.ok(pages.length > 0, 'the answer was cut and kept');
    assert.match(pages.join(''), /received/, 'the pages reached the echo');
    assertNoSecret(pages.join('\n'), 'the read_result pages');
  });

  it('keeps secrets out of the dashboard: /api/metrics and /metrics', async () => {
    const headers = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
    for (const path of ['/api/metrics', '/api/metrics/history', '/api/alerts', '/metrics']) {
      const answer = await raw(new URL(path, served.dashboardUrl).href, { headers });
      assert.equal(answer.status, 200, path);
      assertNoSecret(answer.body, path);
    }
    const metrics = await raw(new URL('/api/metrics', served.dashboardUrl).href, { headers });
    assert.match(metrics.body, /"failEchoing"|"ok"/, 'the tool calls were recorded');
  });

  it('keeps secrets out of stderr at trace level, and writes nothing to stdout', () => {
    const stderr = served.stderr();
    assert.match(stderr, /DEBUG/, 'debug lines were written');
    assert.match(stderr, /tool call failed/, 'failed calls were logged');
    assertNoSecret(stderr, 'stderr');
    assert.equal(served.stdout(), '');
  });
});

describe('Logger.scrub', () => {
  it('replaces registered secrets in any text, and leaves credential-looking data alone', () => {
    const logger = new Logger({ stream: { write: () => true } });
    logger.child({ component: 'auth' }).addSecret(BEARER);
    logger.addSecret('abc');
    const answer = `{"headers":{"authorization":"Bearer ${BEARER}"},"doc":"send Token abcd1234","again":"${BEARER}"}`;
    assert.equal(
      logger.scrub(answer),
      '{"headers":{"authorization":"Bearer [REDACTED]"},"doc":"send Token abcd1234","again":"[REDACTED]"}',
    );
    assert.equal(logger.scrub('abc is too short to be a secret'), 'abc is too short to be a secret');
  });
});
