import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AbortedError, CursorError, SpillFullError, ToolArgumentError } from '../../src/errors.js';
import { JsonArrayScanner } from '../../src/memory/json-array-scanner.js';
import { type SpillPage, SpillStore, type SpillWriter } from '../../src/openapi/spill.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-spill-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
function store(options: Partial<ConstructorParameters<typeof SpillStore>[0]> = {}): SpillStore {
  return new SpillStore({ dir: join(root, `s${++folders}`), ...options });
}

async function writeItems(writer: SpillWriter, items: unknown[]): Promise<void> {
  for (const item of items) {
    const pending = writer.writeItem(JSON.stringify(item));
    if (pending) await pending;
  }
}

/** Every page from `offset` to the end, each checked against the budget. */
async function readAll(
  spill: SpillStore,
  cursor: string,
  offset: number,
  budget: number,
): Promise<SpillPage[]> {
  const pages: SpillPage[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await spill.read(cursor, offset, budget, { waitMs: 2000 });
    pages.push(page);
    if (page.nextOffset === undefined) return pages;
    assert.ok(page.nextOffset > offset || !page.complete, 'pages advance');
    offset = page.nextOffset;
  }
  assert.fail('too many pages');
}

const records = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => ({ id: from + k, name: `record ${from + k}`, note: 'é ✓ "q" \\ end' }));

describe('SpillStore: items', () => {
  it('pages through every item exactly once, in order, each page within the budget', async () => {
    const spill = store();
    const items = records(3000, 40);
    const writer = spill.create({
      kind: 'items',
      mediaType: 'application/json',
      source: 'GET /r',
      firstIndex: 40,
    });
    await writeItems(writer, items);
    await writer.finish();
    const pages = await readAll(spill, writer.cursor, 40, 2000);
    const seen = pages.flatMap((page) => {
      assert.ok(Buffer.byteLength(page.text) <= 2000, `page of ${Buffer.byteLength(page.text)} bytes`);
      assert.equal(page.complete, true);
      assert.equal(page.total, 3040);
      return JSON.parse(page.text) as unknown[];
    });
    assert.deepEqual(seen, items);
    await spill.close();
  });

  it('reads any offset through the sparse index: around checkpoints and at the end', async () => {
    const spill = store();
    const items = records(1000);
    const writer = itemsWriter(spill);
    await writeItems(writer, items);
    await writer.finish();
    for (const offset of [0, 1, 255, 256, 257, 511, 512, 700, 999]) {
      const page = await spill.read(writer.cursor, offset, 400);
      const got = JSON.parse(page.text) as Array<{ id: number }>;
      assert.ok(got.length >= 1, `offset ${offset}`);
      assert.deepEqual(got, items.slice(offset, offset + got.length));
      assert.equal(page.nextOffset, offset + got.length === 1000 ? undefined : offset + got.length);
    }
    const past = await spill.read(writer.cursor, 5000, 400);
    assert.deepEqual(past, { text: '[]', offset: 5000, complete: true, total: 1000 });
    await spill.close();
  });

  it('turns line breaks inside items into spaces, so every item stays one line', async () => {
    const spill = store();
    const writer = itemsWriter(spill);
    const pretty = [{ a: 1, b: [1, 2] }, 'x', { c: { d: null } }];
    for (const item of pretty)
      await writer.writeItem(Buffer.from(JSON.stringify(item, null, 2).replace(/\n/g, '\r\n')));
    await writer.writeItem('{\n"e": 2}');
    await writer.finish();
    const page = await spill.read(writer.cursor, 0, 1000);
    assert.deepEqual(JSON.parse(page.text), [...pretty, { e: 2 }]);
    const file = join(spill.folder, readdirSync(spill.folder)[0] as string);
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 5); // four lines and the final newline
    await spill.close();
  });

  it('fits an item larger than the page with fitJson and moves on', async () => {
    const spill = store();
    const writer = itemsWriter(spill);
    await writeItems(writer, [{ big: 'x'.repeat(5000), list: records(100) }, { small: 1 }]);
    // An item larger than a write buffer goes to the file on its own.
    await writeItems(writer, [{ huge: 'y'.repeat(3 * 1024 * 1024) }, { small: 2 }]);
    await writer.finish();
    const first = await spill.read(writer.cursor, 0, 1000);
    assert.ok(Buffer.byteLength(first.text) <= 1000);
    assert.equal(first.nextOffset, 1);
    assert.match(first.notes?.[0] ?? '', /item 0 alone is larger than the page/);
    assert.match(first.text, /cut/);
    assert.deepEqual(JSON.parse((await spill.read(writer.cursor, 1, 1000)).text), [{ small: 1 }]);
    const huge = await spill.read(writer.cursor, 2, 1000);
    assert.equal(huge.nextOffset, 3);
    assert.deepEqual(JSON.parse((await spill.read(writer.cursor, 3, 1000)).text), [{ small: 2 }]);
    await spill.close();
  });

  it('skips an item that is not valid JSON and says so', async () => {
    const spill = store();
    const writer = itemsWriter(spill);
    for (const line of ['1', '{"a": tru}', '3']) await writer.writeItem(Buffer.from(line));
    await writer.finish();
    const page = await spill.read(writer.cursor, 0, 1000);
    assert.equal(page.text, '[1]');
    assert.equal(page.nextOffset, 2);
    assert.match(page.error ?? '', /item 1 is not valid JSON/);
    assert.equal((await spill.read(writer.cursor, 2, 1000)).text, '[3]');
    await spill.close();
  });

  it('refuses offsets before the entry and says they were in the first answer', async () => {
    const spill = store();
    const writer = spill.create({
      kind: 'items',
      mediaType: 'application/json',
      source: 'GET /pets',
      firstIndex: 42,
    });
    await writer.finish();
    await assert.rejects(spill.read(writer.cursor, 3, 1000), (error: unknown) => {
      assert.ok(error instanceof ToolArgumentError);
      assert.match(error.message, /items 0-41 were in the first answer of GET \/pets. Read from offset 42/);
      return true;
    });
    await assert.rejects(spill.read(writer.cursor, -1, 1000), ToolArgumentError);
    await spill.close();
  });
});

