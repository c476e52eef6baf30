/**
 * A real HTTP upstream on loopback for end-to-end tests and benchmarks of `headroom openapi` calls
 * (its API is test/e2e/fixtures/upstream.yaml). It records every request exactly as it arrived, and
 * streams JSON arrays of any size without holding them: items are generated as they are written,
 * paced by the socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { ItemRenderer } from './upstream-items.js';

export interface RecordedRequest {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Upstream {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: RecordedRequest[];
  /** How many responses to `url` (path and query as sent) were cut off before they were complete. */
  closed(url: string): number;
  close(): Promise<void>;
}

export const TOKEN_CLIENT = { id: 'headroom-client', secret: 'client-secret-7f3a' };
export const API_KEY = 'key-5d1c9e';
export const BEARER = 'bearer-0b8e44';
export const BASIC = { user: 'ada', password: 'pw-9c2f' };
const ACCESS_TOKEN = 'access-token-a41d';

/** Item `i` of the generated collections: realistic, with text and nesting, about 200 bytes. */
export function item(i: number, bodyBytes = 64): Record<string, unknown> {
  return {
    id: i,
    name: `item ${i}`,
    state: i % 3 === 0 ? 'closed' : 'open',
    owner: { login: `user${i % 97}`, id: 1000 + (i % 97) },
    tags: ['alpha', i % 2 === 0 ? 'even' : 'odd'],
    body: 'x'.repeat(bodyBytes),
  };
}

export interface UpstreamOptions {
  /** Told when each response has ended: sent whole, or cut off by the client. */
  onEnded?: (ended: { url: string; complete: boolean; ms: number }) => void;
}

export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  const cut = new Map<string, number>();
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once('close', () => {
      const url = req.url ?? '';
      if (!res.writableFinished) cut.set(url, (cut.get(url) ?? 0) + 1);
      options.onEnded?.({ url, complete: res.writableFinished, ms: performance.now() - started });
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      route(recorded, res, origin).catch((error: Error) => res.destroy(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    closed: (url) => cut.get(url) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(req: RecordedRequest, res: ServerResponse, origin: string): Promise<void> {
  const url = new URL(req.url, origin);
  const path = url.pathname.replace(/^\/api/, '');
  const count = Number(url.searchParams.get('count') ?? 10);
  const size = Number(url.searchParams.get('size') ?? 64);
  if (path === '/oauth/token') return token(req, res);
  if (path === '/items' && req.method === 'GET') return streamArray(res, count, size, '[', ']');
  if (path === '/gzip') return streamArray(res, count, size, '[', ']', true);
  if (path === '/document')
    return streamArray(
      res,
      count,
      size,
      '{"@odata.context":"https://example.test/$metadata","value":[',
      ']}',
    );
  if (path === '/text') return send(res, 200, 'text/plain; charset=utf-8', 'line of text\n'.repeat(size));
  if (path === '/image') return send(res, 200, 'image/png', PNG);
  if (path.startsWith('/items/') && req.method === 'GET') return json(res, 200, item(Number(path.slice(7))));
  if (path === '/slow') {
    // Headers now, the body never: a call that only ends when someone cancels it.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    return;
  }
  if (path.startsWith('/fail/')) {
    const status = Number(path.slice(6));
    if (status === 429) res.setHeader('retry-after', '120');
    return json(res, status, { error: `failed with ${status}`, detail: 'as asked' });
  }
  if (path === '/redirect-away') {
    res.writeHead(302, { location: 'http://127.0.0.2:9/elsewhere' });
    return void res.end();
  }
  if (path.startsWith('/secure/')) return secure(req, res, path.slice(8));
  // Everything else echoes what arrived, so tests can also read it from the tool result.
  return json(res, 200, {
    method: req.method,
    url: req.url,
    contentType: req.headers['content-type'] ?? null,
    body: req.body.toString('utf8'),
  });
}

function secure(req: RecordedRequest, res: ServerResponse, kind: string): void {
  const auth = req.headers.authorization ?? '';
  const ok =
    (kind === 'key' && req.headers['x-api-key'] === API_KEY) ||
    (kind === 'bearer' && auth === `Bearer ${BEARER}`) ||
    (kind === 'basic' &&
      auth === `Basic ${Buffer.from(`${BASIC.user}:${BASIC.password}`).toString('base64')}`) ||
    (kind === 'oauth' && auth === `Bearer ${ACCESS_TOKEN}`);
  if (ok) json(res, 200, { secret: 'the protected answer', kind });
  else json(res, 401, { error: 'unauthorized' });
}

function token(req: RecordedRequest, res: ServerResponse): void {
  const expected = `Basic ${Buffer.from(`${TOKEN_CLIENT.id}:${TOKEN_CLIENT.secret}`).toString('base64')}`;
  const form = new URLSearchParams(req.body.toString('utf8'));
  if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials')
    json(res, 401, { error: 'invalid_client' });
  else json(res, 200, { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes `open`, `count` items and `close`, waiting for the socket whenever its buffer is full. */
async function streamArray(
  res: ServerResponse,
  count: number,
  size: number,
  open: string,
  close: string,
  gzip = false,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  const out = gzip ? createGzip() : res;
  if (gzip) (out as ReturnType<typeof createGzip>).pipe(res);
  const write = async (bytes: string | Buffer, written?: () => void) => {
    if (!out.write(bytes, written)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  await write(open);
  // The same bytes either way; the renderer writes them several times as fast (upstream-items.ts),
  // into buffers that are used again once the socket (or gzip) is done with them.
  const renderer = ItemRenderer.fits(size) ? new ItemRenderer(size) : undefined;
  const spare: Buffer[] = [];
  const batch = 256;
  for (let i = 0; i < count; i += batch) {
    if (res.destroyed) return;
    const to = Math.min(count, i + batch);
    if (renderer) {
      const need = renderer.maxBytes(i, to);
      let buf = spare.pop();
      if (!buf || buf.length < need) buf = Buffer.allocUnsafeSlow(need);
      const full = buf;
      await write(full.subarray(0, renderer.renderInto(full, i, to)), () => spare.push(full));
      continue;
    }
    const parts: string[] = [];
    for (let k = i; k < to; k++) parts.push((k === 0 ? '' : ',') + JSON.stringify(item(k, size)));
    await write(parts.join(''));
  }
  out.end(close);
}

// A 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
