import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { AbortedError, BudgetExceededError, JsonStreamError, QueryError } from '../../src/errors.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';
import type { UpstreamResponse } from '../../src/openapi/call-types.js';
import { compileFields } from '../../src/openapi/fields.js';
import { compileQuery } from '../../src/openapi/query.js';
import { type ShapedResponse, type ShapeOptions, shapeResponse } from '../../src/openapi/shape.js';
import { SpillStore } from '../../src/openapi/spill.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-shape-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let stores = 0;
const newStore = (options: { maxBytes?: number } = {}) =>
  new SpillStore({ dir: join(root, `s${++stores}`), ...options });

type Body = Iterable<Buffer> | AsyncIterable<Buffer>;

function upstream(
  body: Body,
  mediaType = 'application/json',
): UpstreamResponse & { discarded: () => boolean } {
  let discarded = false;
  return {
    status: 200,
    headers: {},
    mediaType,
    url: 'http://127.0.0.1/test',
    body: (async function* () {
      yield* body;
    })(),
    discard: async () => {
      discarded = true;
    },
    discarded: () => discarded,
  };
}

function* pieces(data: string | Buffer, size: number): Generator<Buffer> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function shape(
  body: Body,
  options: Partial<ShapeOptions> & { mediaType?: string } = {},
): Promise<ShapedResponse> {
  const { mediaType, ...rest } = options;
  return shapeResponse(upstream(body, mediaType), { budgetBytes: 4000, source: 'GET /things', ...rest });
}

const texts = (shaped: ShapedResponse) =>
  shaped.content.map((block) => (block.type === 'text' ? block.text : ''));
const textBytes = (shaped: ShapedResponse) =>
  texts(shaped).reduce((sum, text) => sum + Buffer.byteLength(text), 0);

/** The first page's items, then every page of the spill to the end: the whole response as the model sees it. */
async function everything(shaped: ShapedResponse, store: SpillStore, budget: number): Promise<unknown[]> {
  const items = JSON.parse(texts(shaped)[0] as string) as unknown[];
  if (!shaped.cursor) return items;
  let offset = items.length;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const page = await store.read(shaped.cursor, offset, budget, { waitMs: 5000 });
    assert.ok(Buffer.byteLength(page.text) <= budget, 'each page fits the budget');
    assert.equal(page.error, undefined);
    items.push(...(JSON.parse(page.text) as unknown[]));
    if (page.nextOffset === undefined) return items;
    offset = page.nextOffset;
  }
  assert.fail('too many pages');
}

/** The text of a text or JSON-as-text spill, read to the end from `offset`. */
async function spilledText(store: SpillStore, cursor: string, offset: number): Promise<string> {
  let text = '';
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await store.read(cursor, offset, 1000, { waitMs: 5000 });
    text += page.text;
    if (page.nextOffset === undefined) return text;
    offset = page.nextOffset;
  }
  assert.fail('too many pages');
}

function records(
  n: number,
): Array<{ id: number; name: string; state: string; tags: string[]; note: string }> {
  return Array.from({ length: n }, (_, id) => ({
    id,
    name: `item ${id}`,
    state: id % 3 === 0 ? 'open' : 'closed',
    tags: ['a', 'b'],
    note: id % 7 === 0 ? 'é ✓ 😀 "quoted" \\ ]}' : 'plain',
  }));
}

