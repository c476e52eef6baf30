import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { brotliCompressSync, createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { UpstreamError } from '../../src/errors.js';
import { decodeBody, decodingPlan, RATIO_CHECK_AFTER_BYTES } from '../../src/openapi/decode.js';

const MiB = 1024 * 1024;
const LIMITS = {
  maxResponseBytes: 64 * MiB,
  maxDecompressionRatio: 200,
  describe: 'GET http://api.test/items',
};
const TEXT = Buffer.from(
  JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}` }))),
);

/** Yields `data` in chunks of `size` bytes, the way a socket would; the first `singles` bytes one by one. */
async function* chunks(data: Buffer, size = 1000, singles = 0): AsyncGenerator<Buffer> {
  let at = 0;
  for (; at < Math.min(singles, data.length); at++) yield data.subarray(at, at + 1);
  for (; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

async function rejectsUpstream(promise: Promise<unknown>, code: string, ...patterns: RegExp[]) {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UpstreamError, `expected an UpstreamError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

describe('decodingPlan', () => {
  it('lists the decodings to undo, last applied first', () => {
    assert.deepEqual(decodingPlan(undefined), []);
    assert.deepEqual(decodingPlan('identity'), []);
    assert.deepEqual(decodingPlan('GZIP'), ['gzip']);
    assert.deepEqual(decodingPlan('x-gzip'), ['gzip']);
    assert.deepEqual(decodingPlan('deflate, br'), ['br', 'deflate']);
  });

  it('gives up on an unknown encoding so the body passes through', () => {
    assert.equal(decodingPlan('zstd'), undefined);
    assert.equal(decodingPlan('gzip, compress'), undefined);
  });
});

describe('decodeBody', () => {
  const cases: [string, Buffer][] = [
    ['gzip', gzipSync(TEXT)],
    ['deflate', deflateSync(TEXT)],
    ['deflate', deflateRawSync(TEXT)],
    ['br', brotliCompressSync(TEXT)],
    ['identity', TEXT],
  ];
  for (const [encoding, encoded] of cases) {
    it(`decodes ${encoding} (${encoded[0] === 0x78 ? 'zlib-wrapped' : `first byte 0x${encoded[0]?.toString(16)}`})`, async () => {
      // One-byte chunks first: the deflate sniffing must cope with a header split across chunks.
      assert.deepEqual(await collect(decodeBody(chunks(encoded, 1000, 8), encoding, LIMITS)), TEXT);
      assert.deepEqual(await collect(decodeBody(chunks(encoded, 4096), encoding, LIMITS)), TEXT);
    });
  }

  it('undoes two encodings in reverse order', async () => {
    const twice = brotliCompressSync(gzipSync(TEXT));
    assert.deepEqual(await collect(decodeBody(chunks(twice), 'gzip, br', LIMITS)), TEXT);
  });

  it('passes an unknown encoding through as it came', async () => {
    const bytes = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]);
    assert.deepEqual(await collect(decodeBody(chunks(bytes, 2), 'zstd', LIMITS)), bytes);
  });

  it('keeps an empty body empty even when it is marked gzip', async () => {
    assert.equal((await collect(decodeBody(chunks(Buffer.alloc(0)), 'gzip', LIMITS))).length, 0);
  });

  it('names a corrupt or truncated body', async () => {
    const truncated = gzipSync(TEXT).subarray(0, 200);
    await rejectsUpstream(
      collect(decodeBody(chunks(truncated), 'gzip', LIMITS)),
      'HR_UPSTREAM_UNREACHABLE',
      /GET http:\/\/api\.test\/items/,
      /not valid gzip/,
    );
    await rejectsUpstream(
      collect(decodeBody(chunks(Buffer.from('not compressed at all')), 'br', LIMITS)),
      'HR_UPSTREAM_UNREACHABLE',
      /not valid br/,
    );
  });

  it('stops a plain body at maxResponseBytes', async () => {
    const body = Buffer.alloc(10_000, 'a');
    const limits = { ...LIMITS, maxResponseBytes: 4096 };
    await rejectsUpstream(
      collect(decodeBody(chunks(body), undefined, limits)),
      'HR_RESPONSE_TOO_LARGE',
      /4 KiB limit/,
      /--max-response-bytes/,
      /HEADROOM_OPENAPI_MAX_RESPONSE_BYTES/,
    );
    // Exactly at the limit is fine.
    assert.equal((await collect(decodeBody(chunks(body.subarray(0, 4096)), undefined, limits))).length, 4096);
  });

  it('counts maxResponseBytes on decoded bytes', async () => {
    const encoded = gzipSync(Buffer.alloc(100_000, 'a'));
    assert.ok(encoded.length < 4096);
    await rejectsUpstream(
      collect(decodeBody(chunks(encoded), 'gzip', { ...LIMITS, maxResponseBytes: 50_000 })),
      'HR_RESPONSE_TOO_LARGE',
    );
  });

  it('leaves well-compressed bodies alone below the ratio threshold', async () => {
    const small = Buffer.alloc(RATIO_CHECK_AFTER_BYTES - 1, 0);
    const encoded = gzipSync(small);
    assert.ok(small.length / encoded.length > 200);
    assert.equal((await collect(decodeBody(chunks(encoded), 'gzip', LIMITS))).length, small.length);
  });

  it('stops a gzip bomb at the ratio without inflating it', async () => {
    let produced = 0;
    const zero = Buffer.alloc(64 * 1024);
    const zeros = new Readable({
      read() {
        produced += zero.length;
        this.push(produced > 200 * MiB ? null : zero);
      },
    });
    const bomb = zeros.pipe(createGzip());
    const error = await rejectsUpstream(
      collect(decodeBody(bomb, 'gzip', LIMITS)),
      'HR_DECOMPRESSION_RATIO',
      /past the limit of 200/,
      /--max-decompression-ratio/,
    );
    assert.match(error.message, /compression bomb/);
    bomb.destroy();
    zeros.destroy();
    // Pull-based: only a small part of the 200 MiB was ever produced.
    assert.ok(produced < 50 * MiB, `produced ${produced} bytes`);
  });

  it('stops pulling the source when the reader stops', async () => {
    let pulled = 0;
    let released = false;
    async function* endless(): AsyncGenerator<Buffer> {
      try {
        for (let i = 0; i < 10_000; i++) {
          pulled++;
          yield Buffer.alloc(1024, 'x');
        }
      } finally {
        released = true;
      }
    }
    for await (const _chunk of decodeBody(endless(), undefined, LIMITS)) break;
    assert.equal(released, true);
    assert.ok(pulled < 10, `pulled ${pulled} chunks`);
  });
});
