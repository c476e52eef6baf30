/**
 * Bad tool arguments (issue 9): every case ends in a clear error or a correct answer, and the server
 * keeps serving the next good call. The end-to-end part drives the real `headroom openapi` over stdio
 * with the SDK's Client against a loopback server that records every request as it arrived.
 *
 * | issue 9 bullet            | covered by                                                                          |
 * | ------------------------- | ----------------------------------------------------------------------------------- |
 * | wrong types               | test/openapi/validate.test.ts "names wrong types with what was given";               |
 * |                           | test/e2e/openapi-calls.test.ts "answers bad arguments with what is wrong, and sends  |
 * |                           | nothing"; here: "wrong types, missing and extra fields: ..." (e2e)                   |
 * | missing fields            | validate.test.ts "names missing required arguments"; test/openapi/request.test.ts    |
 * |                           | "names a missing path parameter rather than sending {id}", "reports missing required |
 * |                           | query and header parameters"; openapi-calls e2e; here (e2e)                          |
 * | extra fields              | validate.test.ts "lists the arguments after an unknown one, with a suggestion";      |
 * |                           | test/security/origin.test.ts "refuses extra arguments that name another place to     |
 * |                           | call"; openapi-calls e2e; here (e2e)                                                 |
 * | ../../admin, %2e%2e%2f    | request.test.ts "keeps every traversal attempt inside one segment under the base     |
 * | (and ..%2F)               | path", "refuses a value that makes the segment . or .."; test/property/              |
 * |                           | request-builder.test.ts (no generated value leaves the base URL); openapi-calls e2e  |
 * |                           | "keeps path values inside their segment and the base path"; security/origin.test.ts  |
 * |                           | "keeps path arguments shaped like URLs or traversals inside their segment"; here:    |
 * |                           | "path values ...: the exact encoded segment under the base path" (e2e, the wire)     |
 * | CR/LF in header values    | request.test.ts "refuses a header value with CR or LF (header injection)";           |
 * |                           | request-builder property "a header value is accepted exactly when Node would accept  |
 * |                           | it"; security/origin.test.ts "... refuses CR/LF in a header"; here: "CR/LF in a      |
 * |                           | header value ..." (e2e: CR, LF and CRLF alone; nothing reaches the wire)             |
 * | huge arguments            | here: arguments nested 10,000 deep (MAX_ARGUMENT_DEPTH, unit and e2e); a 1 MB path   |
 * |                           | value (URL far over what servers take: short message, unit and e2e); an 8 MB body    |
 * |                           | (sent whole, e2e); test/security/http-access.test.ts for bodies over the HTTP        |
 * |                           | transport's limit (413); over stdio's 10 MiB line limit: dropped with an error       |
 * |                           | answer, and the server goes on (here, e2e; test/mcp/line-guard.test.ts)              |
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ToolArgumentError, UpstreamError } from '../../src/errors.js';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { HttpClient } from '../../src/openapi/http-client.js';
import { RefResolver } from '../../src/openapi/refs.js';
import type { JsonObject, Operation } from '../../src/openapi/types.js';
import { ArgumentValidator, MAX_ARGUMENT_DEPTH } from '../../src/openapi/validate.js';
import {
  Cleanup,
  connectStdio,
  NODE_ARGS,
  RawSession,
  ROOT,
  type StdioClient,
  within,
} from '../e2e/cli-helpers.js';
import { type Recorder, sendJson, startRecorder } from '../security/helpers.js';

const STEP_MS = 15_000;
const cleanup = new Cleanup();
after(() => cleanup.run());

/** An object holding an object ... `levels` deep, with `{}` innermost: `levels` levels in all. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const SPEC = `openapi: 3.0.3
info: { title: Arguments, version: "1" }
servers: [{ url: "http://127.0.0.1:9/unused" }]
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: X-Trace, in: header, schema: { type: string } }
        - { name: limit, in: query, schema: { type: integer, minimum: 1 } }
      responses: { "200": { description: ok, content: { application/json: { schema: { type: object } } } } }
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: { type: string }
                count: { type: integer }
                data: {}
      responses: { "200": { description: ok, content: { application/json: { schema: { type: object } } } } }
`;

describe('ArgumentValidator: nesting depth (huge arguments)', () => {
  const catalog = buildCatalog(
    {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          post: {
            operationId: 'post',
            requestBody: { content: { 'application/json': { schema: {} } } },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    } as JsonObject,
    new RefResolver('file:///spec.json', new Map()),
    { apiName: 'depth' },
  );
  const op = catalog.operations[0] as Operation;
  const validate = (args: Record<string, unknown>) =>
    new ArgumentValidator().validate(op, catalog.definitions, args);

  it('refuses arguments nested 10,000 deep at once, naming the limit and where, in a short message', () => {
    const started = performance.now();
    assert.throws(
      () => validate({ body: nested(10_000) }),
      (error: unknown) =>
        error instanceof ToolArgumentError &&
        error.message.includes(`more than ${MAX_ARGUMENT_DEPTH} levels deep`) &&
        /at body\.a\.a/.test(error.message) &&
        /send flatter values/.test(error.message) &&
        error.message.length < 400,
    );
    assert.ok(performance.now() - started < 2000, 'refused within 2 s');
  });

  it('accepts exactly MAX_ARGUMENT_DEPTH levels (arrays count too) and refuses one more', () => {
    assert.equal(MAX_ARGUMENT_DEPTH, 1000);
    // The arguments object is level 0, so `body` holds the rest.
    assert.doesNotThrow(() => validate({ body: nested(MAX_ARGUMENT_DEPTH) }));
    assert.throws(() => validate({ body: nested(MAX_ARGUMENT_DEPTH + 1) }), /more than 1000 levels/);
    let list: unknown[] = [];
    for (let i = 1; i <= MAX_ARGUMENT_DEPTH; i++) list = [list];
    assert.throws(() => validate({ body: list }), /more than 1000 levels deep \(at body\[0\]\[0\]/);
  });

  it('walks a wide value (200,000 small objects) quickly', () => {
    const wide = Array.from({ length: 200_000 }, (_, i) => ({ i, tags: [i] }));
    const started = performance.now();
    assert.doesNotThrow(() => validate({ body: wide }));
    assert.ok(performance.now() - started < 3000, `${Math.round(performance.now() - started)} ms`);
  });
});

describe('HttpClient: a URL far over what servers take', () => {
  /** A server that reads the request and closes the connection without answering, as many do. */
  async function closingServer(): Promise<{ origin: string; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      origin: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it('names the length of the URL and what to do, and shows only the start of the path', async () => {
    const server = await closingServer();
    const client = new HttpClient({ maxRetries: 0 });
    try {
      const long = `${server.origin}/api/things/${'a'.repeat(1_000_000)}`;
      const error = await client.send({ method: 'GET', url: new URL(long), headers: {} }).then(
        () => assert.fail('a closed connection is an error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof UpstreamError, String(error));
      assert.equal(error.code, 'HR_UPSTREAM_UNREACHABLE');
      assert.match(error.message, /\/api\/things\/a{150,}\.\.\. \(1,000,012 characters\)/);
      assert.match(error.message, /the request URL is 1,000,0\d\d characters long/);
      assert.match(
        error.message,
        /servers commonly refuse URLs over 8 KiB: pass shorter path and query arguments/,
      );
      assert.ok(error.message.length < 800, `${error.message.length} characters`);

      // A short URL to the same server keeps the ordinary advice.
      const short = await client
        .send({ method: 'GET', url: new URL(`${server.origin}/api/things/1`), headers: {} })
        .then(
          () => assert.fail('a closed connection is an error'),
          (e: unknown) => e as Error,
        );
      assert.match(short.message, /GET http:\/\/127\.0\.0\.1:\d+\/api\/things\/1: cannot reach/);
      assert.match(short.message, /check the base URL, that the API is up, and the network/);
      assert.doesNotMatch(short.message, /characters/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('bad tool arguments through headroom openapi (stdio e2e)', { timeout: 60_000 }, () => {
  let api: Recorder;
  let stdio: StdioClient;

  before(async () => {
    api = await startRecorder((_hit, res) => sendJson(res, 200, { ok: true }));
    cleanup.onRun(() => api.close());
    const dir = cleanup.tempDir('headroom-faults-arguments-');
    const spec = join(dir, 'arguments.yaml');
    writeFileSync(spec, SPEC);
    const args = ['openapi', spec, '--base-url', `${api.origin}/api`, '--tools', 'all', '--no-cache'];
    args.push('--max-retries', '0', '--spill-dir', join(dir, 'spill'));
    stdio = await connectStdio(args, cleanup, {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      name: 'headroom-faults-arguments',
      timeoutMs: STEP_MS,
    });
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await within(
      stdio.client.callTool({ name, arguments: args }, { timeout: STEP_MS }),
      STEP_MS,
      `calling ${name}`,
    )) as { content: Array<{ text?: string }>; isError?: boolean };
    return { text: result.content.map((c) => c.text ?? '').join('\n'), isError: result.isError === true };
  };

  /** The server is up and serves a good call, which reaches the API as sent. */
  const assertServes = async (what: string) => {
    const from = api.hits.length;
    const good = await call('getThing', { id: 'ok-1', 'X-Trace': 't-1' });
    assert.equal(good.isError, false, `${what}: the next good call failed: ${good.text}`);
    assert.match(good.text, /"ok": true/);
    const hit = api.hits[from];
    assert.equal(hit?.url, '/api/things/ok-1', what);
    assert.equal(hit?.headers['x-trace'], 't-1', what);
  };

  it('wrong types, missing and extra fields: an isError result naming each problem, nothing sent', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp[]]> = [
      ['getThing', { id: 'a', limit: 'ten' }, [/limit/, /integer/]],
      ['getThing', { id: 'a', limit: 0 }, [/limit/, /1/]],
      ['getThing', { id: { nested: true } }, [/\bid\b/, /string/]],
      ['getThing', {}, [/missing required argument/, /\bid\b/]],
      ['getThing', { id: 'a', idd: 'b' }, [/idd/]],
      ['createThing', {}, [/body/]],
      ['createThing', { body: { count: 1 } }, [/name/]],
      ['createThing', { body: { name: 7, count: 'x' } }, [/name/, /count/]],
      ['createThing', { body: 'not an object' }, [/body/, /object/]],
    ];
    const from = api.hits.length;
    for (const [tool, args, reasons] of cases) {
      const result = await call(tool, args);
      const what = `${tool} ${JSON.stringify(args)}`;
      assert.equal(result.isError, true, `${what}: ${result.text}`);
      for (const reason of reasons) assert.match(result.text, reason, what);
    }
    assert.deepEqual(api.hits.slice(from), [], 'no bad call reached the API');
    await assertServes('bad types');
  });

  it('path values ../../admin, %2e%2e%2f, ..%2F: the exact encoded segment under the base path', async () => {
    const cases: Array<[string, string]> = [
      ['../../admin', '/api/things/..%2F..%2Fadmin'],
      ['%2e%2e%2f', '/api/things/%252e%252e%252f'],
      ['..%2F', '/api/things/..%252F'],
      ['..%2F..%2Fadmin', '/api/things/..%252F..%252Fadmin'],
      ['/admin', '/api/things/%2Fadmin'],
    ];
    for (const [id, path] of cases) {
      const from = api.hits.length;
      const result = await call('getThing', { id });
      assert.equal(result.isError, false, `${id}: ${result.text}`);
      assert.equal(api.hits.length, from + 1, id);
      // The raw request target, exactly as it reached the server.
      assert.equal(api.hits[from]?.url, path, id);
    }
    // Segments the server would resolve away are refused, and nothing is sent.
    for (const id of ['..', '.']) {
      const from = api.hits.length;
      const result = await call('getThing', { id });
      assert.equal(result.isError, true, id);
      assert.match(result.text, /'id'/);
      assert.equal(api.hits.length, from, `${id} was sent`);
    }
    await assertServes('path values');
  });

  it('CR/LF in a header value: refused, no request reaches the wire, the next call is served', async () => {
    const start = api.hits.length;
    for (const value of ['a\r\nX-Admin: yes', 'a\nX-Admin: yes', 'a\rX-Admin: yes', '\r\n\r\nGET /admin']) {
      const from = api.hits.length;
      const result = await call('getThing', { id: '1', 'X-Trace': value });
      assert.equal(result.isError, true, JSON.stringify(value));
      assert.match(result.text, /X-Trace/);
      assert.equal(api.hits.length, from, `${JSON.stringify(value)} reached the API`);
    }
    assert.deepEqual(api.hits.slice(start), [], 'no request on the wire');
    assert.ok(
      api.hits.every((hit) => hit.headers['x-admin'] === undefined),
      'no injected header on the wire',
    );
    await assertServes('CR/LF');
  });

  /**
   * A second server process spoken to in raw JSON-RPC lines, for messages the SDK client cannot or
   * will not send; initialized, so tools/call works at once.
   */
  async function rawServer(): Promise<{ child: ChildProcess; session: RawSession }> {
    const dir = cleanup.tempDir('headroom-faults-raw-');
    const spec = join(dir, 'arguments.yaml');
    writeFileSync(spec, SPEC);
    const child = cleanup.track(
      spawn(
        process.execPath,
        [...NODE_ARGS, 'openapi', spec, '--base-url', `${api.origin}/api`, '--tools', 'all', '--no-cache'],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    );
    const session = new RawSession(child);
    session.send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await session.answer(1, STEP_MS);
    session.send({ method: 'notifications/initialized' });
    return { child, session };
  }

  it('arguments nested 10,000 deep: an isError naming the limit, and the server keeps serving', async () => {
    // The SDK client cannot send this (its JSON.stringify overflows the stack): raw lines instead.
    const { child, session } = await rawServer();
    const from = api.hits.length;
    const DEPTH = 10_000;
    const deep = `${'{"a":'.repeat(DEPTH)}{}${'}'.repeat(DEPTH)}`;
    child.stdin?.write(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"createThing","arguments":{"body":{"name":"deep","data":${deep}}}}}\n`,
    );
    session.send({ id: 3, method: 'tools/call', params: { name: 'getThing', arguments: { id: 'after' } } });
    const refused = (await session.answer(2, STEP_MS)).result as {
      isError?: boolean;
      content: Array<{ text: string }>;
    };
    assert.equal(refused.isError, true, JSON.stringify(refused).slice(0, 500));
    const message = refused.content[0]?.text ?? '';
    assert.match(message, /the arguments nest more than 1000 levels deep \(at body\.data\.a\.a/);
    assert.match(message, /send flatter values/);
    assert.ok(message.length < 500, `${message.length} characters`);
    const next = (await session.answer(3, STEP_MS)).result as { isError?: boolean };
    assert.equal(next.isError, undefined, JSON.stringify(next));
    assert.deepEqual(
      api.hits.slice(from).map((hit) => hit.url),
      ['/api/things/after'],
      'only the good call was sent',
    );
    child.stdin?.end();
    assert.deepEqual(await within(session.exited, STEP_MS, 'the server exiting'), { code: 0, signal: null });
  });

  it('a stdio message over the 10 MiB line limit: an error answer, and the server keeps serving', async () => {
    const { child, session } = await rawServer();
    // Once the server has gone, writing to it fails with EPIPE; the assertions below say so.
    child.stdin?.on('error', () => undefined);
    session.send({
      id: 2,
      method: 'tools/call',
      params: {
        name: 'createThing',
        arguments: { body: { name: 'big', data: 'z'.repeat(11 * 1024 * 1024) } },
      },
    });
    // Sent after the big line was read, so it cannot fall into the same refused chunk.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    try {
      assert.equal(child.exitCode, null, `the server exited (code ${child.exitCode}):\n${session.stderr}`);
      session.send({ id: 3, method: 'tools/list' });
      const listed = await session.answer(3, 4000);
      assert.ok(listed.result, JSON.stringify(listed).slice(0, 300));
      const big = await session.answer(2, 1000);
      assert.match(JSON.stringify(big), /10 MiB|10,485,760|too large/);
    } finally {
      child.stdin?.end();
      await within(session.exited, STEP_MS, 'the server exiting');
    }
  });

  it('a 1 MB path value: a short isError saying the URL is too long, and the server keeps serving', async () => {
    const result = await call('getThing', { id: 'x'.repeat(1_000_000) });
    assert.equal(result.isError, true, result.text.slice(0, 500));
    assert.ok(result.text.length < 2000, `${result.text.length} characters in the result`);
    // Node's server answers 431 to a request line over its 16 KiB limit; the hint says what to do.
    assert.match(result.text, /answered 431/);
    assert.match(result.text, /pass shorter path, query and header arguments/);
    await assertServes('huge path value');
  });

  it('an 8 MB body: sent whole, answered, and the server keeps serving', async () => {
    const from = api.hits.length;
    const data = 'y'.repeat(8 * 1024 * 1024);
    const result = await call('createThing', { body: { name: 'big', data } });
    assert.equal(result.isError, false, result.text.slice(0, 500));
    const hit = api.hits[from];
    assert.equal(hit?.url, '/api/things');
    assert.equal(hit?.body.length, JSON.stringify({ name: 'big', data }).length);
    await assertServes('huge body');
  });
});