describe('shapeResponse: JSON arrays', () => {
  it('returns a small array whole, with no cursor and no note', async () => {
    const items = records(5);
    const store = newStore();
    const shaped = await shape(pieces(JSON.stringify(items), 10), { spill: store });
    assert.deepEqual(texts(shaped), [JSON.stringify(items)]);
    assert.equal(shaped.cursor, undefined);
    assert.equal(shaped.truncated, false);
    assert.deepEqual(shaped.items, { shown: 5, total: 5 });
    await shaped.done;
    assert.equal(store.stats().entries, 0);
    await store.close();
  });

  it('pages a 200,000-item array: the first page fits, and read_result returns every other item once, in order', async () => {
    const items = records(200_000);
    const json = Buffer.from(JSON.stringify(items));
    const store = newStore();
    const shaped = await shape(pieces(json, 65_536), { spill: store, budgetBytes: 100_000 });
    assert.ok(textBytes(shaped) <= 100_000, `${textBytes(shaped)} bytes`);
    assert.equal(shaped.truncated, true);
    assert.ok(shaped.cursor);
    const shown = shaped.items?.shown as number;
    assert.ok(shown > 500 && shown < 2000, `${shown} shown`);
    const note = texts(shaped)[1] as string;
    const count = (n: number) => n.toLocaleString('en-US');
    if (shaped.items?.total === undefined)
      assert.match(
        note,
        new RegExp(`^${count(shown)} items shown; the response has more \\(still arriving\\)`),
      );
    else
      assert.match(
        note,
        new RegExp(`^Items 0-${count(shown - 1)} of 200,000 shown \\([\\d.]+ MiB response\\)`),
      );
    assert.ok(note.includes(`read_result with {"cursor":"${shaped.cursor}","offset":${shown}}`));
    await shaped.done;
    assert.equal(shaped.bytesRead, json.length);
    assert.deepEqual(await everything(shaped, store, 100_000), items);
    const past = await store.read(shaped.cursor, 300_000, 1000);
    assert.deepEqual(past, { text: '[]', offset: 300_000, complete: true, total: 200_000 });
    await store.close();
  });

  it('loses no item whichever byte the chunks split at, on the first page and in the spill', async () => {
    // The first KiB is read whole to sniff the kind, so the splits that matter come after it.
    const filler = Array.from({ length: 40 }, (_, k) => ({ filler: k, pad: 'p'.repeat(20) }));
    const some = [{ a: 'x,]}"\\' }, [1, [2, { b: null }]], 'é😀', 12.5e3, true, null, { c: '' }, -0.5];
    const items = [...filler, ...some, ...some];
    const json = ` \n[ ${items.map((item) => JSON.stringify(item)).join(' ,\n ')} ]\n`;
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);
    const from = bytes.indexOf('{"filler":39');
    assert.ok(from > 1100);
    for (const budget of [256, 100_000]) {
      for (let split = from; split < bytes.length; split++) {
        const store = newStore();
        const body = [bytes.subarray(0, split), bytes.subarray(split)];
        const shaped = await shape(body, { spill: store, budgetBytes: budget, countGraceMs: 0 });
        await shaped.done;
        assert.equal(
          shaped.cursor === undefined,
          budget > 256,
          'with the small budget, the split lands in the spill',
        );
        assert.deepEqual(await everything(shaped, store, budget), items, `split at ${split}`);
        await store.close();
      }
    }
  });

  it('keeps spilled items of a pretty-printed array on one line each', async () => {
    const items = records(300);
    const store = newStore();
    const shaped = await shape(pieces(JSON.stringify(items, null, 2).replace(/\n/g, '\r\n'), 333), {
      spill: store,
      budgetBytes: 2000,
    });
    await shaped.done;
    assert.deepEqual(await everything(shaped, store, 2000), items);
    const file = join(store.folder, readdirSync(store.folder)[0] as string);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, 300 - (shaped.items?.shown as number) + 1);
    for (const line of lines.slice(0, -1)) JSON.parse(line);
    await store.close();
  });

  it('applies _fields and a per-item _query on the stream, as on the whole array', async () => {
    const items = records(20_000);
    const json = JSON.stringify(items);
    const cases: Array<Partial<ShapeOptions>> = [
      { fields: ['id', 'state'] },
      { query: compileQuery("[?state=='open'].name") },
      { fields: ['id', 'name', 'state'], query: compileQuery("[?state=='closed'].{n: name, i: id}") },
    ];
    for (const options of cases) {
      const store = newStore();
      const shaped = await shape(pieces(json, 9999), { ...options, spill: store, budgetBytes: 3000 });
      await shaped.done;
      let expected: unknown = items;
      if (options.fields) expected = compileFields(options.fields)(expected);
      if (options.query) expected = options.query.apply(expected);
      assert.deepEqual(await everything(shaped, store, 3000), expected);
      await store.close();
    }
  });

  it('without a spill store, counts what did not fit and says it was not kept', async () => {
    const shaped = await shape(pieces(JSON.stringify(records(3000)), 4096), { budgetBytes: 1000 });
    assert.equal(shaped.cursor, undefined);
    const shown = shaped.items?.shown as number;
    assert.deepEqual(shaped.items, { shown, total: 3000 });
    assert.ok(textBytes(shaped) <= 1000);
    assert.deepEqual(JSON.parse(texts(shaped)[0] as string), records(shown));
    assert.ok(
      (texts(shaped)[1] as string).startsWith(
        `Items 0-${shown - 1} of 3,000 shown; the other ${(3000 - shown).toLocaleString('en-US')} were not kept: no spill store is configured`,
      ),
    );
    assert.match(texts(shaped)[1] as string, /_fields .* _query/);
  });

  it('fits a first item larger than the whole budget, and spills the rest', async () => {
    const items = [{ big: 'x'.repeat(10_000), more: records(50) }, { small: 1 }];
    const store = newStore();
    const shaped = await shape([Buffer.from(JSON.stringify(items))], { spill: store, budgetBytes: 2000 });
    assert.ok(textBytes(shaped) <= 2000);
    assert.deepEqual(shaped.items, { shown: 1, total: 2 });
    assert.match(
      texts(shaped)[1] as string,
      /Item 0 alone is larger than the response budget and was cut: 1 string shortened/,
    );
    const page = await store.read(shaped.cursor as string, 1, 2000);
    assert.equal(page.text, '[{"small":1}]');
    await store.close();
  });

  it('answers before a slow body ends ("still arriving"); the spill fills in the background', async () => {
    const items = records(2000);
    const json = Buffer.from(JSON.stringify(items));
    const store = newStore();
    async function* slow() {
      yield* pieces(json.subarray(0, 20_000), 5000);
      for (const piece of pieces(json.subarray(20_000), 20_000)) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        yield piece;
      }
    }
    const started = Date.now();
    const shaped = await shape(slow(), { spill: store, budgetBytes: 2000, countGraceMs: 50 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(shaped.items?.total, undefined);
    assert.match(
      texts(shaped)[1] as string,
      /items shown; the response has more \(still arriving\). Call read_result/,
    );
    // Reading while the body is still arriving waits for it.
    assert.deepEqual(await everything(shaped, store, 5000), items);
    await shaped.done;
    await store.close();
  });

  it('records an upstream failure after the first page on the spill entry', async () => {
    const items = records(2000);
    const json = Buffer.from(JSON.stringify(items));
    const store = newStore();
    async function* broken() {
      yield* pieces(json.subarray(0, 100_000), 10_000);
      throw new Error('socket hang up');
    }
    const response = upstream(broken());
    const shaped = await shapeResponse(response, { budgetBytes: 2000, source: 'GET /things', spill: store });
    await shaped.done;
    assert.equal(response.discarded(), true);
    assert.match(texts(shaped)[1] as string, /stopped after [\d,]+ items: socket hang up/);
    const shown = shaped.items?.shown as number;
    let offset = shown;
    let last: Awaited<ReturnType<SpillStore['read']>> | undefined;
    const seen: unknown[] = [];
    while (offset !== undefined) {
      last = await store.read(shaped.cursor as string, offset, 50_000);
      seen.push(...(JSON.parse(last.text) as unknown[]));
      offset = last.nextOffset as number;
    }
    assert.match(last?.error ?? '', /the response was cut at item [\d,]+: socket hang up/);
    assert.deepEqual(seen, items.slice(shown, shown + seen.length));
    await store.close();
  });

  it('rejects when the body fails before the first page is full, and discards the response', async () => {
    async function* broken() {
      yield Buffer.from('[{"a":1},');
      throw new Error('connection reset');
    }
    const response = upstream(broken());
    await assert.rejects(
      shapeResponse(response, { budgetBytes: 2000, source: 'GET /x' }),
      /connection reset/,
    );
    assert.equal(response.discarded(), true);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(shape([Buffer.from('[1,2]')], { signal: controller.signal }), AbortedError);
  });
});

