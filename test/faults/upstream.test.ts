/**
 * Upstream HTTP faults (issue 9), end to end: the real `headroom openapi` process, driven by the MCP
 * SDK Client over stdio, calls a loopback node:http upstream that misbehaves on purpose. Each bad
 * call must end in a clear answer (an isError result that says what happened and what to do, or a
 * correct answer with a note), within a bounded time and memory, and the server must then answer a
 * good call: it stays up.
 *
 * | Bullet (issue 9)          | Covered by                                                                                     |
 * | ------------------------- | ---------------------------------------------------------------------------------------------- |
 * | connection refused        | test/openapi/http-client.test.ts "names the origin and the system code when the connection is  |
 * |                           | refused"; test/openapi/execute.test.ts "opens the circuit after five calls that cannot reach   |
 * |                           | the API"; here: "connection refused: a clear error, then the API comes back"                   |
 * | timeouts                  | http-client.test.ts "times out waiting for headers ...", "times out when the body stops ...";  |
 * |                           | here: "no response headers: the headers timeout, naming its option"                            |
 * |                           | (a connect timeout needs a non-loopback address that drops packets: not reproduced here)       |
 * | slow drip (1 byte a s)    | http-client.test.ts "times out when the body stops in the middle" (one byte, then silence);    |
 * |                           | here: "a slow drip of one byte a second: the body timeout, naming its option"                  |
 * | reset mid-body            | http-client.test.ts "reports a reset in the middle of the body ..."; here: "reset mid-body"    |
 * | 5xx storms                | http-client.test.ts "retries a 503 up to maxRetries ..." (one call); test/e2e/openapi-calls    |
 * |                           | "turns upstream errors into tool errors" (404, 429); here: "a 5xx storm: every call a clear    |
 * |                           | error, retries bounded"                                                                        |
 * | invalid JSON              | test/openapi/shape.test.ts (shaper level); here: "invalid JSON: shown as text with a note"    |
 * | gzip bomb                 | http-client.test.ts "stops a gzip bomb at the ratio while memory stays low" (client level);    |
 * |                           | here: "a gzip bomb: stopped at the ratio, peak RSS bounded"                                    |
 * | endless body              | http-client.test.ts "stops an endless plain body at maxResponseBytes and closes the socket";   |
 * |                           | here: "an endless body: first page at once, read stops at --max-response-bytes, RSS bounded"  |
 * | wrong content type        | here: "a wrong content type: the body is still read for what it is" (new: JSON labelled as an  |
 * |                           | image used to be returned as a broken image)                                                   |
 * | redirect to other origin  | http-client.test.ts "refuses a redirect to another origin ...", "follows a cross-origin       |
 * |                           | redirect when allowed, without credentials"; openapi-calls.test.ts "turns upstream errors ..." |
 * |                           | (redirectAway); here: "a redirect to another origin: refused, the other origin gets nothing",  |
 * |                           | "... when allowed: followed without the credentials"                                           |
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { Cleanup, connectStdio, type StdioClient, within } from '../e2e/cli-helpers.js';

const MiB = 1024 * 1024;
const STEP_MS = 15_000;
const TOKEN = 'upstream-secret-4e1f';
/** --max-response-bytes of the server under test: the endless body must stop here. */
const MAX_RESPONSE_MB = 96;
/**
 * Growth of the child's peak RSS (VmHWM) allowed across a gzip bomb or an endless body: far below
 * the bytes they push (gigabytes decompressed; MAX_RESPONSE_MB read), so the bodies must stream.
 */
const RSS_GROWTH_BOUND = 64 * MiB;

const cleanup = new Cleanup();
after(() => cleanup.run());

/** One request as the upstream saw it. */
interface Hit {
  url: string;
  authorization: string | undefined;
}

interface TestUpstream {
  origin: string;
  hits: Hit[];
  /** Responses by path whose connection closed, finished or not. */
  closed: Map<string, number>;
  /** Bytes written to response bodies, by path (before compression). */
  produced: Map<string, number>;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, up: TestUpstream) => void;

