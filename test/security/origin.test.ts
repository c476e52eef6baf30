/**
 * The executor of the real `headroom openapi` process never leaves the configured origin: the spec's
 * servers, path, query and header arguments shaped like URLs, traversals and CR/LF injections, extra
 * arguments, and a redirect all point at a second loopback server, which must record no hit.
 *
 * | issue 9 point                                      | covered by                                                   |
 * | -------------------------------------------------- | ------------------------------------------------------------ |
 * | --base-url wins over the spec's servers (top level | this file                                                    |
 * | and per operation)                                 |                                                              |
 * | path arguments: absolute URLs, //host, @host,      | this file (end to end); test/property/request-builder.test.ts |
 * | ../ and %2e%2e%2f, backslashes, ?/# in values      | (property); test/openapi/request.test.ts                     |
 * | query and header arguments holding URLs, CR/LF     | this file; request-builder property test; serialize tests    |
 * | extra arguments (baseUrl, host) refused            | this file; test/openapi/validate.test.ts                     |
 * | redirect to another origin refused                 | this file; test/openapi/http-client.test.ts                  |
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { Cleanup } from '../e2e/cli-helpers.js';
import { connect, type Recorder, sendJson, serveOpenApi, startRecorder } from './helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

function spec(other: string): string {
  const ok = '{ "200": { description: ok, content: { application/json: { schema: { type: object } } } } }';
  return `openapi: 3.0.3
info: { title: Origin, version: "1" }
servers: [{ url: "${other}/v1" }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: ${ok}
  /files/{path}:
    get:
      operationId: getFile
      parameters: [{ name: path, in: path, required: true, schema: { type: string }, allowReserved: true }]
      responses: ${ok}
  /search:
    get:
      operationId: search
      parameters:
        - { name: q, in: query, schema: { type: string } }
        - { name: next, in: query, schema: { type: string }, allowReserved: true }
        - { name: X-Forward-To, in: header, schema: { type: string } }
      responses: ${ok}
  /elsewhere:
    get:
      operationId: elsewhere
      servers: [{ url: "${other}/op" }]
      responses: ${ok}
  /redirect:
    get:
      operationId: redirect
      responses: ${ok}
`;
}

describe('tool calls never leave the configured origin', { timeout: 50_000 }, () => {
  let api: Recorder;
  let other: Recorder;
  let client: Client;
  let otherHost: string;

  before(async () => {
    other = await startRecorder((_hit, res) => sendJson(res, 200, { reached: 'the other origin' }));
    otherHost = new URL(other.origin).host;
    api = await startRecorder((hit, res) => {
      if (hit.url.startsWith('/v1/redirect')) {
        res.writeHead(302, { location: `${other.origin}/stolen` }).end();
      } else sendJson(res, 200, { ok: true });
    });
    cleanup.onRun(() => api.close());
    cleanup.onRun(() => other.close());
    const dir = cleanup.tempDir('headroom-security-origin-');
    const file = join(dir, 'origin.yaml');
    writeFileSync(file, spec(other.origin));
    const served = await serveOpenApi(
      [file, '--no-cache', '--base-url', `${api.origin}/v1`, '--max-retries', '0', '--no-spill'],
      cleanup,
    );
    client = await connect(served.mcpUrl, cleanup);
  });

  /** Calls a tool; returns its text and whether it was an error. Never throws on an isError result. */
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args }, { timeout: 8000 });
    const text = (result.content as Array<{ type: string; text?: string }>)
      .map((c) => c.text ?? '')
      .join('\n');
    return { text, isError: result.isError === true };
  };

  /** Every request the API got stayed under /v1 and named the API's own host. */
  const assertStayedHome = (what: string) => {
    assert.deepEqual(other.hits, [], `${what}: the other origin was called: ${JSON.stringify(other.hits)}`);
    for (const hit of api.hits) {
      assert.equal(hit.headers.host, new URL(api.origin).host, `${what}: ${hit.url}`);
      assert.ok(hit.url.startsWith('/v1/'), `${what}: ${hit.url} left the base path`);
    }
  };

  it('calls the --base-url origin, not the servers of the spec or of the operation', async () => {
    for (const [tool, args] of [
      ['getItem', { id: '42' }],
      ['elsewhere', {}],
    ] as const) {
      const result = await call(tool, args);
      assert.equal(result.isError, false, `${tool}: ${result.text}`);
      assert.match(result.text, /"ok": true/);
    }
    assert.deepEqual(
      api.hits.map((hit) => hit.url),
      ['/v1/items/42', '/v1/elsewhere'],
    );
    assertStayedHome('servers');
  });

  it('keeps path arguments shaped like URLs or traversals inside their segment', async () => {
    const values = [
      `http://${otherHost}/x`,
      `//${otherHost}/x`,
      `@${otherHost}`,
      `user@${otherHost}`,
      `../../../${otherHost}`,
      '%2e%2e%2f%2e%2e%2fadmin',
      '..%2f..%2fadmin',
      `\\\\${otherHost}\\x`,
      `a/../../..//${otherHost}`,
      `?next=http://${otherHost}/`,
      `#http://${otherHost}/`,
      `x\r\nHost: ${otherHost}`,
      '..',
      '.',
      '%2e%2e',
    ];
    for (const tool of ['getItem', 'getFile']) {
      const key = tool === 'getItem' ? 'id' : 'path';
      let sent = 0;
      for (const value of values) {
        api.hits.length = 0;
        const result = await call(tool, { [key]: value });
        if (result.isError) {
          // Refused before sending, with a message that says why.
          assert.match(
            result.text,
            /path|segment|argument/i,
            `${tool} ${JSON.stringify(value)}: ${result.text}`,
          );
          assert.deepEqual(api.hits, [], `${tool} ${JSON.stringify(value)} was refused but sent`);
        } else {
          sent++;
          assert.equal(api.hits.length, 1, `${tool} ${JSON.stringify(value)}`);
          const path = api.hits[0]?.url.split('?')[0] ?? '';
          // Percent-encoded into the one segment after /v1/items/ (getItem) or /v1/files/.
          const prefix = tool === 'getItem' ? '/v1/items/' : '/v1/files/';
          assert.ok(path.startsWith(prefix), `${tool} ${JSON.stringify(value)} went to ${path}`);
          if (tool === 'getItem') assert.ok(!path.slice(prefix.length).includes('/'), `${value} -> ${path}`);
        }
        assertStayedHome(`${tool} ${JSON.stringify(value)}`);
      }
      // Most values are sent, encoded; refusing everything would also "stay home".
      assert.ok(sent >= values.length - 4, `${tool}: only ${sent} of ${values.length} values were sent`);
    }
  });

  it('sends URLs in query and header arguments as values, and refuses CR/LF in a header', async () => {
    api.hits.length = 0;
    const url = `http://${otherHost}/x?y=1#z`;
    const plain = await call('search', { q: url, next: url, 'X-Forward-To': url });
    assert.equal(plain.isError, false, plain.text);
    assert.equal(api.hits.length, 1);
    const hit = api.hits[0] as (typeof api.hits)[number];
    assert.ok(hit.url.startsWith('/v1/search?'), hit.url);
    assert.equal(new URL(hit.url, api.origin).searchParams.get('q'), url);
    assert.equal(hit.headers['x-forward-to'], url);

    api.hits.length = 0;
    const injected = await call('search', { 'X-Forward-To': `a\r\nHost: ${otherHost}` });
    assert.equal(injected.isError, true);
    assert.match(injected.text, /X-Forward-To/);
    assert.deepEqual(api.hits, [], 'a header with CR/LF was sent');
    assertStayedHome('query and header');
  });

  it('refuses extra arguments that name another place to call', async () => {
    api.hits.length = 0;
    for (const extra of [{ baseUrl: other.origin }, { host: otherHost }, { url: `${other.origin}/x` }]) {
      const result = await call('getItem', { id: '1', ...extra });
      assert.equal(result.isError, true, JSON.stringify(extra));
      assert.match(result.text, new RegExp(Object.keys(extra)[0] as string));
    }
    assert.deepEqual(api.hits, [], 'a call with unknown arguments was sent');
    assertStayedHome('extra arguments');
  });

  it('refuses a redirect to another origin, naming both origins and the option', async () => {
    const result = await call('redirect', {});
    assert.equal(result.isError, true, result.text);
    assert.match(result.text, /--allow-cross-origin-redirects/);
    assert.ok(result.text.includes(otherHost), result.text);
    assertStayedHome('redirect');
  });
});
