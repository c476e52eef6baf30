/**
 * OperationCaller against real loopback servers: the circuit breaker counts only an API that
 * cannot be reached, memory pressure refuses calls before anything is sent, and a revoked OAuth2
 * token is replaced once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CircuitOpenError, type HeadroomError, MemoryPressureError } from '../../src/errors.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';
import { OperationCaller } from '../../src/openapi/execute.js';
import { HttpClient } from '../../src/openapi/http-client.js';
import { type PreparedApi, prepareCatalog } from '../../src/openapi/prepare.js';
import type { Operation } from '../../src/openapi/types.js';

const SPEC = `
openapi: 3.0.3
info: { title: t, version: "1" }
servers: [{ url: http://127.0.0.1:9 }]
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: { clientCredentials: { tokenUrl: /token, scopes: {} } }
paths:
  /thing:
    get:
      operationId: getThing
      responses: { "200": { description: ok } }
  /slow:
    get:
      operationId: getSlow
      responses: { "200": { description: ok } }
  /secret:
    get:
      operationId: getSecret
      security: [{ oauth: [] }]
      responses: { "200": { description: ok } }
`;

const dir = mkdtempSync(join(tmpdir(), 'headroom-execute-'));
let api: PreparedApi;
let server: Server;
let origin = '';
let tokensIssued = 0;
const hits: string[] = [];
/** Answers to /slow wait for these. */
const held: Array<() => void> = [];

before(async () => {
  writeFileSync(join(dir, 'spec.yaml'), SPEC);
  api = await prepareCatalog(join(dir, 'spec.yaml'), { catalog: { apiName: 'api' }, version: 'test' });
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/token') {
      tokensIssued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ access_token: `token-${tokensIssued}`, expires_in: 3600 }));
    }
    // The first token is revoked before its expiry: only later ones are accepted.
    if (req.url === '/secret' && req.headers.authorization !== `Bearer token-${tokensIssued}`) {
      res.writeHead(401);
      return void res.end();
    }
    if (req.url === '/secret' && tokensIssued < 2) {
      res.writeHead(401);
      return void res.end();
    }
    if (req.url === '/slow') {
      held.push(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"slow":true}');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function op(name: string): Operation {
  return api.catalog.operations.find((o) => o.name === name) as Operation;
}

function caller(
  baseUrl: string,
  limiter?: MemoryLimiter,
  callMemoryBytes?: number,
): { caller: OperationCaller; client: HttpClient } {
  const client = new HttpClient({ maxRetries: 0, connectTimeoutMs: 500 });
  return {
    client,
    caller: new OperationCaller([{ catalog: api.catalog, baseUrl }], {
      client,
      budgetBytes: 4000,
      env: { HEADROOM_AUTH_OAUTH_CLIENT_ID: 'id', HEADROOM_AUTH_OAUTH_CLIENT_SECRET: 'secret' },
      ...(limiter ? { limiter, overloadWaitMs: 100 } : {}),
      ...(callMemoryBytes !== undefined ? { callMemoryBytes } : {}),
    }),
  };
}

const live = () => new AbortController().signal;

