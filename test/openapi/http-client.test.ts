import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliCompressSync, createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { AbortedError, UpstreamError } from '../../src/errors.js';
import { gcFunction } from '../../src/memory/gc.js';
import type { BuiltRequest } from '../../src/openapi/call-types.js';
import { HttpClient, type HttpClientOptions, parseRetryAfter } from '../../src/openapi/http-client.js';

const MiB = 1024 * 1024;
const TEST = { timeout: 10_000 };

/**
 * Resident memory after a full collection: without it, the buffers of bytes already read and let go
 * count until V8 gets round to them, and the figure says little about what the client holds.
 */
function retainedRss(): number {
  gcFunction()?.();
  return process.memoryUsage().rss;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

interface TestServer {
  origin: string;
  /** Every request the server got, in order. */
  seen: Seen[];
  /** Resolves when the n-th connection (0-based) closes. */
  closed: Promise<void>[];
  connections: number;
  maxOpen: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => unknown;

async function serve(handler: Handler): Promise<TestServer> {
  const state: TestServer = {
    origin: '',
    seen: [],
    closed: [],
    connections: 0,
    maxOpen: 0,
    close: async () => undefined,
  };
  let open = 0;
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(parts),
    };
    state.seen.push(seen);
    try {
      await handler(req, res, seen);
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    open++;
    state.maxOpen = Math.max(state.maxOpen, open);
    sockets.add(socket);
    // Not events.once: it would reject on the socket's error, and a reset is what some tests cause.
    state.closed.push(
      new Promise((resolve) =>
        socket.on('close', () => {
          open--;
          sockets.delete(socket);
          resolve();
        }),
      ),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  return state;
}

function get(url: string, headers: Record<string, string> = {}): BuiltRequest {
  return { method: 'GET', url: new URL(url), headers };
}

async function text(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts).toString();
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

async function rejectsUpstream(promise: Promise<unknown>, code: string, ...patterns: RegExp[]) {
  const error = await caught(promise);
  assert.ok(error instanceof UpstreamError, `expected an UpstreamError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return error;
}

/** Fails when `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = new AbortController();
  const timeout = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`${what} did not happen within ${ms} ms`);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer.abort();
    timeout.catch(() => undefined);
  }
}

/** Polls `condition` every 5 ms; fails when it does not hold within `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(5);
  }
}

/** Writes `total` bytes (Infinity: until the client goes) in 64 KiB chunks, waiting for drain. */
async function stream(
  res: ServerResponse,
  total: number,
  progress: { written: number } = { written: 0 },
): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.on('error', () => undefined); // the client leaving mid-body is what some tests do
  while (progress.written < total && !res.destroyed) {
    progress.written += chunk.length;
    if (!res.write(chunk)) await drained(res);
  }
  if (!res.destroyed) res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Runs `fn` with a client and a server, closing both however it ends. */
async function withServer(
  handler: Handler,
  options: HttpClientOptions,
  fn: (server: TestServer, client: HttpClient) => Promise<void>,
): Promise<void> {
  const server = await serve(handler);
  const client = new HttpClient(options);
  try {
    await fn(server, client);
  } finally {
    await server.close();
    await within(client.close(), 2000, 'client.close()');
  }
}

describe('HttpClient connections', () => {
  it('reuses one keep-alive socket for sequential requests', TEST, async () => {
    await withServer(
      (_req, res) => res.end('ok'),
      {},
      async (server, client) => {
        for (let i = 0; i < 5; i++) {
          const response = await client.send(get(`${server.origin}/items/${i}`));
          assert.equal(await text(response.body), 'ok');
        }
        assert.equal(server.seen.length, 5);
        assert.equal(server.connections, 1);
        assert.equal(client.stats()[server.origin]?.connected, 1);
      },
    );
  });

  it('opens at most connectionsPerOrigin sockets', TEST, async () => {
    await withServer(
      async (_req, res) => {
        await sleep(100);
        res.end('ok');
      },
      { connectionsPerOrigin: 2 },
      async (server, client) => {
        const calls = Array.from({ length: 6 }, async (_, i) => {
          const response = await client.send(get(`${server.origin}/${i}`));
          return text(response.body);
        });
        await until(() => server.seen.length === 2, 2000, 'two requests reaching the server');
        const busy = client.stats()[server.origin];
        assert.ok(busy, 'stats name the origin');
        assert.deepEqual(busy, { connected: 2, free: 0, pending: 4, running: 2, size: 6 });
        assert.deepEqual(await Promise.all(calls), Array(6).fill('ok'));
        assert.equal(server.seen.length, 6);
        assert.equal(server.maxOpen, 2);
        assert.equal(server.connections, 2);
      },
    );
  });

  it('rejects a URL that is not http or https', TEST, async () => {
    const client = new HttpClient();
    await rejectsUpstream(client.send(get('ftp://127.0.0.1/x')), 'HR_UPSTREAM_UNREACHABLE', /ftp:/);
    await client.close();
    await client.close();
  });

  it('names a bad option', () => {
    assert.throws(
      () => new HttpClient({ maxRetries: -1 }),
      /maxRetries must be an integer of at least 0, got -1/,
    );
    assert.throws(() => new HttpClient({ connectionsPerOrigin: 0 }), /connectionsPerOrigin/);
  });
});

describe('HttpClient responses', () => {
  it('gives status, lower-case headers without set-cookie, media type and URL', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.setHeader('Content-Type', 'Application/JSON; charset=utf-8');
        res.setHeader('Set-Cookie', ['session=secret']);
        res.setHeader('X-Many', ['a', 'b']);
        res.statusCode = 201;
        res.end('{"a":1}');
      },
      {},
      async (server, client) => {
        const request: BuiltRequest = {
          method: 'POST',
          url: new URL(`${server.origin}/things?x=1`),
          headers: { 'x-trace': 't1' },
          body: { contentType: 'application/json', data: Buffer.from('{"name":"n"}') },
        };
        const response = await client.send(request);
        assert.equal(response.status, 201);
        assert.equal(response.mediaType, 'application/json');
        assert.equal(response.url, `${server.origin}/things?x=1`);
        assert.equal(response.headers['set-cookie'], undefined);
        assert.equal(response.headers['x-many'], 'a, b');
        assert.equal(await text(response.body), '{"a":1}');
        await response.discard(); // safe after reading
        const seen = server.seen[0]!;
        assert.equal(seen.method, 'POST');
        assert.equal(seen.url, '/things?x=1');
        assert.equal(seen.headers['content-type'], 'application/json');
        assert.equal(seen.headers['x-trace'], 't1');
        assert.equal(seen.headers['accept-encoding'], 'gzip, deflate, br');
        assert.equal(seen.body.toString(), '{"name":"n"}');
      },
    );
  });

  it('keeps an accept-encoding the request sets', TEST, async () => {
    await withServer(
      (_req, res) => res.end('ok'),
      {},
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/`, { 'accept-encoding': 'identity' }));
        await response.discard();
        assert.equal(server.seen[0]?.headers['accept-encoding'], 'identity');
      },
    );
  });

  it('decodes gzip, zlib and raw deflate, and br', TEST, async () => {
    const body = JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => `item ${i}`) });
    const encoded: Record<string, [string, Buffer]> = {
      '/gzip': ['gzip', gzipSync(body)],
      '/zlib': ['deflate', deflateSync(body)],
      '/raw': ['deflate', deflateRawSync(body)],
      '/br': ['br', brotliCompressSync(body)],
      '/unknown': ['zstd', Buffer.from('opaque bytes')],
    };
    await withServer(
      (req, res) => {
        const [encoding, bytes] = encoded[req.url ?? '']!;
        res.setHeader('Content-Encoding', encoding);
        res.setHeader('Content-Type', 'application/json');
        res.end(bytes);
      },
      {},
      async (server, client) => {
        for (const path of ['/gzip', '/zlib', '/raw', '/br']) {
          const response = await client.send(get(`${server.origin}${path}`));
          assert.equal(await text(response.body), body, path);
          assert.equal(response.headers['content-encoding'], undefined, path);
        }
        const unknown = await client.send(get(`${server.origin}/unknown`));
        assert.equal(unknown.headers['content-encoding'], 'zstd');
        assert.equal(await text(unknown.body), 'opaque bytes');
      },
    );
  });

  it('passes a plain body whole and in order while a slow reader pauses and resumes it', TEST, async () => {
    // Pseudo-random bytes in writes of varied sizes: chunk edges fall anywhere, and a reader that
    // stops now and then makes the client queue chunks, pause the stream and resume it.
    const sent = Buffer.alloc(16 * MiB);
    for (let i = 0, x = 7; i < sent.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      sent[i] = x >>> 24;
    }
    await withServer(
      async (_req, res) => {
        res.on('error', () => undefined);
        for (let at = 0, k = 1; at < sent.length && !res.destroyed; k++) {
          const size = ((k * 7919) % (200 * 1024)) + 1;
          if (!res.write(sent.subarray(at, at + size))) await drained(res);
          at += size;
        }
        res.end();
      },
      {},
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/random`));
        const parts: Buffer[] = [];
        let chunks = 0;
        for await (const part of response.body) {
          parts.push(part);
          if (++chunks % 8 === 0) await sleep(2);
        }
        const got = Buffer.concat(parts);
        assert.equal(got.length, sent.length);
        assert.ok(got.equals(sent), 'the bytes read differ from the bytes sent');
      },
    );
  });

  it('answers reads asked for without waiting, in order', TEST, async () => {
    const sent = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i}\n`).join(''));
    await withServer(
      async (_req, res) => {
        // Separate writes with pauses: separate chunks, each arriving after the reads were asked for.
        for (let at = 0; at < sent.length; at += 8192) {
          res.write(sent.subarray(at, at + 8192));
          await sleep(2);
        }
        res.end();
      },
      {},
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/lines`));
        const iterator = response.body[Symbol.asyncIterator]();
        const parts: Buffer[] = [];
        for (let round = 0; round < 100; round++) {
          const results = await within(
            Promise.all(Array.from({ length: 4 }, () => iterator.next())),
            5000,
            'four reads at once',
          );
          for (const result of results) if (!result.done) parts.push(result.value);
          if (results.some((result) => result.done)) break;
        }
        assert.equal(Buffer.concat(parts).toString(), sent.toString());
      },
    );
  });

  it('reads a chunked plain body of exactly maxResponseBytes, and stops one byte over', TEST, async () => {
    const limit = 3 * MiB + 5;
    await withServer(
      async (req, res) => {
        const total = req.url === '/over' ? limit + 1 : limit;
        res.on('error', () => undefined);
        // No Content-Length: the limit can only be checked as the bytes come.
        for (let at = 0; at < total && !res.destroyed; at += 100_000) {
          if (!res.write(Buffer.alloc(Math.min(100_000, total - at), 0x62))) await drained(res);
        }
        res.end();
      },
      { maxResponseBytes: limit },
      async (server, client) => {
        const exact = await client.send(get(`${server.origin}/exact`));
        assert.equal((await text(exact.body)).length, limit);
        const over = await client.send(get(`${server.origin}/over`));
        await rejectsUpstream(text(over.body), 'HR_RESPONSE_TOO_LARGE', /limit/, /--max-response-bytes/);
      },
    );
  });

  it('stops a gzip bomb at the ratio while memory stays low', TEST, async () => {
    let produced = 0;
    await withServer(
      (_req, res) => {
        const zero = Buffer.alloc(64 * 1024);
        const zeros = new Readable({
          read() {
            produced += zero.length;
            this.push(produced > 200 * MiB ? null : zero);
          },
        });
        res.setHeader('Content-Encoding', 'gzip');
        pipeline(zeros, createGzip(), res, () => undefined);
      },
      {},
      async (server, client) => {
        const before = retainedRss();
        let peak = before;
        let chunks = 0;
        const response = await client.send(get(`${server.origin}/bomb`));
        const reading = (async () => {
          for await (const _chunk of response.body) {
            if (++chunks % 64 === 0) peak = Math.max(peak, retainedRss());
          }
        })();
        await rejectsUpstream(reading, 'HR_DECOMPRESSION_RATIO', /--max-decompression-ratio/, /127\.0\.0\.1/);
        await within(server.closed[0]!, 2000, 'the server seeing the socket close');
        assert.ok(peak - before < 40 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
        assert.ok(produced < 100 * MiB, `the server produced ${produced / MiB} MiB`);
      },
    );
  });

  it('stops an endless plain body at maxResponseBytes and closes the socket', TEST, async () => {
    await withServer(
      (_req, res) => stream(res, Number.POSITIVE_INFINITY),
      { maxResponseBytes: MiB },
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/endless`));
        let read = 0;
        const reading = (async () => {
          for await (const chunk of response.body) read += chunk.length;
        })();
        await rejectsUpstream(
          reading,
          'HR_RESPONSE_TOO_LARGE',
          /1 MiB limit/,
          /--max-response-bytes/,
          /HEADROOM_OPENAPI_MAX_RESPONSE_BYTES/,
        );
        assert.ok(read <= MiB, `read ${read}`);
        await within(server.closed[0]!, 2000, 'the server seeing the socket close');
      },
    );
  });

  it('refuses a declared Content-Length over the limit before reading', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'Content-Length': String(5 * MiB) });
        res.write('x'); // and nothing more: the client must not wait for the rest
      },
      { maxResponseBytes: MiB },
      async (server, client) => {
        const error = await rejectsUpstream(
          client.send(get(`${server.origin}/big`)),
          'HR_RESPONSE_TOO_LARGE',
          /declares 5 MiB, over the 1 MiB limit/,
          /--max-response-bytes/,
        );
        assert.equal(error.status, 200);
      },
    );
  });

  it('lets a reader slow the socket: 100 MB read slowly keeps RSS low', TEST, async () => {
    const progress = { written: 0 };
    await withServer(
      (req, res) => (req.url === '/warm' ? res.end('ok') : stream(res, 100 * MiB, progress)),
      {},
      async (server, client) => {
        // The first connection sets up undici's parser; that is not the body's memory.
        await (await client.send(get(`${server.origin}/warm`))).discard();
        const before = retainedRss();
        const response = await client.send(get(`${server.origin}/large`));
        const iterator = response.body[Symbol.asyncIterator]();
        let read = 0;
        const first = await iterator.next();
        read += first.done ? 0 : first.value.length;
        // Stop reading until the server stops getting rid of bytes: a client that does not push
        // back would take in the whole 100 MB here (about 1 s on loopback).
        let seen = -1;
        for (let polls = 0; polls < 30 && seen !== progress.written; polls++) {
          seen = progress.written;
          await sleep(100);
        }
        assert.ok(
          progress.written < 32 * MiB,
          `the server got ${(progress.written / MiB).toFixed(1)} MiB out`,
        );
        let peak = retainedRss();
        for (let chunks = 1; ; chunks++) {
          const next = await iterator.next();
          if (next.done) break;
          read += next.value.length;
          if (chunks % 50 === 0) await sleep(2);
          if (chunks % 200 === 0) peak = Math.max(peak, retainedRss());
        }
        assert.equal(read, 100 * MiB);
        assert.ok(peak - before < 40 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
      },
    );
  });

  it('discard() drains a small unread body so the socket is reused', TEST, async () => {
    await withServer(
      (_req, res) => res.end('{"error":"nope"}'),
      {},
      async (server, client) => {
        for (let i = 0; i < 3; i++) {
          const response = await client.send(get(`${server.origin}/`));
          await response.discard();
          assert.equal(await text(response.body), '');
        }
        assert.equal(server.connections, 1);
      },
    );
  });
});

describe('HttpClient failures', () => {
  it('names the origin and the system code when the connection is refused', TEST, async () => {
    const server = await serve((_req, res) => res.end());
    const origin = server.origin;
    await server.close();
    const client = new HttpClient({ maxRetries: 1, retryBaseDelayMs: 1 });
    try {
      await rejectsUpstream(
        client.send(get(`${origin}/items?api_key=SECRET`, { authorization: 'Bearer SECRET' })),
        'HR_UPSTREAM_UNREACHABLE',
        new RegExp(`cannot reach ${origin.replace(/\./g, '\\.')}`),
        /ECONNREFUSED/,
        /^((?!SECRET).)*$/s,
      );
    } finally {
      await client.close();
    }
  });

  it('times out waiting for headers, naming the timeout and the option, without retrying', TEST, async () => {
    await withServer(
      () => undefined, // never answers
      { headersTimeoutMs: 200 },
      async (server, client) => {
        const started = Date.now();
        await rejectsUpstream(
          client.send(get(`${server.origin}/slow`)),
          'HR_UPSTREAM_TIMEOUT',
          /200 ms \(the headers timeout\)/,
          /--headers-timeout/,
        );
        assert.ok(Date.now() - started < 2000);
        assert.equal(server.seen.length, 1);
      },
    );
  });

  it('times out when the body stops in the middle', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('x'); // then silence
      },
      { bodyTimeoutMs: 200 },
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/drip`));
        await rejectsUpstream(
          text(response.body),
          'HR_UPSTREAM_TIMEOUT',
          /sent nothing for 200 ms in the middle of the body \(after 1 B\)/,
          /--body-timeout/,
        );
      },
    );
  });

  it('reports a reset in the middle of the body with the bytes received', TEST, async () => {
    await withServer(
      async (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write(Buffer.alloc(2048, 'a'));
        await sleep(50);
        res.socket?.resetAndDestroy();
      },
      {},
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/cut`));
        await rejectsUpstream(
          text(response.body),
          'HR_UPSTREAM_UNREACHABLE',
          /broke in the middle of the body/,
          /after 2 KiB/,
        );
      },
    );
  });
});

describe('HttpClient retries', () => {
  it(
    'retries a 503 up to maxRetries honouring Retry-After: 0, then returns the last answer',
    TEST,
    async () => {
      await withServer(
        (_req, res) => {
          res.writeHead(503, { 'Retry-After': '0' });
          res.end('busy');
        },
        // A base delay this long would show if Retry-After were not used.
        { retryBaseDelayMs: 5000 },
        async (server, client) => {
          const started = Date.now();
          const response = await client.send(get(`${server.origin}/flaky`));
          assert.equal(response.status, 503);
          assert.equal(await text(response.body), 'busy');
          assert.equal(server.seen.length, 3);
          assert.ok(Date.now() - started < 2000);
        },
      );
    },
  );

  it('returns the 200 that follows a 503', TEST, async () => {
    let hits = 0;
    await withServer(
      (_req, res) => {
        hits++;
        if (hits === 1) {
          res.writeHead(503, { 'Retry-After': '0' });
          res.end('busy');
        } else res.end('fine');
      },
      { retryBaseDelayMs: 5000 },
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/flaky`));
        assert.equal(response.status, 200);
        assert.equal(await text(response.body), 'fine');
        assert.equal(hits, 2);
        assert.equal(server.connections, 1); // the 503's body was drained, its socket reused
      },
    );
  });

  it('returns a 429 whose Retry-After is beyond maxRetryDelayMs', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(429, { 'Retry-After': '3600' });
        res.end('slow down');
      },
      { maxRetryDelayMs: 1000 },
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/limited`));
        assert.equal(response.status, 429);
        assert.equal(response.headers['retry-after'], '3600');
        assert.equal(await text(response.body), 'slow down');
        assert.equal(server.seen.length, 1);
      },
    );
  });

  it('does not retry a POST', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(503, { 'Retry-After': '0' });
        res.end();
      },
      {},
      async (server, client) => {
        const response = await client.send({
          method: 'POST',
          url: new URL(`${server.origin}/orders`),
          headers: {},
          body: { contentType: 'text/plain', data: Buffer.from('x') },
        });
        assert.equal(response.status, 503);
        await response.discard();
        assert.equal(server.seen.length, 1);
      },
    );
  });

  it('retries a GET whose connection was cut before any answer', TEST, async () => {
    await withServer(
      (_req, res, seen) => {
        if (seen.headers['x-attempt'] === undefined && res.socket) res.socket.destroy();
      },
      { retryBaseDelayMs: 1 },
      async (server, client) => {
        await rejectsUpstream(
          client.send(get(`${server.origin}/cut`)),
          'HR_UPSTREAM_UNREACHABLE',
          /cannot reach/,
        );
        assert.equal(server.seen.length, 3); // one try and two retries
      },
    );
  });

  it('returns the answer of a retry after a cut connection', TEST, async () => {
    let hits = 0;
    await withServer(
      (_req, res) => {
        hits++;
        if (hits === 1) res.socket?.destroy();
        else res.end('second');
      },
      { retryBaseDelayMs: 1 },
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/cut`));
        assert.equal(await text(response.body), 'second');
        assert.equal(server.seen.length, 2);
      },
    );
  });

  it('cancels the wait before a retry', TEST, async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(503, { 'Retry-After': '5' });
        res.end();
      },
      { maxRetryDelayMs: 10_000 },
      async (server, client) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        const error = await caught(client.send(get(`${server.origin}/`), { signal: controller.signal }));
        assert.ok(error instanceof AbortedError, String(error));
        assert.ok(Date.now() - started < 2000);
        assert.equal(server.seen.length, 1);
      },
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 12 ', now), 12_000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('HttpClient redirects', () => {
  it('follows a same-origin 303 as a GET without the body', TEST, async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/orders') {
          res.writeHead(303, { Location: '/orders/7' });
          res.end();
        } else res.end('order 7');
      },
      {},
      async (server, client) => {
        const response = await client.send({
          method: 'POST',
          url: new URL(`${server.origin}/orders`),
          headers: { authorization: 'Bearer token' },
          body: { contentType: 'application/json', data: Buffer.from('{}') },
        });
        assert.equal(response.status, 200);
        assert.equal(response.url, `${server.origin}/orders/7`);
        assert.equal(await text(response.body), 'order 7');
        const [first, second] = server.seen;
        assert.equal(first?.method, 'POST');
        assert.equal(second?.method, 'GET');
        assert.equal(second?.body.length, 0);
        assert.equal(second?.headers['content-type'], undefined);
        assert.equal(second?.headers.authorization, 'Bearer token'); // same origin keeps credentials
      },
    );
  });

  it('keeps method and body on a 307', TEST, async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/a') {
          res.writeHead(307, { Location: '/b' });
          res.end();
        } else res.end('done');
      },
      {},
      async (server, client) => {
        const response = await client.send({
          method: 'PUT',
          url: new URL(`${server.origin}/a`),
          headers: {},
          body: { contentType: 'text/plain', data: Buffer.from('payload') },
        });
        await response.discard();
        assert.equal(server.seen[1]?.method, 'PUT');
        assert.equal(server.seen[1]?.body.toString(), 'payload');
      },
    );
  });

  it('refuses a redirect to another origin, naming both and the option', TEST, async () => {
    const other = await serve((_req, res) => res.end('elsewhere'));
    try {
      await withServer(
        (_req, res) => {
          res.writeHead(302, { Location: `${other.origin}/steal` });
          res.end();
        },
        {},
        async (server, client) => {
          const error = await rejectsUpstream(
            client.send(get(`${server.origin}/x`, { authorization: 'Bearer SECRET' })),
            'HR_UPSTREAM_REDIRECT_REFUSED',
            new RegExp(server.origin.replace(/\./g, '\\.')),
            new RegExp(`another origin, ${other.origin.replace(/\./g, '\\.')}`),
            /--allow-cross-origin-redirects/,
          );
          assert.equal(error.status, 302);
          assert.doesNotMatch(error.message, /SECRET/);
          assert.equal(other.seen.length, 0);
        },
      );
    } finally {
      await other.close();
    }
  });

  it('follows a cross-origin redirect when allowed, without credentials', TEST, async () => {
    const other = await serve((_req, res) => res.end('elsewhere'));
    try {
      await withServer(
        (_req, res) => {
          res.writeHead(301, { Location: `${other.origin}/moved` });
          res.end();
        },
        { allowCrossOriginRedirects: true },
        async (server, client) => {
          const response = await client.send({
            method: 'GET',
            url: new URL(`${server.origin}/x`),
            headers: {
              authorization: 'Bearer SECRET',
              cookie: 'a=b',
              'proxy-authorization': 'Basic xyz',
              'x-api-key': 'SECRET2',
              'x-request-id': 'r1',
            },
            secretHeaders: ['X-Api-Key'],
          });
          assert.equal(await text(response.body), 'elsewhere');
          assert.equal(response.url, `${other.origin}/moved`);
          const headers = other.seen[0]?.headers ?? {};
          for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-api-key']) {
            assert.equal(headers[name], undefined, name);
          }
          assert.equal(headers['x-request-id'], 'r1');
          assert.equal(server.seen[0]?.headers['x-api-key'], 'SECRET2');
        },
      );
    } finally {
      await other.close();
    }
  });

  it('refuses a redirect past maxRedirects', TEST, async () => {
    await withServer(
      (req, res) => {
        const n = Number(req.url?.slice(1));
        res.writeHead(302, { Location: `/${n + 1}` });
        res.end();
      },
      { maxRedirects: 3 },
      async (server, client) => {
        await rejectsUpstream(
          client.send(get(`${server.origin}/0`)),
          'HR_UPSTREAM_REDIRECT_REFUSED',
          /more than 3 redirects/,
        );
        assert.equal(server.seen.length, 4);
      },
    );
  });
});

