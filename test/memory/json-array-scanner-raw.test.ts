import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemTooLargeError, JsonStreamError } from '../../src/errors.js';
import { JsonArrayScanner } from '../../src/memory/json-array-scanner.js';

const LIMITS = { maxItemBytes: 1024 * 1024, maxDepth: 64 };

/** The items of `chunks` as texts, read through pushRaw: each carried item first, then the ranges. */
function rawItems(chunks: Buffer[], keys: string[] = [], limits = LIMITS): string[] {
  const scanner = new JsonArrayScanner(keys, limits, 'raw');
  const texts: string[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const batch = scanner.pushRaw(chunk);
    if (batch.carried) {
      texts.push(batch.carried.toString('utf8'));
      assert.ok(batch.carriedAt < offset, 'a carried item starts in an earlier chunk');
    }
    for (let k = 0; k < batch.count; k++) {
      const start = batch.starts[k] as number;
      const end = batch.ends[k] as number;
      assert.ok(start >= 0 && start < end && end <= chunk.length, `range ${start}-${end}`);
      texts.push(chunk.toString('utf8', start, end));
    }
    offset += chunk.length;
  }
  scanner.end();
  return texts;
}

const some = [{ a: 'x,]}"\\' }, [1, [2, { b: null }]], 'é😀', 12.5e3, true, null, { c: '' }, -0.5, 'q'];

describe('JsonArrayScanner: raw mode', () => {
  it('gives every item exactly, in order, whichever two bytes the chunks split between', () => {
    const json = ` \n[ ${some.map((item) => JSON.stringify(item, null, 1).replace(/\n/g, '\r\n')).join(' ,\n ')} ]\n`;
    const bytes = Buffer.from(json);
    const expected = some.map((item) => JSON.stringify(item, null, 1).replace(/\n/g, '\r\n'));
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 7) {
        const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        assert.deepEqual(rawItems(chunks), expected, `split at ${a} and ${b}`);
      }
    }
  });

  it('gives every item exactly with one-byte chunks and at a path of keys', () => {
    const bytes = Buffer.from(JSON.stringify({ meta: { n: [1, 2] }, data: { list: some }, tail: [] }));
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(
      rawItems(chunks, ['data', 'list']),
      some.map((item) => JSON.stringify(item)),
    );
  });

  it('keeps a carried item intact while the next one is carried out of the same chunk', () => {
    // Chunk 2 completes item 0 (carried) and starts item 2 (carried again): two carry buffers take turns.
    const a = `"${'a'.repeat(30)}"`;
    const b = `"${'b'.repeat(5)}"`;
    const c = `"${'c'.repeat(30)}"`;
    const bytes = Buffer.from(`[${a},${b},${c}]`);
    const cut1 = 10;
    const cut2 = a.length + b.length + 10;
    const scanner = new JsonArrayScanner([], LIMITS, 'raw');
    assert.equal(scanner.pushRaw(bytes.subarray(0, cut1)).count, 0);
    const second = scanner.pushRaw(bytes.subarray(cut1, cut2));
    assert.equal(second.carried?.toString(), a);
    assert.equal(second.carriedAt, 1);
    assert.equal(second.count, 1);
    const third = scanner.pushRaw(bytes.subarray(cut2));
    assert.equal(third.carried?.toString(), c);
    assert.equal(third.carriedAt, 1 + a.length + 1 + b.length + 1);
    assert.equal(third.count, 0);
    scanner.end();
    assert.equal(scanner.items, 3);
  });

  it('reuses its range arrays: a batch with fewer items than the last says so by its count', () => {
    const scanner = new JsonArrayScanner([], LIMITS, 'raw');
    const first = scanner.pushRaw(Buffer.from('[1,2,3,4,5,'));
    assert.equal(first.count, 5);
    const second = scanner.pushRaw(Buffer.from('6,7]'));
    assert.equal(second, first, 'one object, reused');
    assert.equal(second.count, 2);
    assert.deepEqual([second.starts[0], second.ends[0], second.starts[1], second.ends[1]], [0, 1, 2, 3]);
    scanner.end();
  });

  it('carries an item larger than its carry buffers across many chunks', () => {
    const big = JSON.stringify({ text: 'z'.repeat(3 * 1024 * 1024) });
    const bytes = Buffer.from(`[1,${big},2,${big}]`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536));
    const items = rawItems(chunks, [], { maxItemBytes: 4 * 1024 * 1024, maxDepth: 8 });
    assert.deepEqual(items, ['1', big, '2', big]);
  });

  it('still fails on items over the limit and on broken structure', () => {
    const big = Buffer.from(`[1,"${'x'.repeat(200)}"]`);
    assert.throws(
      () => rawItems([big.subarray(0, 50), big.subarray(50)], [], { maxItemBytes: 100, maxDepth: 8 }),
      ItemTooLargeError,
    );
    assert.throws(() => rawItems([Buffer.from('[1 2]')]), /expected ',' or '\]' after item 0/);
    assert.throws(() => rawItems([Buffer.from('[1, {"a": ')]), JsonStreamError);
  });

  it('push in raw mode gives Buffers; pushRaw in parse mode is refused', () => {
    const scanner = new JsonArrayScanner([], LIMITS, 'raw');
    const out: unknown[] = [];
    scanner.push(Buffer.from('[{"a":1},"lo'), out);
    scanner.push(Buffer.from('ng",3]'), out);
    scanner.end();
    assert.deepEqual(
      out.map((item) => (item as Buffer).toString()),
      ['{"a":1}', '"long"', '3'],
    );
    const parse = new JsonArrayScanner([], LIMITS);
    assert.throws(() => parse.pushRaw(Buffer.from('[1]')), /made for parse mode/);
  });
});