describe('SpillStore: text and binary', () => {
  it('cuts text pages at character boundaries; the pages add up to the text', async () => {
    const spill = store();
    const text = 'aé✓😀'.repeat(2000);
    const bytes = Buffer.from(text);
    const writer = spill.create({ kind: 'text', mediaType: 'text/plain', source: 'GET /t', firstIndex: 100 });
    for (let i = 0; i < bytes.length; i += 777) await writer.write(bytes.subarray(i, i + 777));
    await writer.finish();
    const pages = await readAll(spill, writer.cursor, 100, 999);
    for (const page of pages) {
      assert.ok(Buffer.byteLength(page.text) <= 999);
      assert.ok(!page.text.includes('\ufffd'), 'no broken characters');
    }
    assert.equal(pages.map((page) => page.text).join(''), text);
    assert.equal(pages.at(-1)?.total, 100 + bytes.length);
    await spill.close();
  });

  it('returns binary as base64 pages of 3/4 of the budget', async () => {
    const spill = store();
    const bytes = Buffer.alloc(50_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const writer = spill.create({
      kind: 'binary',
      mediaType: 'application/pdf',
      source: 'GET /b',
      firstIndex: 0,
    });
    await writer.write(bytes);
    await writer.finish();
    const pages = await readAll(spill, writer.cursor, 0, 4000);
    assert.equal(pages.length, Math.ceil(50_000 / 3000));
    for (const page of pages) assert.ok(page.text.length <= 4000);
    assert.deepEqual(Buffer.concat(pages.map((page) => Buffer.from(page.text, 'base64'))), bytes);
    await spill.close();
  });
});

describe('SpillStore: limits and lifetime', () => {
  it('stops a writer past the disk budget with SpillFullError; the page says where and why', async () => {
    const spill = store({ maxBytes: 10_000 });
    const writer = spill.create({
      kind: 'items',
      mediaType: 'application/json',
      source: 'GET /r',
      firstIndex: 5,
    });
    const items = records(1000);
    let written = 0;
    await assert.rejects(
      (async () => {
        for (const item of items) {
          await writer.writeItem(JSON.stringify(item));
          written++;
        }
      })(),
      SpillFullError,
    );
    await writer.finish();
    assert.ok(written > 50 && written < 1000, `${written} items written`);
    const pages = await readAll(spill, writer.cursor, 5, 3000);
    const kept = pages.flatMap((page) => JSON.parse(page.text) as unknown[]);
    assert.deepEqual(kept, items.slice(0, written));
    const last = pages.at(-1) as SpillPage;
    assert.equal(last.complete, true);
    assert.match(
      last.error ?? '',
      new RegExp(
        `cut at item ${5 + written} because the spill store's disk budget \\(9.77 KiB, --max-spill-size\\)`,
      ),
    );
    assert.ok(spill.stats().bytes <= 10_000);
    await spill.close();
  });

  it('evicts finished entries, oldest first, to make room; their cursors then say so', async () => {
    let now = 1000;
    const spill = store({ maxBytes: 30_000, now: () => now });
    const cursors: string[] = [];
    for (let k = 0; k < 3; k++) {
      const writer = textWriter(spill);
      await writer.write(Buffer.alloc(9000, 0x61 + k));
      await writer.finish();
      cursors.push(writer.cursor);
      now += 10;
    }
    const writer = textWriter(spill);
    await writer.write(Buffer.alloc(9000, 0x64));
    await writer.finish();
    await assert.rejects(
      spill.read(cursors[0] as string, 0, 100),
      /dropped to make room for newer responses/,
    );
    assert.equal((await spill.read(cursors[1] as string, 0, 100)).text, 'b'.repeat(100));
    assert.deepEqual(
      { entries: spill.stats().entries, bytes: spill.stats().bytes },
      { entries: 3, bytes: 27_000 },
    );
    await spill.close();
  });

  it('expires entries a TTL after they finished (injected clock); the cursor error says to repeat the call', async () => {
    let now = 0;
    const spill = store({ ttlMs: 60_000, now: () => now });
    const writer = itemsWriter(spill);
    await writeItems(writer, [1, 2, 3]);
    now = 50_000; // the TTL counts from the end, not the start
    await writer.finish();
    now = 100_000;
    assert.equal((await spill.read(writer.cursor, 0, 100)).text, '[1,2,3]');
    now = 110_001;
    await assert.rejects(spill.read(writer.cursor, 0, 100), (error: unknown) => {
      assert.ok(error instanceof CursorError);
      assert.match(
        error.message,
        /expired: results are kept for 1 minute after they finish. Repeat the original call/,
      );
      return true;
    });
    assert.equal(spill.stats().entries, 0);
    await assert.rejects(spill.read('AAAAAAAAAAAAAAAAAAAAAA', 0, 100), /this cursor is unknown/);
    await assert.rejects(spill.read('nope', 0, 100), /'nope' is not a cursor this server issued/);
    await spill.close();
  });

  it('sweep() drops expired entries and their files', async () => {
    let now = 0;
    const spill = store({ ttlMs: 1000, now: () => now });
    const writer = textWriter(spill);
    await writer.write(Buffer.from('hello'));
    await writer.finish();
    assert.equal(readdirSync(spill.folder).length, 1);
    now = 5000;
    spill.sweep();
    assert.deepEqual(spill.stats(), { entries: 0, bytes: 0, maxBytes: spill.maxBytes, active: 0 });
    for (let k = 0; k < 50 && readdirSync(spill.folder).length > 0; k++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(readdirSync(spill.folder).length, 0);
    await spill.close();
  });

  it('removes folders of processes that are gone and older than the TTL, and keeps the others', async () => {
    const dir = join(root, 'abandoned');
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const old = new Date(Date.now() - 2 * 3600_000);
    const goneOld = join(dir, `${dead}-aaaa`);
    const goneNew = join(dir, `${dead}-bbbb`);
    const running = join(dir, `${process.ppid}-cccc`);
    for (const folder of [goneOld, goneNew, running]) mkdirSync(folder, { recursive: true });
    utimesSync(goneOld, old, old);
    utimesSync(running, old, old);
    const spill = new SpillStore({ dir });
    assert.equal(existsSync(goneOld), false);
    assert.equal(existsSync(goneNew), true);
    assert.equal(existsSync(running), true);
    await spill.close();
    await spill.close();
    assert.equal(existsSync(spill.folder), false);
  });

  it('validates its options', () => {
    assert.throws(() => new SpillStore({ dir: '' }), /dir must name a folder/);
    assert.throws(() => store({ maxBytes: 0 }), /maxBytes must be a positive number, got 0/);
    assert.throws(() => store({ ttlMs: Number.NaN }), /ttlMs/);
  });

  it('refuses new entries once closed', async () => {
    const spill = store();
    const writer = textWriter(spill);
    await spill.close();
    assert.throws(() => textWriter(spill), AbortedError);
    assert.throws(() => writer.write(Buffer.from('x')), AbortedError);
    await writer.finish();
  });
});

describe('SpillStore: readers and writers at the same time', () => {
  it('a reader past the written end waits for more, and returns what there is at the timeout', async () => {
    const spill = store();
    const writer = itemsWriter(spill);
    await writeItems(writer, [0, 1]);
    // Still in the writer's buffer: the waiting reader has it flushed.
    const early = await spill.read(writer.cursor, 0, 1000, { waitMs: 100 });
    assert.equal(early.text, '[0,1]');
    assert.equal(early.complete, false);
    assert.equal(early.nextOffset, 2);
    const waiting = spill.read(writer.cursor, 2, 1000, { waitMs: 5000 });
    setTimeout(() => void writeItems(writer, [2, 3]).then(() => writer.finish()), 50);
    const started = Date.now();
    const page = await waiting;
    assert.ok(Date.now() - started < 4000);
    assert.equal(page.text, '[2,3]');
    assert.equal(page.complete, true);
    assert.equal(page.nextOffset, undefined);

    const idle = itemsWriter(spill);
    const timedOut = await spill.read(idle.cursor, 0, 1000, { waitMs: 50 });
    assert.deepEqual(timedOut, { text: '[]', offset: 0, complete: false, nextOffset: 0 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(spill.read(idle.cursor, 0, 1000, { signal: controller.signal }), AbortedError);
    await idle.finish();
    await spill.close();
  });

  it('paces a fast writer by the disk: what is accepted but not on disk stays within two buffers', async () => {
    const spill = store();
    const writer = itemsWriter(spill);
    const line = Buffer.from(JSON.stringify({ pad: 'z'.repeat(900) }));
    let worst = 0;
    let awaited = 0;
    for (let k = 0; k < 60_000; k++) {
      const pending = writer.writeItem(line);
      if (pending) {
        awaited++;
        await pending;
      }
      if (k % 1000 === 0) worst = Math.max(worst, spill.stats().bytes - (await diskBytes(spill.folder)));
    }
    await writer.finish();
    assert.ok(awaited > 20, `the writer made the producer wait ${awaited} times`);
    assert.ok(worst <= 2 * 1024 * 1024 + 1000, `at most ${worst} bytes were held in memory`);
    await spill.close();
  });
});

async function diskBytes(folder: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  let total = 0;
  for (const name of readdirSync(folder)) total += (await stat(join(folder, name))).size;
  return total;
}

/** Writes `chunks` of a JSON array as shape-array does in raw mode: carried items one by one, the rest as ranges. */
async function writeRaw(writer: SpillWriter, chunks: Buffer[], oneByOne = 0): Promise<void> {
  const scanner = new JsonArrayScanner([], { maxItemBytes: 8 * 1024 * 1024, maxDepth: 64 }, 'raw');
  let single = oneByOne;
  for (const chunk of chunks) {
    const { carried, starts, ends, count } = scanner.pushRaw(chunk);
    if (carried) await writer.writeItem(carried);
    // Like the first page: some items of a chunk go alone, the others as a batch from there.
    let k = 0;
    for (; k < count && single > 0; k++, single--) await writer.writeItem(chunk.subarray(starts[k], ends[k]));
    await writer.writeItems(chunk, starts, ends, k, count);
  }
  scanner.end();
}

/** The spill file of a store that holds one entry. */
function spillFile(spill: SpillStore): Buffer {
  return readFileSync(join(spill.folder, readdirSync(spill.folder)[0] as string));
}

function itemsWriter(spill: SpillStore): SpillWriter {
  return spill.create({ kind: 'items', mediaType: 'application/json', source: 'GET /r', firstIndex: 0 });
}

function textWriter(spill: SpillStore): SpillWriter {
  return spill.create({ kind: 'text', mediaType: 'text/plain', source: 'GET /t', firstIndex: 0 });
}

describe('SpillWriter.writeItems', () => {
  it('writes the same file as writeItem, whichever byte the chunks split at (pretty-printed, CRLF)', async () => {
    const values = [{ a: 'x,]}"\\', b: [1, { c: null }] }, 'é😀\n', 12.5e3, [], {}, true, null, 'q'];
    const texts = values.map((value) => JSON.stringify(value, null, 2).replace(/\n/g, '\r\n'));
    const bytes = Buffer.from(`\r\n[\r\n  ${texts.join(' ,\r\n  ')}\r\n]\r\n`);
    const reference = store();
    const one = itemsWriter(reference);
    for (const text of texts) await one.writeItem(Buffer.from(text));
    await one.finish();
    const expected = spillFile(reference);
    assert.equal(expected.toString().split('\n').length, texts.length + 1);
    assert.deepEqual(
      expected
        .toString()
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line)),
      values,
    );
    await reference.close();
    for (let split = 0; split <= bytes.length; split++) {
      for (const oneByOne of [0, 2]) {
        const spill = store();
        const writer = itemsWriter(spill);
        await writeRaw(writer, [bytes.subarray(0, split), bytes.subarray(split)], oneByOne);
        await writer.finish();
        assert.deepEqual(spillFile(spill), expected, `split at ${split}, ${oneByOne} alone`);
        await spill.close();
      }
    }
  });

  it('writes the same file and sparse index across buffer flushes and items larger than a buffer', async () => {
    const huge = JSON.stringify({ huge: 'h'.repeat(1300 * 1024), nl: 'a\nb' }, null, 1);
    const values = Array.from({ length: 12_000 }, (_, k) =>
      k === 3001 ? JSON.parse(huge) : { id: k, pad: 'p'.repeat(k % 500), s: 'x\r\ny' },
    );
    const texts = values.map((value, k) =>
      k % 3 === 0 ? JSON.stringify(value, null, 1) : JSON.stringify(value),
    );
    const bytes = Buffer.from(`[${texts.join(',')}]`);
    const reference = store();
    const one = itemsWriter(reference);
    for (const text of texts) {
      const pending = one.writeItem(Buffer.from(text));
      if (pending) await pending;
    }
    await one.finish();
    const spill = store();
    const writer = itemsWriter(spill);
    // Chunks of 4 MiB: the first one's batch holds more than a buffer, the huge item included whole.
    const size = 4 * 1024 * 1024;
    assert.ok(bytes.length > size && bytes.indexOf('"nl"') < size);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    await writeRaw(writer, chunks);
    await writer.finish();
    assert.ok(spillFile(spill).equals(spillFile(reference)), 'the same bytes');
    // Reads start at the sparse index's checkpoints: the same pages mean the same index.
    for (const offset of [0, 255, 256, 2999, 3001, 3002, 5888, 11_999]) {
      const a = await reference.read(one.cursor, offset, 30_000);
      const b = await spill.read(writer.cursor, offset, 30_000);
      assert.deepEqual({ ...b, text: b.text.length }, { ...a, text: a.text.length }, `offset ${offset}`);
      assert.equal(b.text, a.text);
    }
    await reference.close();
    await spill.close();
  });

  it('stops at the same item as writeItem when the disk budget runs out inside a batch', async () => {
    const texts = Array.from({ length: 500 }, (_, k) => JSON.stringify({ id: k, pad: 'p'.repeat(50) }));
    const bytes = Buffer.from(`[${texts.join(', ')}]`);
    const results: Array<{ file: Buffer; error: unknown; page: SpillPage }> = [];
    for (const batch of [false, true]) {
      const spill = store({ maxBytes: 20_000 });
      const writer = itemsWriter(spill);
      let error: unknown;
      try {
        if (batch) await writeRaw(writer, [bytes.subarray(0, 9000), bytes.subarray(9000)]);
        else for (const text of texts) await writer.writeItem(Buffer.from(text));
      } catch (caught) {
        error = caught;
        await writer.fail(caught as Error);
      }
      const page = await spill.read(writer.cursor, 0, 100_000);
      results.push({ file: spillFile(spill), error, page });
      await spill.close();
    }
    const [one, many] = results as [(typeof results)[0], (typeof results)[0]];
    assert.ok(one.error instanceof SpillFullError);
    assert.ok(many.error instanceof SpillFullError);
    assert.equal((many.error as Error).message, (one.error as Error).message);
    assert.match(one.page.error as string, /cut at item \d+ because the spill store's disk budget/);
    assert.deepEqual(many.page, one.page);
    assert.ok(many.file.equals(one.file));
  });
});