describe('HttpClient cancellation', () => {
  it('cancels while waiting for headers and closes the socket', TEST, async () => {
    await withServer(
      () => undefined,
      {},
      async (server, client) => {
        const controller = new AbortController();
        const sending = client.send(get(`${server.origin}/slow`), { signal: controller.signal });
        await until(() => server.seen.length === 1, 2000, 'the request reaching the server');
        controller.abort();
        const error = await caught(sending);
        assert.ok(error instanceof AbortedError, String(error));
        assert.equal((error as AbortedError).code, 'HR_ABORTED');
        await within(server.closed[0]!, 2000, 'the server seeing the socket close');
      },
    );
  });

  it('cancels while reading the body and closes the socket', TEST, async () => {
    await withServer(
      (_req, res) => stream(res, Number.POSITIVE_INFINITY),
      {},
      async (server, client) => {
        const controller = new AbortController();
        const response = await client.send(get(`${server.origin}/endless`), { signal: controller.signal });
        const iterator = response.body[Symbol.asyncIterator]();
        assert.equal((await iterator.next()).done, false);
        controller.abort();
        const error = await caught(
          (async () => {
            for (let i = 0; i < 10_000; i++) if ((await iterator.next()).done) return;
          })(),
        );
        assert.ok(error instanceof AbortedError, String(error));
        await within(server.closed[0]!, 2000, 'the server seeing the socket close');
      },
    );
  });

  it('discard() in the middle of a read stops it and closes the socket', TEST, async () => {
    await withServer(
      (_req, res) => stream(res, Number.POSITIVE_INFINITY),
      {},
      async (server, client) => {
        const response = await client.send(get(`${server.origin}/endless`));
        const iterator = response.body[Symbol.asyncIterator]();
        assert.equal((await iterator.next()).done, false);
        const pending = iterator.next();
        await response.discard();
        const outcome = await pending.then(
          (result) => result,
          (error: unknown) => error,
        );
        // Either the read in flight got its chunk, or it learnt of the discard; nothing follows.
        if (outcome instanceof Error) assert.ok(outcome instanceof AbortedError, String(outcome));
        assert.equal((await iterator.next()).done, true);
        await within(server.closed[0]!, 2000, 'the server seeing the socket close');
      },
    );
  });

  it('refuses to start when the signal has already fired', TEST, async () => {
    const client = new HttpClient();
    const error = await caught(client.send(get('http://127.0.0.1:9/x'), { signal: AbortSignal.abort() }));
    assert.ok(error instanceof AbortedError);
    await client.close();
  });
});
