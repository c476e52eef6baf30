import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AbortedError, BudgetExceededError, ItemTooLargeError, JsonStreamError } from '../../src/errors.js';
import { type StreamingJsonOptions, StreamingJsonProcessor } from '../../src/memory/json-stream.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';

const processor = new StreamingJsonProcessor();

function* chunks(text: string | Buffer, size: number): Generator<Buffer> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(
  text: string | Buffer,
  size: number,
  options: StreamingJsonOptions = {},
): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of processor.items(chunks(text, size), options)) out.push(item);
  return out;
}

async function failure(
  text: string,
  size: number,
  options: StreamingJsonOptions = {},
): Promise<JsonStreamError> {
  try {
    await collect(text, size, options);
  } catch (error) {
    if (error instanceof JsonStreamError) return error;
    throw error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

/** A deterministic pseudo-random JSON value with awkward strings, numbers and nesting. */
function randomValue(seed: { s: number }, depth = 0): unknown {
  const next = () => {
    seed.s = (seed.s * 1103515245 + 12345) & 0x7fffffff;
    return seed.s / 0x7fffffff;
  };
  const strings = [
    '',
    'plain',
    'quote " inside',
    'back \\ slash',
    'brackets ]}[{',
    'é ✓ 😀',
    'end\\',
    '\n\t\u0001',
  ];
  const r = next();
  if (depth > 4 || r < 0.3) {
    const k = Math.floor(next() * 6);
    return [
      null,
      true,
      false,
      Math.round(next() * 1e6) - 5e5,
      next() * 1e-3,
      strings[Math.floor(next() * 8)],
    ][k];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(seed, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) obj[`${strings[i]}${i}`] = randomValue(seed, depth + 1);
  return obj;
}

describe('StreamingJsonProcessor', () => {
  it('agrees with JSON.parse on random arrays, whatever the chunk size', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const value = Array.from({ length: 20 }, () => randomValue({ s: seed }));
      const text = JSON.stringify(value, null, seed % 2 ? 2 : undefined);
      for (const size of [1, 2, 3, 5, 13, 64, 4096]) {
        assert.deepEqual(await collect(text, size), value, `seed ${seed}, chunk ${size}`);
      }
    }
  });

  it('yields scalars, strings with escapes, and nested arrays as items', async () => {
    const text = ' [ 1, -2.5e3, true, null, "a\\"]", "\\\\", [1, [2]], {"k": "}"} ] ';
    for (const size of [1, 4, 100]) {
      assert.deepEqual(await collect(text, size), [1, -2500, true, null, 'a"]', '\\', [1, [2]], { k: '}' }]);
    }
    assert.deepEqual(await collect('[]', 1), []);
    assert.deepEqual(await collect('\uFEFF[1]', 1), [1], 'a UTF-8 byte order mark is skipped');
  });

  it('finds the array at a path, skipping everything around it', async () => {
    const doc = {
      meta: { items: [9, 9], note: 'x"]}' },
      data: { before: [{ results: [0] }], results: [{ a: 1 }, { b: [2] }], after: { c: 3 } },
      tail: [1, 2, 3],
    };
    for (const size of [1, 7, 1000]) {
      assert.deepEqual(await collect(JSON.stringify(doc), size, { path: '$.data.results' }), [
        { a: 1 },
        { b: [2] },
      ]);
    }
    const odd = JSON.stringify({ 'odd key': { 'q"k': ['x'] } });
    assert.deepEqual(await collect(odd, 2, { path: '$["odd key"]["q\\"k"]' }), ['x']);
    assert.deepEqual(await collect(JSON.stringify({ 'e\u00e9': [1] }), 1, { path: '$.eé' }), [1]);
  });

  it('reads NDJSON, skipping blank lines and CRLF endings, with or without a final newline', async () => {
    const text = '{"a":1}\n\n{"b":"x\\ny"}\r\n3\n  \n[4]';
    for (const size of [1, 2, 5, 1000]) {
      assert.deepEqual(await collect(text, size, { format: 'ndjson' }), [{ a: 1 }, { b: 'x\ny' }, 3, [4]]);
    }
  });

  it('gives the byte offset of malformed input', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['[1 2]', 3, /expected ',' or '\]' after item 0/],
      ['[{"a":}]', 6, /in item 0 .*starts at byte 1/],
      ['[1,]', 3, /must be followed by an item/],
      ['[1]x', 3, /after the end of the document/],
      ['[1,2', 4, /item 1 of \$, which starts at byte 3, is not complete/],
      ['[{"a":1}', 8, /not closed/],
      ['', 0, /input is empty/],
      ['{"a":1}', 0, /document is an object: give the path/],
      ['[@]', 1, /unexpected '@' where a value should start/],
      ['[{"a":1},{"b" 2}]', 14, /expected ':'/],
    ];
    for (const [text, offset, message] of cases) {
      for (const size of [1, 3, 100]) {
        const error = await failure(text, size);
        assert.equal(error.code, 'HR_JSON_INVALID');
        assert.equal(error.byteOffset, offset, `${text} chunk ${size}: ${error.message}`);
        assert.match(error.message, message);
      }
    }
  });

  it('says when the path is missing or leads to something that is not an array', async () => {
    const doc = JSON.stringify({ data: { results: { x: 1 }, other: 1 } });
    assert.match(
      (await failure(doc, 4, { path: '$.data.items' })).message,
      /no array at \$\.data\.items.*keys include: results, other/,
    );
    assert.match(
      (await failure(doc, 4, { path: '$.data.results' })).message,
      /expected an array at \$\.data\.results, found '\{'/,
    );
    assert.match(
      (await failure(doc, 4, { path: '$.data.results.x' })).message,
      /expected an array at \$\.data\.results\.x/,
    );
    assert.match((await failure('[1]', 4, { path: '$.a' })).message, /expected an object at \$/);
    await assert.rejects(collect('[1]', 1, { path: 'items' }), /must start with '\$'/);
  });

  it('names the bad NDJSON line and its byte offset', async () => {
    const error = await failure('{"a":1}\n{"b":}\n', 4, { format: 'ndjson' });
    assert.equal(error.byteOffset, 13);
    assert.match(error.message, /line 2 \(which starts at byte 8\)/);
    const two = await failure('1,2\n', 100, { format: 'ndjson' });
    assert.match(two.message, /line 1/, 'two values on one line are an error, not two items');
  });

  it('fails cleanly on an item over the size cap, in arrays and NDJSON', async () => {
    const big = `[1, "${'x'.repeat(5000)}", 3]`;
    for (const size of [7, 100_000]) {
      await assert.rejects(collect(big, size, { maxItemBytes: 1000 }), (error: unknown) => {
        assert.ok(error instanceof ItemTooLargeError);
        assert.equal(error.byteOffset, 4);
        assert.match(error.message, /item 1 of \$, starting at byte 4, is larger than the 1000 B item limit/);
        return true;
      });
    }
    await assert.rejects(
      collect(`1\n${'2'.repeat(5000)}\n`, 64, { format: 'ndjson', maxItemBytes: 1000 }),
      /line 2/,
    );
  });

  it('fails cleanly on nesting deeper than the limit, and on endless unclosed input', async () => {
    const deep = `[${'['.repeat(10_000)}${']'.repeat(10_000)}]`;
    await assert.rejects(collect(deep, 512), /nesting deeper than 1000 levels/);
    assert.equal((await collect(deep, 512, { maxDepth: 20_000 })).length, 1);
    await assert.rejects(collect(`[${'{"a":'.repeat(5)}`, 2), /not complete/);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const out: unknown[] = [];
    await assert.rejects(async () => {
      for await (const item of processor.items(chunks('[1,2,3,4,5,6]', 2), { signal: controller.signal })) {
        out.push(item);
        controller.abort();
      }
    }, AbortedError);
    assert.ok(out.length < 6);
  });

  it('checks the memory limiter every N items and stops over budget', async () => {
    const limiter = new MemoryLimiter({
      budgetBytes: 100,
      sampleEvery: 1,
      gcTrigger: 'never',
      readUsage: () => 500,
    });
    const text = JSON.stringify(Array.from({ length: 1000 }, (_, i) => i));
    await assert.rejects(collect(text, 256, { limiter, checkEvery: 100 }), (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.match(error.message, /while streaming JSON at item \d+ \(byte \d+\)/);
      return true;
    });
  });

  it('reads Node streams, web streams and strings, and process() awaits its callback', async () => {
    const text = JSON.stringify({ items: [{ n: 1 }, { n: 2 }] });
    const fromNode = await processor.process(
      Readable.from([text.slice(0, 5), text.slice(5)]),
      async () => {},
      {
        path: '$.items',
      },
    );
    assert.deepEqual(fromNode, { items: 2, bytes: text.length });
    const web = new Blob([text]).stream();
    const seen: number[] = [];
    await processor.process(web, (item, index) => seen.push((item as { n: number }).n * 10 + index), {
      path: '$.items',
    });
    assert.deepEqual(seen, [10, 21]);
    const batches: unknown[][] = [];
    for await (const batch of processor.batches(['[1,2', ',3]'])) batches.push(batch);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  it('keeps memory flat on a large input', async () => {
    const item = JSON.stringify({
      id: 1,
      name: 'x'.repeat(200),
      tags: ['a', 'b'],
      nested: { deep: [1, 2, 3] },
    });
    const total = 64 * 1024 * 1024;
    const count = Math.floor(total / (item.length + 1));
    async function* source() {
      yield '[';
      const block = Buffer.from(`${item},`.repeat(200));
      for (let i = 0; i < count; i += 200) yield block;
      yield `${item}]`;
    }
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let items = 0;
    for await (const batch of processor.batches(source())) {
      items += batch.length;
      if (items % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    assert.ok(items > 200_000);
    assert.ok(peak < 24 * 1024 * 1024, `heap grew by ${peak} bytes while streaming 64 MiB`);
  });
});