describe('OperationCaller', () => {
  it('opens the circuit after five calls that cannot reach the API, and says so', async () => {
    const { caller: c, client } = caller('http://127.0.0.1:9');
    try {
      for (let i = 0; i < 5; i++) {
        await assert.rejects(c.call(op('getThing'), {}, live()), (error: HeadroomError) => {
          assert.equal(error.code, 'HR_UPSTREAM_UNREACHABLE');
          return true;
        });
      }
      await assert.rejects(c.call(op('getThing'), {}, live()), CircuitOpenError);
    } finally {
      await c.close();
      await client.close();
    }
  });

  it('does not count cancelled calls against the API', async () => {
    const { caller: c, client } = caller(origin);
    try {
      for (let i = 0; i < 7; i++) {
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(c.call(op('getThing'), {}, controller.signal), { code: 'HR_ABORTED' });
      }
      const result = await c.call(op('getThing'), {}, live());
      assert.equal(result.isError, undefined);
      assert.match(result.content[0]?.type === 'text' ? result.content[0].text : '', /"ok": ?true/);
    } finally {
      await c.close();
      await client.close();
    }
  });

  it('lets one call in when nothing is being read, so RSS the allocator keeps after a burst cannot refuse calls forever', async () => {
    // RSS at 95% of a 1 GiB budget, while this process's objects take far less than half of it.
    const limiter = new MemoryLimiter({
      budgetBytes: 1024 ** 3,
      readUsage: () => 0.95 * 1024 ** 3,
      gcTrigger: 'never',
    });
    const { caller: c, client } = caller(origin, limiter);
    try {
      const slow = c.call(op('getSlow'), {}, live());
      for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(held.length, 1, 'the first call was let in and reached the API');
      const before = hits.length;
      await assert.rejects(c.call(op('getThing'), {}, live()), MemoryPressureError);
      assert.equal(hits.length, before, 'while one is being read, the next is refused unsent');
      held.shift()?.();
      assert.match(JSON.stringify(await slow), /slow/);
      const next = await c.call(op('getThing'), {}, live());
      assert.match(JSON.stringify(next), /ok/, 'once it is done, the next call is let in');
    } finally {
      for (const release of held.splice(0)) release();
      limiter.close();
      await c.close();
      await client.close();
    }
  });

  it("sets each call's share of the budget aside until its answer is read, and refuses calls that would not fit", async () => {
    // 100 MiB in use of 1 GiB: two calls of 400 MiB fit, a third does not until one is done.
    const limiter = new MemoryLimiter({
      budgetBytes: 1024 ** 3,
      readUsage: () => 100 * 1024 ** 2,
      gcTrigger: 'never',
    });
    const { caller: c, client } = caller(origin, limiter, 400 * 1024 ** 2);
    try {
      const first = c.call(op('getSlow'), {}, live());
      const second = c.call(op('getSlow'), {}, live());
      for (let i = 0; i < 100 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(held.length, 2);
      assert.equal(limiter.reservedBytes, 800 * 1024 ** 2);
      await assert.rejects(c.call(op('getThing'), {}, live()), (error: unknown) => {
        assert.ok(error instanceof MemoryPressureError);
        assert.match(error.message, /800 MiB set aside for the 2 calls in flight/);
        return true;
      });
      held.shift()?.();
      await first;
      assert.equal(limiter.reservedBytes, 400 * 1024 ** 2, 'released once the answer was read');
      assert.match(JSON.stringify(await c.call(op('getThing'), {}, live())), /ok/);
      held.shift()?.();
      await second;
      assert.equal(limiter.reservedBytes, 0);
    } finally {
      for (const release of held.splice(0)) release();
      limiter.close();
      await c.close();
      await client.close();
    }
  });

  it('refuses calls under critical memory pressure before anything is sent', async () => {
    const limiter = new MemoryLimiter({ budgetBytes: 100, readUsage: () => 99, gcTrigger: 'never' });
    const { caller: c, client } = caller(origin, limiter);
    const before = hits.length;
    try {
      await assert.rejects(c.call(op('getThing'), {}, live()), (error: unknown) => {
        assert.ok(error instanceof MemoryPressureError);
        assert.match(error.message, /overloaded.*retry/i);
        return true;
      });
      assert.equal(hits.length, before, 'nothing reached the API');
    } finally {
      limiter.close();
      await c.close();
      await client.close();
    }
  });

  it('replaces an OAuth2 token the API no longer accepts, once', async () => {
    const { caller: c, client } = caller(origin);
    try {
      const result = await c.call(op('getSecret'), {}, live());
      assert.equal(result.isError, undefined, JSON.stringify(result));
      assert.equal(tokensIssued, 2);
    } finally {
      await c.close();
      await client.close();
    }
  });
});