const BOM = [0xef, 0xbb, 0xbf];

/** Every way to cut `bytes` into chunks at two points within its first `within` bytes. */
function cutsWithin(bytes: Buffer, within: number): Buffer[][] {
  const out: Buffer[][] = [];
  for (let a = 0; a <= within; a++) {
    for (let b = a; b <= within; b++)
      out.push([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
  }
  return out;
}

/** The items of `chunks` in parse mode, and the scanner's byte count at the end. */
function parsed(chunks: Buffer[], keys: string[] = [], limits = LIMITS): { items: unknown[]; bytes: number } {
  const scanner = new JsonArrayScanner(keys, limits);
  const items: unknown[] = [];
  for (const chunk of chunks) scanner.push(chunk, items);
  scanner.end();
  return { items, bytes: scanner.bytes };
}

/** The error the scan of `chunks` ends with. */
function failure(chunks: Buffer[], keys: string[] = [], limits = LIMITS): Error {
  try {
    parsed(chunks, keys, limits);
  } catch (error) {
    return error as Error;
  }
  assert.fail(`no error for ${chunks.map((c) => c.toString('hex')).join(' | ')}`);
}

describe('JsonArrayScanner: a UTF-8 byte order mark', () => {
  it('is skipped however the first chunks cut it, in parse and raw mode, at the root and at a path', () => {
    const items = [1, 'é', { a: [2] }];
    const root = Buffer.from([...BOM, ...Buffer.from(JSON.stringify(items))]);
    const nested = Buffer.from([...BOM, ...Buffer.from(JSON.stringify({ x: 0, data: items }))]);
    for (const chunks of cutsWithin(root, 4)) {
      const cut = chunks.map((c) => c.length).join('+');
      assert.deepEqual(parsed(chunks), { items, bytes: root.length }, `cut ${cut}`);
      assert.deepEqual(rawItems(chunks), ['1', '"é"', '{"a":[2]}'], `raw, cut ${cut}`);
    }
    // One-byte chunks for the mark, then the rest.
    assert.deepEqual(parsed([...BOM.map((b) => Buffer.from([b])), root.subarray(3)]).items, items);
    for (const chunks of cutsWithin(nested, 4)) assert.deepEqual(parsed(chunks, ['data']).items, items);
  });

  it('counts in byte offsets when it was cut: an error names the same byte as for the uncut input', () => {
    const bytes = Buffer.from([...BOM, ...Buffer.from(`[1,"${'x'.repeat(20)}"]`)]);
    const limits = { maxItemBytes: 10, maxDepth: 8 };
    for (const chunks of cutsWithin(bytes, 4)) {
      const error = failure(chunks, [], limits);
      assert.ok(error instanceof ItemTooLargeError, String(error));
      assert.equal(error.byteOffset, 6, 'item 1 starts after the 3-byte mark, "[", "1" and ","');
    }
    const broken = Buffer.from([...BOM, ...Buffer.from('[1 2]')]);
    for (const chunks of cutsWithin(broken, 4)) {
      assert.match(failure(chunks).message, /^invalid JSON at byte 6: expected ',' or '\]' after item 0/);
    }
  });

  it('a part of a mark followed by other bytes fails as the uncut bytes do: 0xEF cannot start JSON', () => {
    const cases: number[][] = [
      [0xef, 0x5b, 0x5d],
      [0xef, 0xbb, 0x5b, 0x5d],
      [0xef, 0xbb, 0xbe, 0x5b, 0x5d],
      [0xef, 0x20, 0x5b, 0x5d],
    ];
    for (const bytes of cases) {
      const whole = Buffer.from(bytes);
      const expected = failure([whole]).message;
      assert.match(
        expected,
        /^invalid JSON at byte 0: expected the document to be an array, found byte 0xef/,
      );
      for (const chunks of cutsWithin(whole, whole.length)) {
        const error = failure(chunks);
        assert.ok(error instanceof JsonStreamError);
        assert.equal(error.message, expected, `${whole.toString('hex')} cut ${chunks.map((c) => c.length)}`);
        assert.equal(error.byteOffset, 0);
      }
    }
    assert.match(
      failure([Buffer.from([0xef]), Buffer.from('{"a":[]}')], ['a']).message,
      /^invalid JSON at byte 0: expected an object at \$/,
    );
  });

  it('input that stops inside a mark fails; a mark alone is an empty document; only the first is skipped', () => {
    for (const held of [[0xef], [0xef, 0xbb]]) {
      const chunks = held.map((b) => Buffer.from([b]));
      assert.match(failure(chunks).message, /^invalid JSON at byte 0: .*found byte 0xef/);
      const scanner = new JsonArrayScanner([], LIMITS);
      for (const chunk of chunks) scanner.push(chunk, []);
      assert.equal(scanner.bytes, held.length, 'held bytes are counted as read');
    }
    assert.match(
      failure([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf])]).message,
      /end of input at byte 3 before the array/,
    );
    assert.match(failure([]).message, /the input is empty/);
    // JSON.parse refuses '\uFEFF[]' too: a second mark is not whitespace.
    const twice = Buffer.from([...BOM, ...BOM, 0x5b, 0x5d]);
    for (const chunks of cutsWithin(twice, 6)) {
      assert.match(
        failure(chunks).message,
        /^invalid JSON at byte 3: expected the document to be an array, found byte 0xef/,
      );
    }
  });
});