/** A loopback node:http server that answers each path with its route (404 JSON otherwise). */
async function startUpstream(routes: Record<string, Route>, port = 0): Promise<TestUpstream> {
  const up: TestUpstream = {
    origin: '',
    hits: [],
    closed: new Map(),
    produced: new Map(),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    up.hits.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.on('error', () => undefined); // clients leaving mid-body is what these tests cause
    res.once('close', () => up.closed.set(path, (up.closed.get(path) ?? 0) + 1));
    const route = routes[path];
    if (route) route(req, res, up);
    else json(res, 404, { error: `no route ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  up.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  up.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return up;
}

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Counts the bytes of `path`'s body as a Readable produces them. */
function counted(up: TestUpstream, path: string, next: () => Buffer | null): Readable {
  return new Readable({
    read() {
      const chunk = next();
      if (chunk) up.produced.set(path, (up.produced.get(path) ?? 0) + chunk.length);
      this.push(chunk);
    },
  });
}

/** The misbehaving API: every fault at /api/fault/<kind>, and /api/fault/ok that always works. */
const FAULTS: Record<string, Route> = {
  '/api/fault/ok': (_req, res) => json(res, 200, { ok: true }),
  // Never answers: only the headers timeout ends the call.
  '/api/fault/hang': () => undefined,
  // One byte a second of a JSON array that never ends.
  '/api/fault/drip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const timer = setInterval(() => res.write('1'), 1000);
    res.once('close', () => clearInterval(timer));
  },
  // 2 KiB of an object, then a TCP reset.
  '/api/fault/reset': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"items":"${'a'.repeat(2037)}`);
    setTimeout(() => res.socket?.resetAndDestroy(), 50);
  },
  '/api/fault/unavailable': (_req, res) => json(res, 503, { error: 'overloaded' }, { 'retry-after': '0' }),
  '/api/fault/bad-gateway': (_req, res) => json(res, 502, { error: 'bad gateway' }),
  '/api/fault/internal': (_req, res) => json(res, 500, { error: 'boom' }),
  '/api/fault/invalid-json': (_req, res) => send(res, 'application/json', '{"id": 1,, "name": "lamp"}'),
  '/api/fault/invalid-array': (_req, res) =>
    send(res, 'application/json', '[{"id":1},{"id":2},{"id":3 "x"}]'),
  // Gigabytes of zeros, gzipped about 1000:1, labelled JSON; produced only as fast as it is read.
  '/api/fault/bomb': (_req, res, up) => {
    const zeros = Buffer.alloc(64 * 1024);
    let left = 4096; // 4096 x 64 KiB = 256 MiB at most
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    counted(up, '/api/fault/bomb', () => (left-- > 0 ? zeros : null))
      .pipe(createGzip())
      .pipe(res);
  },
  // A JSON array without end: items for as long as the client reads.
  '/api/fault/endless': (_req, res, up) => {
    const items = Buffer.from(
      `${JSON.stringify({ id: 1, name: 'item', body: 'x'.repeat(200) })},`.repeat(256),
    );
    let first = true;
    res.writeHead(200, { 'content-type': 'application/json' });
    counted(up, '/api/fault/endless', () => {
      if (!first) return items;
      first = false;
      return Buffer.concat([Buffer.from('['), items]);
    }).pipe(res);
  },
  '/api/fault/html-as-json': (_req, res) =>
    send(res, 'application/json', '<html><body><h1>502 Bad Gateway</h1></body></html>'),
  '/api/fault/json-as-html': (_req, res) => send(res, 'text/html', '{"id":7,"name":"lamp"}'),
  '/api/fault/json-as-image': (_req, res) => send(res, 'image/png', '{"error":"not an image","id":7}'),
};

/** One GET operation for every fault, with a bearer credential (so redirects can be checked for it). */
const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Faulty upstream', version: '1.0' },
  servers: [{ url: 'http://127.0.0.1:9/api' }],
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearerAuth: [] }],
  paths: {
    '/fault/{kind}': {
      get: {
        operationId: 'fault',
        parameters: [{ name: 'kind', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'Whatever the upstream sends', content: { 'application/json': {} } },
        },
      },
    },
  },
};

interface Result {
  content: Array<{ type: string; text?: string; data?: string; mimeType?: string }>;
  isError?: boolean;
}

