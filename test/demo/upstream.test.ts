/**
 * The demo API's upstream (src/demo/upstream.ts), a real server on loopback: its operations on the
 * generated data, and the export: ~200 MB streamed while the heap stays small, paused by a client
 * that stops reading (back-pressure) and ended by one that goes away, and refused over its maximum.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventJson, ORDER_COUNT, PRODUCT_COUNT } from '../../src/demo/data.js';
import { DEFAULT_EXPORT_COUNT, type DemoUpstream, startDemoUpstream } from '../../src/demo/upstream.js';

const KEY = 'test-key-1234';
let upstream: DemoUpstream;
before(async () => {
  upstream = await startDemoUpstream({ apiKey: KEY, maxExportCount: 2_000_000 });
});
after(() => upstream.close());

// biome-ignore lint/suspicious/noExplicitAny: tests read nested JSON fields; a miss fails its assertion.
type Json = any;

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${upstream.origin}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return get(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the demo upstream: operations', { timeout: 30_000 }, () => {
  it('listens on 127.0.0.1', () => {
    assert.match(upstream.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists products a page at a time, filtered by category and by a word', async () => {
    const first = await get('/products?limit=5');
    assert.equal(first.status, 200);
    assert.equal(first.body.total, PRODUCT_COUNT);
    assert.equal(first.body.items.length, 5);
    assert.equal(first.body.items[0].id, 'prd_0001');
    assert.equal(first.body.nextOffset, 5);
    const last = await get(`/products?offset=${PRODUCT_COUNT - 2}&limit=100`);
    assert.equal(last.body.items.length, 2);
    assert.equal(last.body.nextOffset, null);
    const books = await get('/products?category=books&limit=100');
    assert.ok(books.body.total > 0 && books.body.total < PRODUCT_COUNT);
    assert.ok(books.body.items.every((p: Json) => p.category === 'books'));
    const word = books.body.items[0].name.split(' ')[1].toLowerCase();
    const found = await get(`/products?q=${encodeURIComponent(word)}`);
    assert.ok(found.body.items.every((p: Json) => p.name.toLowerCase().includes(word)));
  });

  it('is deterministic: the same request gives the same data', async () => {
    assert.deepEqual((await get('/orders?limit=50')).body, (await get('/orders?limit=50')).body);
    assert.deepEqual((await get('/products/prd_0042')).body, (await get('/products/prd_0042')).body);
  });

  it('gets one product or order, and 404 for an unknown id', async () => {
    const product = await get('/products/prd_0007');
    assert.equal(product.status, 200);
    assert.equal(product.body.id, 'prd_0007');
    assert.equal(typeof product.body.price, 'number');
    const order = await get('/orders/ord_00042');
    assert.equal(order.status, 200);
    assert.equal(order.body.id, 'ord_00042');
    assert.ok(order.body.lines.length >= 1);
    for (const path of ['/products/prd_9999', '/products/nope', '/orders/ord_99999']) {
      const missing = await get(path);
      assert.equal(missing.status, 404, path);
      assert.match(missing.body.error, /no (product|order)/);
    }
  });

  it('filters orders by status and customer', async () => {
    const shipped = await get('/orders?status=shipped&limit=100');
    assert.ok(shipped.body.total > 0 && shipped.body.total < ORDER_COUNT);
    assert.ok(shipped.body.items.every((o: Json) => o.status === 'shipped'));
    const customer = shipped.body.items[0].customerId;
    const theirs = await get(`/orders?customerId=${customer}&limit=100`);
    assert.ok(theirs.body.items.every((o: Json) => o.customerId === customer));
  });

  it('places an order with the API key, and refuses one without it or with a bad body', async () => {
    const lines = [
      { productId: 'prd_0001', quantity: 2 },
      { productId: 'prd_0002', quantity: 1 },
    ];
    const placed = await post('/orders', { customerId: 'cus_0007', lines, note: 'gift' });
    assert.equal(placed.status, 201);
    assert.match(placed.body.id, /^ord_\d{5}$/);
    assert.equal(placed.body.status, 'pending');
    const p1 = (await get('/products/prd_0001')).body.price;
    const p2 = (await get('/products/prd_0002')).body.price;
    assert.equal(placed.body.total, Math.round((p1 * 2 + p2) * 100) / 100);
    assert.deepEqual((await get(`/orders/${placed.body.id}`)).body, placed.body);

    assert.equal(
      (await post('/orders', { customerId: 'cus_0007', lines }, { 'x-api-key': 'wrong' })).status,
      401,
    );
    const bad = [
      [{ customerId: 'cus_9999', lines }, 400],
      [{ customerId: 'cus_0007', lines: [] }, 400],
      [{ customerId: 'cus_0007', lines: [{ productId: 'prd_0001', quantity: 0 }] }, 400],
      ['{not json', 400],
      ['[1]', 400],
    ] as const;
    for (const [body, status] of bad)
      assert.equal((await post('/orders', body)).status, status, JSON.stringify(body));
    const text = await post('/orders', 'x', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    const huge = await post('/orders', { customerId: 'cus_0007', lines, note: 'x'.repeat(100_000) });
    assert.equal(huge.status, 413);
  });

  it('pages the event log and filters it by type', async () => {
    const first = await get('/events?limit=3');
    assert.deepEqual(
      first.body.items.map((e: Json) => e.seq),
      [0, 1, 2],
    );
    assert.deepEqual(first.body.items[1], JSON.parse(eventJson(1)));
    const next = await get(`/events?limit=3&after=${first.body.nextAfter}`);
    assert.equal(next.body.items[0].seq, 3);
    const paid = await get('/events?type=order.paid&limit=10');
    assert.equal(paid.body.items.length, 10);
    assert.ok(paid.body.items.every((e: Json) => e.type === 'order.paid'));
  });

  it('answers bad arguments, unknown routes and methods, and foreign hosts with clear errors', async () => {
    const cases: Array<[string, RequestInit, number, RegExp]> = [
      ['/products?limit=0', {}, 400, /limit must be an integer from 1 to 100/],
      ['/products?category=cars', {}, 400, /category must be one of books/],
      ['/events?after=x', {}, 400, /after must be an integer/],
      ['/nowhere', {}, 404, /no route \/nowhere/],
      ['/products', { method: 'DELETE' }, 405, /DELETE is not allowed/],
    ];
    for (const [path, init, status, message] of cases) {
      const answer = await get(path, init);
      assert.equal(answer.status, status, path);
      assert.match(answer.body.error, message);
    }
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = request(`${upstream.origin}/products`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(foreign, 403);
  });
});

describe('the demo upstream: the export', { timeout: 60_000 }, () => {
  it('streams a small export as one valid JSON array of the generated events', async () => {
    const small = await get('/events/export?count=1000');
    assert.equal(small.status, 200);
    assert.equal(small.body.length, 1000);
    assert.deepEqual(small.body[999], JSON.parse(eventJson(999)));
    assert.deepEqual((await get('/events/export?count=0')).body, []);
  });

  it('streams the default ~200 MB export while the heap stays small', async () => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakExternal = baseline.external + baseline.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakExternal = Math.max(peakExternal, now.external + now.arrayBuffers);
    }, 20);
    let bytes = 0;
    let head = '';
    let tail = '';
    const status = await new Promise<number>((resolve, reject) => {
      request(`${upstream.origin}/events/export`, (res) => {
        res.on('data', (chunk: Buffer) => {
          if (head.length < 64) head += chunk.toString('latin1', 0, 64);
          bytes += chunk.length;
          tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 64))).slice(-64);
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    }).finally(() => clearInterval(sampler));
    assert.equal(status, 200);
    // The default count is about 200 MB (about 415 bytes an event).
    assert.ok(bytes > 190e6 && bytes < 230e6, `${bytes} bytes`);
    assert.ok(head.startsWith('[{"id":"evt_000000001","seq":0,'), head);
    assert.ok(tail.endsWith(`${eventJson(DEFAULT_EXPORT_COUNT - 1).slice(-40)}]`), tail);
    // Holding the body would take over 200 MB; streaming takes a batch or two and short-lived garbage.
    const heapGrowth = peakHeap - baseline.heapUsed;
    const externalGrowth = peakExternal - (baseline.external + baseline.arrayBuffers);
    assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew by ${Math.round(heapGrowth / 1e6)} MB`);
    assert.ok(externalGrowth < 32 * 1024 * 1024, `buffers grew by ${Math.round(externalGrowth / 1e6)} MB`);
    assert.equal(upstream.stats().exportsInFlight, 0);
  });

  it('stops making events while the client does not read, and ends the export when it goes away', async () => {
    const before = upstream.stats().exportBytes;
    let res: import('node:http').IncomingMessage | undefined;
    const req = request(`${upstream.origin}/events/export?count=2000000`, (response) => {
      res = response;
      response.pause();
    });
    req.on('error', () => {});
    req.end();
    // Until the socket buffers are full, then nothing more: the loop waits for 'drain'.
    let written = 0;
    for (let i = 0; i < 100; i++) {
      await sleep(50);
      const now = upstream.stats().exportBytes - before;
      if (now > 0 && now === written) break;
      written = now;
    }
    await sleep(300);
    const stalled = upstream.stats().exportBytes - before;
    assert.equal(stalled, written, 'the export went on while nobody read it');
    assert.ok(
      stalled > 0 && stalled < 32 * 1024 * 1024,
      `${stalled} bytes made for a client reading nothing`,
    );
    assert.equal(upstream.stats().exportsInFlight, 1);
    // Reading resumes the export...
    res?.resume();
    await sleep(200);
    assert.ok(upstream.stats().exportBytes - before > stalled);
    // ...and going away ends it, long before its ~830 MB.
    req.destroy();
    for (let i = 0; i < 100 && upstream.stats().exportsInFlight > 0; i++) await sleep(20);
    assert.equal(upstream.stats().exportsInFlight, 0);
    assert.ok(upstream.stats().exportBytes - before < 400e6);
  });

  it('refuses a count over the maximum, or not a count, with a 400 that says so', async () => {
    const over = await get('/events/export?count=2000001');
    assert.equal(over.status, 400);
    assert.match(over.body.error, /count 2000001 is over the maximum of 2000000 events/);
    for (const count of ['-1', 'abc', '1.5']) {
      const bad = await get(`/events/export?count=${count}`);
      assert.equal(bad.status, 400, count);
      assert.match(bad.body.error, /count must be an integer/);
    }
    assert.equal(upstream.stats().exportsInFlight, 0);
  });
});
