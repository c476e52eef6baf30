/**
 * The loopback upstream's generated arrays: the fast renderer gives exactly the bytes of
 * JSON.stringify of each item, and the served bodies (plain, gzip, inside a document, odd sizes
 * that take the JSON.stringify path) are the arrays the item() objects make.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { item, startUpstream, type Upstream } from './upstream.js';
import { ItemRenderer } from './upstream-items.js';

/** What the upstream sent before the renderer: each item through JSON.stringify. */
function expected(from: number, to: number, size: number): string {
  const parts: string[] = [];
  for (let k = from; k < to; k++) parts.push((k === 0 ? '' : ',') + JSON.stringify(item(k, size)));
  return parts.join('');
}

describe('ItemRenderer', () => {
  it('renders the bytes of JSON.stringify(item(k, size)) for every k of two periods and several sizes', () => {
    for (const size of [0, 1, 64, 800, 5000]) {
      const renderer = new ItemRenderer(size);
      assert.equal(renderer.render(0, 1200).toString('latin1'), expected(0, 1200, size), `size ${size}`);
    }
  });

  it('renders runs that start mid-array and items with long indexes', () => {
    const renderer = new ItemRenderer(800);
    assert.equal(renderer.render(256, 512).toString('latin1'), expected(256, 512, 800));
    const far = 123_456_789_012;
    assert.equal(renderer.render(far, far + 600).toString('latin1'), expected(far, far + 600, 800));
    assert.equal(renderer.render(7, 7).length, 0);
  });

  it('takes only sizes that "x".repeat gives verbatim', () => {
    for (const size of [0, 800, 2 ** 20]) assert.equal(ItemRenderer.fits(size), true);
    for (const size of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(ItemRenderer.fits(size), false, String(size));
      assert.throws(() => new ItemRenderer(size), /size must be a whole number >= 0/);
    }
  });
});

describe('startUpstream generated bodies', () => {
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream();
  });
  after(() => upstream.close());

  /** node:http rather than fetch, which would decode the gzip body: it is checked as sent. */
  const get = (path: string): Promise<{ status: number; body: Buffer; encoding: string | undefined }> =>
    new Promise((resolve, reject) => {
      const req = request(`${upstream.origin}${path}`, { timeout: 10_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            encoding: response.headers['content-encoding'],
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 10 s`)));
      req.on('error', reject);
      req.end();
    });

  it('serves /items as the JSON array of item(k, size), across several batches', async () => {
    const { status, body } = await get('/items?count=1000&size=800');
    assert.equal(status, 200);
    assert.equal(body.toString('utf8'), `[${expected(0, 1000, 800)}]`);
    assert.deepEqual(JSON.parse(body.toString('utf8'))[999], item(999, 800));
  });

  it('serves /document with the array inside an object, and an empty array for count=0', async () => {
    const { body } = await get('/api/document?count=300&size=10');
    assert.equal(
      body.toString('utf8'),
      `{"@odata.context":"https://example.test/$metadata","value":[${expected(0, 300, 10)}]}`,
    );
    assert.equal((await get('/items?count=0')).body.toString('utf8'), '[]');
  });

  it('serves /gzip compressed, and sizes the renderer does not take as before', async () => {
    const gzip = await get('/gzip?count=700&size=64');
    assert.equal(gzip.encoding, 'gzip');
    assert.equal(gunzipSync(gzip.body).toString('utf8'), `[${expected(0, 700, 64)}]`);
    // 'x'.repeat(2.5) is 'xx': the JSON.stringify path.
    assert.equal((await get('/items?count=3&size=2.5')).body.toString('utf8'), `[${expected(0, 3, 2.5)}]`);
    assert.equal((await get('/items?count=2')).body.toString('utf8'), `[${expected(0, 2, 64)}]`);
  });
});