describe('shapeResponse: other JSON', () => {
  it('applies a query that needs the whole document to a small body', async () => {
    const items = records(100);
    const query = compileQuery("length([?state=='open'])");
    assert.equal(query.perItem, false);
    const shaped = await shape(pieces(JSON.stringify(items), 500), { query });
    assert.deepEqual(texts(shaped), ['34']);
  });

  it('refuses a whole-document query on a body past maxParseBytes, and says what streams instead', async () => {
    const query = compileQuery('sort_by(@, &id)');
    await assert.rejects(
      shape(pieces(JSON.stringify(records(2000)), 4096), { query, maxParseBytes: 10_000 }),
      (error: unknown) => {
        assert.ok(error instanceof QueryError);
        assert.match(
          error.message,
          /needs the whole response.*larger than 9.77 KiB.*\[\?state=='open'\]\.name.*--max-parse-bytes/,
        );
        return true;
      },
    );
  });

  it('cuts a large object with markers and spills its full text, readable by byte offset', async () => {
    const document = { total: 500, items: records(500), meta: { next: 'https://example.com/?page=2' } };
    const json = JSON.stringify(document, null, 1);
    const store = newStore();
    const shaped = await shape(pieces(json, 1000), { spill: store, budgetBytes: 3000 });
    assert.ok(textBytes(shaped) <= 3000);
    assert.match(texts(shaped)[0] as string, /more items\]/);
    const note = texts(shaped)[1] as string;
    assert.match(note, /^The response \([\d.]+ KiB\) was cut to fit the response budget: .*array/);
    assert.match(
      note,
      /All of it is kept for 1 hour as JSON text: call read_result with \{"cursor":"[\w-]+","offset":0\}/,
    );
    assert.match(note, /_fields .* _query/);
    await shaped.done;
    assert.equal(await spilledText(store, shaped.cursor as string, 0), json);
    await store.close();
  });

  it('streams the array of a Graph-like object past maxParseBytes by its path', async () => {
    const items = records(5000);
    const json = JSON.stringify({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users',
      value: items,
    });
    const store = newStore();
    const shaped = await shape(pieces(json, 4096), {
      spill: store,
      budgetBytes: 3000,
      maxParseBytes: 64 * 1024,
    });
    const note = texts(shaped)[1] as string;
    assert.match(note, /an object larger than 64 KiB; these are the items of its array \$\.value/);
    assert.ok(note.includes('$["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users"'));
    await shaped.done;
    assert.deepEqual(await everything(shaped, store, 3000), items);
    await store.close();
  });

  it('shows invalid JSON as text and names the byte where it breaks', async () => {
    const shaped = await shape([Buffer.from('{"a": 1,, "b": 2}')]);
    assert.deepEqual(texts(shaped), [
      '{"a": 1,, "b": 2}',
      'The response is not valid JSON: at byte 8, expected a property name in double quotes. It is shown as text.',
    ]);
    const array = await shape([Buffer.from('[1, 2, {"x": tru}, 4]')]);
    assert.equal(texts(array)[0], '[1, 2, {"x": tru}, 4]');
    assert.match(
      texts(array)[1] as string,
      /not valid JSON \(invalid JSON at byte 13 in item 2 of \$ \(which starts at byte 7\)/,
    );
    const structural = await shape([Buffer.from('[1 2]')]);
    assert.match(texts(structural)[1] as string, /expected ',' or '\]' after item 0/);
    assert.ok(new JsonStreamError('x', 1));
  });

  it('names the exact byte of invalid JSON in an item that spans chunks', async () => {
    // Past the first KiB (read whole to sniff), so the broken item is carried from one chunk to the next.
    const filler = Array.from({ length: 40 }, (_, k) => JSON.stringify({ filler: k, pad: 'p'.repeat(20) }));
    const bytes = Buffer.from(`[${filler.join(',')},{"x": tru},4]`);
    const start = bytes.indexOf('{"x"');
    assert.ok(start > 1100);
    for (const split of [start + 1, start + 5, start + 9]) {
      const shaped = await shape([bytes.subarray(0, split), bytes.subarray(split)], { budgetBytes: 100_000 });
      assert.match(
        texts(shaped)[1] as string,
        new RegExp(`invalid JSON at byte ${start + 6} in item 40 of \\$ \\(which starts at byte ${start}\\)`),
        `split at ${split}`,
      );
    }
  });

  it('sniffs JSON and text behind generic media types', async () => {
    const json = await shape([Buffer.from('\ufeff [1,2,3]')], { mediaType: 'application/octet-stream' });
    assert.deepEqual(texts(json), ['[1,2,3]']);
    const text = await shape([Buffer.from('plain words ✓')], { mediaType: '' });
    assert.deepEqual(texts(text), ['plain words ✓']);
    const binary = await shape([Buffer.from([0x89, 0x50, 0x00, 0xff])], { mediaType: 'text/plain' });
    assert.match(texts(binary)[0] as string, /^Binary response \(text\/plain, 4 B\)/);
  });
});

