/**
 * The demo's upstream: a real HTTP server on loopback that implements examples/demo-api.yaml with
 * the generated data of data.ts. GET /events/export streams its JSON array: events are made as the
 * socket takes them, a batch of about 64 KiB at a time, and the loop waits for `drain` whenever the
 * socket's buffer is full, so an export of any size holds one batch, and a client that stops
 * reading stops the export, and one that goes away ends it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import {
  CATEGORIES,
  CUSTOMER_COUNT,
  EVENT_TYPES,
  event,
  eventJson,
  idNumber,
  ORDER_COUNT,
  ORDER_STATUSES,
  type Order,
  order,
  PRODUCT_COUNT,
  product,
  totalOf,
} from './data.js';

/** About 410 bytes an event: 500,000 make about 200 MB. */
export const DEFAULT_EXPORT_COUNT = 500_000;
/** About 1 GB, headroom's default --max-response-bytes. */
export const MAX_EXPORT_COUNT = 2_500_000;
const BATCH_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 64 * 1024;
/** Orders placed through POST /orders that are kept (the oldest go first). */
const MAX_PLACED_ORDERS = 1000;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface DemoUpstreamOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The X-API-Key that POST /orders needs. */
  apiKey: string;
  /** Most events one export may ask for (default MAX_EXPORT_COUNT). */
  maxExportCount?: number;
}

export interface DemoUpstreamStats {
  requests: number;
  /** Exports being streamed now. */
  exportsInFlight: number;
  /** Bytes of export bodies handed to sockets so far. */
  exportBytes: number;
}

