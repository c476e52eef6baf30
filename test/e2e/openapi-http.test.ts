/**
 * The real `headroom openapi --transport http` process, with the MCP SDK's Streamable HTTP client:
 * the port chosen by `--port 0` is read from the log line on stderr, `--token` is enforced (401
 * without it), and tools are listed and searched over HTTP.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Cleanup, fixture, NODE_ARGS, ROOT, waitForHttpUrl, within } from './cli-helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

const TOKEN = 'e2e-secret-token-0123456789';
// A bound on hangs, not a speed test: five servers starting at once on a busy 2-core machine take 10 s.
const STEP_MS = 20_000;

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
}

/** Starts the server and waits for the line that says where it listens. */
async function serve(args: string[]): Promise<Served> {
  const child = cleanup.track(
    spawn(
      process.execPath,
      // Calls go to loopback port 9, which refuses: nothing ever leaves the machine.
      [
        ...NODE_ARGS,
        'openapi',
        ...args,
        '--transport',
        'http',
        '--port',
        '0',
        '--token',
        TOKEN,
        '--base-url',
        'http://127.0.0.1:9/v2',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const { url, stderr, stdout } = await waitForHttpUrl(child, STEP_MS);
  return { child, url, stderr, stdout };
}

/** `token: null` sends no Authorization header. */
async function connect(url: string, token: string | null = TOKEN): Promise<Client> {
  const client = new Client({ name: 'headroom-e2e-http', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(token === null ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  });
  await within(client.connect(transport), STEP_MS, 'connecting over HTTP');
  return client;
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

function post(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return within(
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: initialize,
      signal: AbortSignal.timeout(STEP_MS),
    }),
    STEP_MS,
    `POST ${url}`,
  );
}

describe('headroom openapi over Streamable HTTP', { timeout: 60_000 }, () => {
  let pair: Served;
  let dynamic: Served;

  before(async () => {
    const cacheDir = cleanup.tempDir('headroom-e2e-http-cache-');
    [pair, dynamic] = await Promise.all([
      serve([fixture('petstore-3.0.yaml'), fixture('petstore-3.1.yaml'), '--cache-dir', cacheDir]),
      serve([fixture('petstore-2.0.json'), '--tools', 'dynamic', '--cache-dir', cacheDir]),
    ]);
  });

  it('reports the port it picked for --port 0 on a loopback address', () => {
    for (const served of [pair, dynamic]) {
      const url = new URL(served.url);
      assert.equal(url.hostname, '127.0.0.1');
      assert.ok(Number(url.port) > 0, served.url);
      assert.equal(url.pathname, '/mcp');
    }
    assert.notEqual(pair.url, dynamic.url);
  });

  it('answers 401 without the token, and with a wrong one', async () => {
    const missing = await post(pair.url);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match(await missing.text(), /missing bearer token/);

    const wrong = await post(pair.url, { authorization: 'Bearer not-the-token' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.match(await wrong.text(), /invalid bearer token/);

    const right = await post(pair.url, { authorization: `Bearer ${TOKEN}` });
    assert.equal(right.status, 200);
    await right.body?.cancel();
  });

  it('does not let the SDK client connect without the token', async () => {
    await assert.rejects(connect(pair.url, null), /missing bearer token/);
    await assert.rejects(connect(pair.url, 'wrong-token'), /invalid bearer token/);
  });

  it('lists the tools of two specs at once, prefixed by API, in all mode', async () => {
    const client = await connect(pair.url);
    try {
      assert.match(client.getInstructions() ?? '', /one tool per API operation/);
      const { tools } = await within(client.listTools(), STEP_MS, 'tools/list');
      assert.deepEqual(
        tools.map((t) => t.name),
        [
          'petstore_3_0__findPets',
          'petstore_3_0__addPet',
          'petstore_3_0__find_pet_by_id',
          'petstore_3_0__deletePet',
          'petstore_3_1__listPets',
          'petstore_3_1__createPets',
          'petstore_3_1__showPetById',
          'read_result',
        ],
      );
      const addPet = tools.find((t) => t.name === 'petstore_3_0__addPet');
      assert.ok(addPet);
      assert.deepEqual((addPet.inputSchema as { required?: string[] }).required, ['body']);
      assert.ok((addPet.inputSchema as { $defs?: object }).$defs);
      assert.equal(addPet.annotations?.readOnlyHint, false);
      const result = await within(
        client.callTool({ name: 'petstore_3_1__showPetById', arguments: { petId: '1' } }),
        STEP_MS,
        'tools/call',
      );
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /127\.0\.0\.1:9/);
    } finally {
      await within(client.close(), STEP_MS, 'closing the client');
    }
  });

  it('searches and describes operations in dynamic mode', async () => {
    const client = await connect(dynamic.url);
    try {
      const { tools } = await within(client.listTools(), STEP_MS, 'tools/list');
      assert.deepEqual(
        tools.map((t) => t.name),
        ['search_operations', 'describe_operation', 'call_operation', 'read_result'],
      );
      const search = await within(
        client.callTool({ name: 'search_operations', arguments: { query: 'find pets by status' } }),
        STEP_MS,
        'search_operations',
      );
      const found = JSON.parse((search.content as Array<{ text: string }>)[0]!.text);
      assert.equal(found.results[0].name, 'findPetsByStatus');
      const describe = await within(
        client.callTool({ name: 'describe_operation', arguments: { name: 'findPetsByStatus' } }),
        STEP_MS,
        'describe_operation',
      );
      const described = JSON.parse((describe.content as Array<{ text: string }>)[0]!.text);
      assert.equal(described.method, 'GET');
      assert.equal(described.path, '/pet/findByStatus');
      assert.deepEqual(described.inputSchema.required, ['status']);
      assert.equal(described.inputSchema.properties.status.type, 'array');
      assert.deepEqual(described.annotations.readOnlyHint, true);
    } finally {
      await within(client.close(), STEP_MS, 'closing the client');
    }
  });

  it('keeps stdout empty (logs go to stderr) and stops cleanly on SIGTERM', async () => {
    assert.equal(pair.stdout(), '');
    assert.match(pair.stderr(), /serving Swagger Petstore, Swagger Petstore .*transport=http/);
    assert.doesNotMatch(pair.stderr(), new RegExp(TOKEN), 'the token is never logged');
    const exited = new Promise<number | null>((done) => pair.child.once('exit', (code) => done(code)));
    pair.child.kill('SIGTERM');
    assert.equal(await within(exited, STEP_MS, 'the server stopping'), 0);
    assert.match(pair.stderr(), /stopped serving MCP over HTTP/);
  });
});

describe('a warm start over Streamable HTTP', { timeout: 40_000 }, () => {
  it('answers tools/list from the cached listing, equal to the cold start list', async () => {
    const cacheDir = cleanup.tempDir('headroom-e2e-http-warm-');
    const args = [fixture('petstore-3.0.yaml'), fixture('petstore-3.1.yaml'), '--cache-dir', cacheDir];
    const listOnce = async () => {
      const served = await serve(args);
      const client = await connect(served.url);
      const listed = await within(client.listTools(), STEP_MS, 'tools/list');
      const instructions = client.getInstructions();
      await within(client.close(), STEP_MS, 'closing the client');
      return { served, listed, instructions };
    };
    const cold = await listOnce();
    // The listing is written after the catalogs, about a second after the start: wait for it.
    for (let i = 0; i < 100 && !readdirSync(cacheDir).some((n) => n.endsWith('.raw')); i++) await sleep(100);
    assert.ok(
      readdirSync(cacheDir).some((n) => n.endsWith('.raw')),
      'a tool listing was cached',
    );
    cold.served.child.kill('SIGTERM');
    const warm = await listOnce();
    assert.deepEqual(warm.listed.tools, cold.listed.tools);
    assert.equal(warm.instructions, cold.instructions);
    assert.doesNotMatch(warm.served.stderr(), /loaded .*petstore/, 'no catalog read for tools/list');
    warm.served.child.kill('SIGTERM');
  });
});