interface Server {
  stdio: StdioClient;
  call(kind: string): Promise<Result>;
  /** Calls `kind`, returning the result and how long it took. */
  timed(kind: string): Promise<{ result: Result; ms: number }>;
  readResult(cursor: string, offset: number): Promise<Result>;
  /** Fails unless the process is alive and a good call succeeds. */
  assertUp(): Promise<void>;
  /** The child's peak resident set size so far (VmHWM), in bytes. */
  peakRss(): number;
}

/** Starts `headroom openapi` on SPEC against `origin`, with short timeouts so that faults end fast. */
async function serve(origin: string, extra: string[] = []): Promise<Server> {
  const dir = cleanup.tempDir('headroom-faults-upstream-');
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(SPEC));
  const args = ['openapi', spec, '--base-url', `${origin}/api`, '--tools', 'all'];
  args.push('--cache-dir', join(dir, 'cache'), '--spill-dir', join(dir, 'spill'));
  args.push('--headers-timeout', '500', '--body-timeout', '400', '--response-budget', '2000');
  args.push('--max-response-bytes', `${MAX_RESPONSE_MB}MB`);
  const stdio = await connectStdio([...args, ...extra], cleanup, {
    env: { PATH: process.env.PATH ?? '', HOME: dir, HEADROOM_AUTH_BEARERAUTH: TOKEN },
    name: 'headroom-faults-upstream',
    timeoutMs: STEP_MS,
  });
  const tool = async (name: string, args: Record<string, unknown>) =>
    (await within(stdio.client.callTool({ name, arguments: args }), STEP_MS, `calling ${name}`)) as Result;
  const call = (kind: string) => tool('fault', { kind });
  const pid = stdio.transport.pid;
  assert.ok(pid, 'the child has a pid');
  return {
    stdio,
    call,
    async timed(kind) {
      const started = performance.now();
      const result = await call(kind);
      return { result, ms: performance.now() - started };
    },
    readResult: (cursor, offset) => tool('read_result', { cursor, offset }),
    async assertUp() {
      process.kill(pid, 0); // throws when the process is gone
      const good = await call('ok');
      assert.equal(good.isError, undefined, text(good));
      assert.deepEqual(JSON.parse(text(good)), { ok: true });
    },
    peakRss() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
      assert.ok(kib, 'VmHWM in /proc/PID/status');
      return Number(kib) * 1024;
    },
  };
}

function text(result: Result, index = 0): string {
  return result.content[index]?.text ?? '';
}

function allText(result: Result): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

/** Hits of one fault path from `from` on. */
function hitsOf(up: TestUpstream, kind: string, from = 0): Hit[] {
  return up.hits.slice(from).filter((h) => h.url === `/api/fault/${kind}`);
}