export interface DemoUpstream {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  stats(): DemoUpstreamStats;
  /** Ends every connection (exports in flight included) and the listener. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startDemoUpstream(options: DemoUpstreamOptions): Promise<DemoUpstream> {
  const host = options.host ?? '127.0.0.1';
  const maxExport = options.maxExportCount ?? MAX_EXPORT_COUNT;
  const stats: DemoUpstreamStats = { requests: 0, exportsInFlight: 0, exportBytes: 0 };
  const placed = new Map<string, Order>();
  let nextOrder = ORDER_COUNT + 1;

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const only = (method: string) => {
      if (req.method !== method && !(method === 'GET' && req.method === 'HEAD'))
        throw new HttpError(405, `${req.method} is not allowed on ${path}; use ${method}`, { allow: method });
    };
    if (path === '/products') {
      only('GET');
      const category = enumParam(q, 'category', CATEGORIES);
      const word = q.get('q')?.toLowerCase();
      const all = Array.from({ length: PRODUCT_COUNT }, (_, i) => product(i + 1)).filter(
        (p) => (!category || p.category === category) && (!word || p.name.toLowerCase().includes(word)),
      );
      return json(res, 200, page(all, q));
    }
    if (path.startsWith('/products/')) {
      only('GET');
      const id = decodeURIComponent(path.slice('/products/'.length));
      const n = idNumber(id, 'prd', 4, PRODUCT_COUNT);
      if (n === undefined) throw new HttpError(404, `no product ${id}: ids run from prd_0001 to prd_0120`);
      return json(res, 200, product(n));
    }
    if (path === '/orders' && req.method === 'POST') return json(res, 201, await placeOrder(req));
    if (path === '/orders') {
      only('GET');
      const status = enumParam(q, 'status', ORDER_STATUSES);
      const customerId = q.get('customerId') ?? undefined;
      const all: Order[] = [];
      for (let n = 1; n <= ORDER_COUNT; n++) all.push(order(n));
      all.push(...placed.values());
      const matching = all.filter(
        (o) => (!status || o.status === status) && (!customerId || o.customerId === customerId),
      );
      return json(res, 200, page(matching, q));
    }
    if (path.startsWith('/orders/')) {
      only('GET');
      const id = decodeURIComponent(path.slice('/orders/'.length));
      const n = idNumber(id, 'ord', 5, ORDER_COUNT);
      const found = n === undefined ? placed.get(id) : order(n);
      if (!found) throw new HttpError(404, `no order ${id}: ids run from ord_00001 to ord_0${ORDER_COUNT}`);
      return json(res, 200, found);
    }
    if (path === '/events') {
      only('GET');
      const type = enumParam(q, 'type', EVENT_TYPES);
      const after = intParam(q, 'after', -1, -1, Number.MAX_SAFE_INTEGER);
      const limit = intParam(q, 'limit', 20, 1, 100);
      const items = [];
      // Bounded: a type filter matches about one event in seven.
      let seq = after + 1;
      for (let scanned = 0; items.length < limit && scanned < limit * 50; scanned++, seq++) {
        const e = event(seq);
        if (!type || e.type === type) items.push(e);
      }
      return json(res, 200, { items, nextAfter: seq - 1 });
    }
    if (path === '/events/export') {
      only('GET');
      const count = intParam(q, 'count', DEFAULT_EXPORT_COUNT, 0, Number.MAX_SAFE_INTEGER);
      if (count > maxExport)
        throw new HttpError(
          400,
          `count ${count} is over the maximum of ${maxExport} events an export streams (about ${Math.round((maxExport * 410) / 1e6)} MB); ask for fewer`,
        );
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-type': 'application/json' }).end();
      return streamExport(res, count, stats);
    }
    throw new HttpError(
      404,
      `no route ${path}: the demo API has /products, /products/{id}, /orders, /orders/{id}, /events and /events/export`,
    );
  };

  const placeOrder = async (req: IncomingMessage): Promise<Order> => {
    if (req.headers['x-api-key'] !== options.apiKey)
      throw new HttpError(401, 'placing an order needs the demo API key in the X-API-Key header');
    const body = await readJson(req);
    const customerId = body.customerId;
    if (typeof customerId !== 'string' || idNumber(customerId, 'cus', 4, CUSTOMER_COUNT) === undefined)
      throw new HttpError(400, `customerId must be a customer id from cus_0001 to cus_0${CUSTOMER_COUNT}`);
    if (!Array.isArray(body.lines) || body.lines.length === 0 || body.lines.length > 20)
      throw new HttpError(400, 'lines must be a list of 1 to 20 {productId, quantity}');
    const lines = body.lines.map((line: unknown, i: number) => {
      const { productId, quantity } = (line ?? {}) as { productId?: unknown; quantity?: unknown };
      const n = typeof productId === 'string' ? idNumber(productId, 'prd', 4, PRODUCT_COUNT) : undefined;
      if (n === undefined)
        throw new HttpError(400, `lines[${i}].productId is not a product id (prd_0001 to prd_0120)`);
      if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 100)
        throw new HttpError(400, `lines[${i}].quantity must be an integer from 1 to 100`);
      return { productId: productId as string, quantity: quantity as number, unitPrice: product(n).price };
    });
    const note = typeof body.note === 'string' ? body.note.slice(0, 500) : undefined;
    const placedOrder: Order = {
      id: `ord_${String(nextOrder++).padStart(5, '0')}`,
      customerId,
      status: 'pending',
      lines,
      total: totalOf(lines),
      currency: 'EUR',
      createdAt: new Date().toISOString(),
      ...(note ? { note } : {}),
    };
    placed.set(placedOrder.id, placedOrder);
    if (placed.size > MAX_PLACED_ORDERS) placed.delete(placed.keys().next().value as string);
    return placedOrder;
  };

  const server = createServer((req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://upstream');
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    // A web page that rebinds a DNS name to 127.0.0.1 would send its own name: not ours to answer.
    const answer = LOOPBACK_NAMES.has(hostname)
      ? route(req, res, url)
      : Promise.reject(new HttpError(403, `host ${hostname || '(none)'} is not a loopback name`));
    answer
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (error instanceof HttpError)
          return json(res, error.status, { error: error.message }, error.headers);
        json(res, 500, { error: `internal error: ${(error as Error).message}` });
      })
      .finally(() => {
        // A request body nobody read (a GET with one) must not hold the connection.
        if (!req.readableEnded) req.resume();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(
              `cannot start the demo API on ${host}:${options.port}: the port is in use; pick another with --upstream-port`,
            )
          : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes `[`, the events and `]`, a batch at a time, waiting while the socket's buffer is full. */
async function streamExport(res: ServerResponse, count: number, stats: DemoUpstreamStats): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': String(count) });
  stats.exportsInFlight++;
  try {
    let seq = 0;
    let text = '[';
    while (seq < count) {
      if (res.destroyed) return;
      while (seq < count && text.length < BATCH_BYTES) text += (seq === 0 ? '' : ',') + eventJson(seq++);
      stats.exportBytes += text.length;
      const more = res.write(text);
      text = '';
      if (!more) await drained(res);
    }
    if (!res.destroyed) res.end(`${text}]`);
  } finally {
    stats.exportsInFlight--;
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function page<T>(all: readonly T[], q: URLSearchParams) {
  const limit = intParam(q, 'limit', 20, 1, 100);
  const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const items = all.slice(offset, offset + limit);
  return {
    items,
    total: all.length,
    limit,
    offset,
    nextOffset: offset + items.length < all.length ? offset + items.length : null,
  };
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const value = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new HttpError(
      400,
      `${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'} (got ${JSON.stringify(raw)})`,
    );
  return value;
}

function enumParam<T extends string>(q: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!(values as readonly string[]).includes(raw))
    throw new HttpError(400, `${name} must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw as T;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, `the body must be application/json (got ${type || 'no content type'})`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
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
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}