describe('shapeResponse: text, images, binary, empty', () => {
  it('shows the first budget of text at a character boundary and spills the rest', async () => {
    const text = 'line é✓😀 of some text\n'.repeat(2000);
    const store = newStore();
    const shaped = await shape(pieces(text, 999), { spill: store, mediaType: 'text/csv' });
    assert.ok(textBytes(shaped) <= 4000);
    const shown = texts(shaped)[0] as string;
    assert.ok(!shown.includes('\ufffd'));
    const cut = Buffer.byteLength(shown);
    assert.match(
      texts(shaped)[1] as string,
      new RegExp(`Bytes 0-${(cut - 1).toLocaleString('en-US')} of [\\d.]+ KiB shown.`),
    );
    await shaped.done;
    assert.equal(shown + (await spilledText(store, shaped.cursor as string, cut)), text);
    await store.close();
  });

  it('returns small images as image content, and spills large ones as binary', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(1000, 7)]);
    const small = await shape([png], { mediaType: 'image/png' });
    assert.deepEqual(small.content[0], {
      type: 'image',
      data: png.toString('base64'),
      mimeType: 'image/png',
    });
    assert.deepEqual(small.content[1], { type: 'text', text: 'Image (image/png, 1004 B).' });

    const store = newStore();
    const large = await shape(pieces(Buffer.alloc(300_000, 9), 10_000), {
      mediaType: 'image/png',
      spill: store,
      maxImageBytes: 100_000,
    });
    assert.equal(large.content.length, 1);
    assert.match(
      texts(large)[0] as string,
      /larger than 97.7 KiB, too large to show. Binary response \(image\/png, /,
    );
    await large.done;
    const page = await store.read(large.cursor as string, 0, 4000);
    assert.deepEqual(Buffer.from(page.text, 'base64'), Buffer.alloc(3000, 9));
    assert.equal(page.total, 300_000);
    await store.close();
  });

  it('spills binary bodies; the base64 pages add up to the bytes', async () => {
    const bytes = Buffer.alloc(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    const store = newStore();
    const shaped = await shape(pieces(bytes, 7000), { mediaType: 'application/pdf', spill: store });
    await shaped.done;
    assert.match(
      texts(shaped)[0] as string,
      /^Binary response \(application\/pdf, 97.7 KiB\). It is kept for 1 hour: call read_result with/,
    );
    const parts: Buffer[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const page = await store.read(shaped.cursor as string, offset, 4000);
      parts.push(Buffer.from(page.text, 'base64'));
      offset = page.nextOffset;
    }
    assert.deepEqual(Buffer.concat(parts), bytes);
    await store.close();
  });

  it('says (empty body) for an empty body', async () => {
    const shaped = await shape([], { mediaType: 'application/json' });
    assert.deepEqual(shaped.content, [{ type: 'text', text: '(empty body)' }]);
    assert.equal(shaped.truncated, false);
    await shaped.done;
  });
});