/** Polls `condition` every 20 ms until it holds, failing after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  await within(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
    })(),
    ms,
    what,
  );
}

describe('upstream faults through headroom openapi (stdio e2e)', { timeout: 90_000 }, () => {
  let up: TestUpstream;
  let server: Server;
  before(async () => {
    up = await startUpstream(FAULTS);
    server = await serve(up.origin);
    await server.assertUp();
  });
  after(() => up.close());

  it('no response headers: the headers timeout, naming its option', async () => {
    const from = up.hits.length;
    const { result, ms } = await server.timed('hang');
    assert.equal(result.isError, true);
    assert.match(text(result), /sent no response headers within 500 ms \(the headers timeout\)/);
    assert.match(text(result), /raise --headers-timeout \(HEADROOM_OPENAPI_HEADERS_TIMEOUT_MS\)/);
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
    // Not retried: the upstream may still be working on the first one.
    assert.equal(hitsOf(up, 'hang', from).length, 1);
    await until(() => (up.closed.get('/api/fault/hang') ?? 0) >= 1, 5000, 'the hung request closing');
    await server.assertUp();
  });

  it('a slow drip of one byte a second: the body timeout, naming its option', async () => {
    const { result, ms } = await server.timed('drip');
    assert.equal(result.isError, true);
    assert.match(text(result), /sent nothing for 400 ms in the middle of the body \(after 1 B\)/);
    assert.match(text(result), /raise --body-timeout \(HEADROOM_OPENAPI_BODY_TIMEOUT_MS\)/);
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
    await until(() => (up.closed.get('/api/fault/drip') ?? 0) >= 1, 5000, 'the drip closing');
    await server.assertUp();
  });

  it('reset mid-body: a clear error with the bytes received', async () => {
    const from = up.hits.length;
    const result = await server.call('reset');
    assert.equal(result.isError, true);
    assert.match(text(result), /the connection to http:\/\/127\.0\.0\.1:\d+ broke in the middle of the body/);
    assert.match(text(result), /after 2 KiB; try again/);
    // A body that was half read is not sent again.
    assert.equal(hitsOf(up, 'reset', from).length, 1);
    await server.assertUp();
  });

  it('a 5xx storm: every call a clear error, retries bounded', async () => {
    const from = up.hits.length;
    const storm: Array<[kind: string, status: number, calls: number, triesEach: number]> = [
      ['unavailable', 503, 10, 3], // Retry-After: 0, retried twice (the default --max-retries)
      ['bad-gateway', 502, 3, 3], // retried twice after a backoff
      ['internal', 500, 10, 1], // not a status worth retrying
    ];
    for (const [kind, status, calls] of storm) {
      for (let i = 0; i < calls; i++) {
        const result = await server.call(kind);
        assert.equal(result.isError, true, `${kind} call ${i}`);
        assert.match(
          text(result),
          new RegExp(
            `^GET /fault/\\{kind\\} answered ${status}\\. The API failed on its side\\. Retrying later may work\\.`,
          ),
        );
      }
    }
    for (const [kind, , calls, triesEach] of storm)
      assert.equal(hitsOf(up, kind, from).length, calls * triesEach, kind);
    // 5xx answers say nothing about reachability: the circuit stays closed and the next call goes through.
    await server.assertUp();
  });

  it('invalid JSON: shown as text with a note that says where it breaks', async () => {
    const object = await server.call('invalid-json');
    assert.equal(object.isError, undefined);
    assert.equal(text(object), '{"id": 1,, "name": "lamp"}');
    assert.match(text(object, 1), /^The response is not valid JSON: at byte 9, .+\. It is shown as text\./);
    const array = await server.call('invalid-array');
    assert.equal(array.isError, undefined);
    assert.match(
      allText(array),
      /The response is not valid JSON \(.+\)\. Its first 32 bytes are shown as text/,
    );
    assert.match(text(array), /\{"id":3 "x"\}/);
    await server.assertUp();
  });

  it('a wrong content type: the body is still read for what it is', async () => {
    const html = await server.call('html-as-json');
    assert.equal(html.isError, undefined);
    assert.match(allText(html), /502 Bad Gateway/);
    assert.match(allText(html), /not valid JSON/);
    const asHtml = await server.call('json-as-html');
    assert.equal(asHtml.isError, undefined);
    assert.equal(text(asHtml), '{"id":7,"name":"lamp"}');
    // JSON labelled image/png was returned as an image that no client could show.
    const asImage = await server.call('json-as-image');
    assert.equal(asImage.isError, undefined);
    assert.deepEqual(
      asImage.content.map((c) => c.type),
      ['text'],
    );
    assert.deepEqual(JSON.parse(text(asImage)), { error: 'not an image', id: 7 });
    await server.assertUp();
  });

  it('a gzip bomb: stopped at the ratio, peak RSS bounded', async (t) => {
    const before = server.peakRss();
    const { result, ms } = await server.timed('bomb');
    assert.equal(result.isError, true);
    assert.match(
      text(result),
      /decompresses \d+ times over .* past the limit of 200; this looks like a compression bomb/,
    );
    assert.match(text(result), /raise --max-decompression-ratio/);
    assert.ok(ms < 10_000, `took ${Math.round(ms)} ms`);
    await until(() => (up.closed.get('/api/fault/bomb') ?? 0) >= 1, 5000, 'the bomb connection closing');
    const produced = up.produced.get('/api/fault/bomb') ?? 0;
    assert.ok(produced < 64 * MiB, `the upstream produced ${(produced / MiB).toFixed(0)} MiB of zeros`);
    const growth = server.peakRss() - before;
    t.diagnostic(
      `bomb: ${(produced / MiB).toFixed(1)} MiB of zeros produced, peak RSS ${(server.peakRss() / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(1)})`,
    );
    assert.ok(growth < RSS_GROWTH_BOUND, `peak RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    await server.assertUp();
  });

  it('an endless body: first page at once, read stops at --max-response-bytes, RSS bounded', async (t) => {
    const before = server.peakRss();
    const { result, ms } = await server.timed('endless');
    assert.equal(result.isError, undefined, text(result));
    assert.ok(ms < 5000, `the first page took ${Math.round(ms)} ms`);
    const items = JSON.parse(text(result)) as Array<{ id: number }>;
    assert.ok(items.length > 0 && items.every((i) => i.id === 1));
    const cursor = /"cursor":"([^"]+)"/.exec(text(result, 1))?.[1];
    assert.ok(cursor, text(result, 1));
    // The rest is read into the spill in the background, until the limit ends it.
    await until(() => (up.closed.get('/api/fault/endless') ?? 0) >= 1, 40_000, 'the endless body being cut');
    const produced = up.produced.get('/api/fault/endless') ?? 0;
    assert.ok(produced >= MAX_RESPONSE_MB * MiB, `produced ${(produced / MiB).toFixed(0)} MiB`);
    const growth = server.peakRss() - before;
    t.diagnostic(
      `endless: ${(produced / MiB).toFixed(1)} MiB produced, peak RSS ${(server.peakRss() / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(1)})`,
    );
    assert.ok(growth < RSS_GROWTH_BOUND, `peak RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    // Reading on says where and why the result ends.
    const page = await server.readResult(cursor, items.length);
    assert.equal(page.isError, undefined, text(page));
    assert.match(text(page, 1), /the response was cut at item [\d,]+: .*larger than the 96 MiB limit/);
    assert.match(text(page, 1), /raise --max-response-bytes \(HEADROOM_OPENAPI_MAX_RESPONSE_BYTES\)/);
    await server.assertUp();
  });
});

describe('redirects to another origin', { timeout: 60_000 }, () => {
  let other: TestUpstream;
  let api: TestUpstream;
  before(async () => {
    other = await startUpstream({
      '/elsewhere': (_req, res) => json(res, 200, { from: 'the other origin' }),
    });
    const away: Route = (_req, res) => {
      res.writeHead(302, { location: `${other.origin}/elsewhere` });
      res.end();
    };
    api = await startUpstream({ ...FAULTS, '/api/fault/away': away });
  });
  after(async () => {
    await api.close();
    await other.close();
  });

  it('a redirect to another origin: refused, the other origin gets nothing', async () => {
    const server = await serve(api.origin);
    const result = await server.call('away');
    assert.equal(result.isError, true);
    assert.match(
      text(result),
      new RegExp(
        `redirected \\(302\\) from ${api.origin} to another origin, ${other.origin}; not followed so that credentials stay with the API`,
      ),
    );
    assert.match(text(result), /Pass --allow-cross-origin-redirects/);
    assert.ok(!allText(result).includes(TOKEN));
    assert.equal(hitsOf(api, 'away')[0]?.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(other.hits, [], 'the other origin received nothing');
    await server.assertUp();
  });

  it('a redirect to another origin when allowed: followed without the credentials', async () => {
    const server = await serve(api.origin, ['--allow-cross-origin-redirects']);
    const result = await server.call('away');
    assert.equal(result.isError, undefined, text(result));
    assert.deepEqual(JSON.parse(text(result)), { from: 'the other origin' });
    assert.deepEqual(other.hits, [{ url: '/elsewhere', authorization: undefined }]);
  });
});

describe('connection refused', { timeout: 60_000 }, () => {
  it('connection refused: a clear error, then the API comes back', async () => {
    // A port that was free a moment ago and has nothing listening on it now.
    const probe = await startUpstream({});
    const port = Number(new URL(probe.origin).port);
    await probe.close();
    const server = await serve(probe.origin);
    const { result, ms } = await server.timed('ok');
    assert.equal(result.isError, true);
    assert.match(
      text(result),
      new RegExp(
        `cannot reach ${probe.origin.replaceAll('.', '\\.')} \\(connection refused, ECONNREFUSED\\); check the base URL, that the API is up, and the network`,
      ),
    );
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms (two retries with backoff)`);
    // The API comes up on that port: the same process answers.
    const back = await startUpstream(FAULTS, port);
    try {
      await server.assertUp();
    } finally {
      await back.close();
    }
  });
});