describe('shapeResponse: limits', () => {
  it('checks the memory limiter while reading: over budget before the first page, the call fails', async () => {
    let used = 0;
    const limiter = new MemoryLimiter({
      budgetBytes: 1000,
      readUsage: () => used,
      sampleEvery: 1,
      gcTrigger: 'never',
    });
    async function* growing() {
      for (let k = 0; k < 100; k++) {
        used = k * 100;
        yield Buffer.from(k === 0 ? '[1' : ',1');
      }
      yield Buffer.from(']');
    }
    await assert.rejects(shape(growing(), { limiter }), (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.match(error.message, /while reading the response of GET \/things/);
      return true;
    });
  });

  it('surfaces a full spill disk budget in the page error', async () => {
    const items = records(5000);
    const store = newStore({ maxBytes: 50_000 });
    const shaped = await shape(pieces(JSON.stringify(items), 8192), { spill: store, budgetBytes: 2000 });
    await shaped.done;
    const shown = shaped.items?.shown as number;
    let offset: number | undefined = shown;
    const seen: unknown[] = [];
    let error: string | undefined;
    while (offset !== undefined) {
      const page = await store.read(shaped.cursor as string, offset, 20_000);
      seen.push(...(JSON.parse(page.text) as unknown[]));
      error = page.error;
      offset = page.nextOffset;
    }
    assert.ok(seen.length > 100);
    assert.deepEqual(seen, items.slice(shown, shown + seen.length));
    assert.equal(
      error?.startsWith(
        `the response was cut at item ${(shown + seen.length).toLocaleString('en-US')} because the spill store's disk budget (48.8 KiB, --max-spill-size) was used up`,
      ),
      true,
      error,
    );
    await store.close();
  });

  it('answers the first page of a 300 MB array in well under a second with memory flat', async () => {
    const store = newStore({ maxBytes: 1024 ** 3 });
    const target = 300 * 1024 * 1024;
    const template = (id: number) =>
      `{"id":${id},"name":"user ${id}","email":"u${id}@example.com","active":true,"tags":["x","yz"],"text":"lorem ipsum dolor é ✓"}`;
    let pulled = 0;
    let worstAhead = 0;
    async function* big() {
      yield Buffer.from('[');
      let id = 0;
      while (pulled < target) {
        const parts: string[] = [];
        for (let k = 0; k < 500; k++) parts.push(template(id++));
        const chunk = Buffer.from(`${id > 500 ? ',' : ''}${parts.join(',')}`);
        pulled += chunk.length;
        // Back-pressure: the body is never far ahead of what is on disk.
        if (id % 50_000 === 0) worstAhead = Math.max(worstAhead, pulled - diskBytes(store.folder));
        yield chunk;
      }
      yield Buffer.from(']');
    }
    global.gc?.();
    const before = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed - before.heapUsed);
      peakRss = Math.max(peakRss, now.rss - before.rss);
    }, 10);
    const started = performance.now();
    const shaped = await shape(big(), { spill: store, budgetBytes: 100_000 });
    const firstMs = performance.now() - started;
    await shaped.done;
    const totalMs = performance.now() - started;
    clearInterval(sampler);
    const mb = shaped.bytesRead / 1024 / 1024;
    console.log(
      `300 MB array: first page ${firstMs.toFixed(0)} ms (${shaped.items?.shown} items), all spilled in ${totalMs.toFixed(0)} ms ` +
        `(${(mb / (totalMs / 1000)).toFixed(1)} MB/s incl. generating the body), heap +${(peakHeap / 2 ** 20).toFixed(1)} MB, ` +
        `rss +${(peakRss / 2 ** 20).toFixed(1)} MB, body ahead of disk <= ${(worstAhead / 2 ** 20).toFixed(1)} MB`,
    );
    assert.ok(firstMs < 1000, `first page after ${firstMs} ms`);
    assert.ok(peakHeap < 64 * 2 ** 20, `heap grew by ${peakHeap} bytes`);
    assert.ok(peakRss < 64 * 2 ** 20, `rss grew by ${peakRss} bytes`);
    assert.ok(worstAhead < 8 * 2 ** 20, `the body got ${worstAhead} bytes ahead of the disk`);
    const page = await store.read(shaped.cursor as string, 1_000_000, 1000);
    assert.deepEqual(JSON.parse(page.text)[0], JSON.parse(template(1_000_000)));
    await store.close();
  });

  it('works end to end on a loopback HTTP server with undici', async () => {
    const items = records(3000);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      const json = Buffer.from(JSON.stringify(items));
      let at = 0;
      const next = () => {
        while (at < json.length) {
          const ok = res.write(json.subarray(at, at + 16_384));
          at += 16_384;
          if (!ok) return void res.once('drain', next);
        }
        res.end();
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const store = newStore();
    try {
      const answer = await request(`http://127.0.0.1:${port}/items`);
      const response: UpstreamResponse = {
        status: answer.statusCode,
        headers: {},
        mediaType: 'application/json',
        url: `http://127.0.0.1:${port}/items`,
        body: answer.body as AsyncIterable<Buffer>,
        discard: async () => void answer.body.destroy(),
      };
      const shaped = await shapeResponse(response, { budgetBytes: 8000, source: 'GET /items', spill: store });
      await shaped.done;
      assert.deepEqual(await everything(shaped, store, 8000), items);
    } finally {
      await store.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function diskBytes(folder: string): number {
  let total = 0;
  for (const name of readdirSync(folder)) total += statSync(join(folder, name)).size;
  return total;
}
