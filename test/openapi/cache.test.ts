/**
 * SpecCache on disk (round trip, corrupt and mismatched entries, LRU trimming) and prepareCatalog
 * with a cache: warm starts, corrupt entries rebuilt and rewritten, changed specs never served stale.
 */
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { SpecCache } from '../../src/openapi/cache.js';
import { type PrepareOptions, prepareCatalog } from '../../src/openapi/prepare.js';
import type { Catalog } from '../../src/openapi/types.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cache-test-'));
  dirs.push(dir);
  return dir;
}

const entries = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.catalog.br'));

describe('SpecCache', () => {
  it('writes and reads back an entry, atomically, in the folder it is given', async () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const cache = new SpecCache({ dir });
    const value = { catalog: { name: 'x', list: [1, 2, 3], text: 'ü'.repeat(100) } };
    await cache.write('k1', value);
    assert.deepEqual(cache.read('k1'), { hit: true, value });
    assert.deepEqual(cache.read('k2'), { hit: false, reason: 'absent' });
    assert.deepEqual(entries(dir), ['k1.catalog.br']);
    // No temp file is left behind; the entry is compressed.
    assert.deepEqual(readdirSync(dir), ['k1.catalog.br']);
    assert.ok(statSync(cache.fileFor('k1')).size < JSON.stringify(value).length);
  });

  it('stores the entry as ASCII JSON and reads non-ASCII text back exactly', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    const value = { text: 'curly ’quotes’, ü, 日本, 😀, lone \ud800 end', ascii: 'plain', n: [1.5, -2] };
    await cache.write('k', value);
    const stored = brotliDecompressSync(readFileSync(cache.fileFor('k')));
    assert.ok(isAscii(stored), 'the stored JSON text is ASCII');
    assert.match(stored.toString('latin1'), /\\u2019quotes\\u2019/);
    assert.deepEqual(cache.read('k'), { hit: true, value });
    // An entry whose text is raw UTF-8 (as written before) still reads correctly.
    const entry = JSON.parse(stored.toString('latin1'));
    writeFileSync(cache.fileFor('k'), brotliCompressSync(Buffer.from(JSON.stringify(entry), 'utf8')));
    assert.equal(isAscii(brotliDecompressSync(readFileSync(cache.fileFor('k')))), false);
    assert.deepEqual(cache.read('k'), { hit: true, value });
  });

  it('keeps raw entries: a checked head line and the bytes as they were', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    const rest = Buffer.from('[{"name":"t\u00fc"}]\n{not json', 'utf8');
    await cache.writeRaw('r1', { title: 'T' }, rest);
    const read = cache.readRaw('r1');
    assert.ok(read.hit);
    assert.equal(read.value.head.title, 'T');
    assert.deepEqual(read.value.rest, rest);
    assert.deepEqual(cache.readRaw('r2'), { hit: false, reason: 'absent' });
    // An entry copied under another key is not trusted, nor is garbage.
    copyFileSync(join(dir, 'r1.raw'), join(dir, 'r3.raw'));
    assert.equal(cache.readRaw('r3').hit, false);
    writeFileSync(join(dir, 'r4.raw'), 'garbage');
    assert.deepEqual(cache.readRaw('r4').hit, false);
    // A truncated entry is noticed, although nothing is compressed.
    const whole = readFileSync(join(dir, 'r1.raw'));
    writeFileSync(join(dir, 'r1.raw'), whole.subarray(0, whole.length - 3));
    assert.equal(cache.readRaw('r1').hit, false);
  });

  it('defaults to $XDG_CACHE_HOME/headroom', () => {
    const cache = new SpecCache({ env: { XDG_CACHE_HOME: '/somewhere/cache' } });
    assert.equal(cache.dir, join('/somewhere/cache', 'headroom'));
  });

  it('keys on the spec hash, what shapes the catalog, and the version', () => {
    const key = SpecCache.key('a'.repeat(64), { catalog: { apiName: 'x' } }, '1.0.0');
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(key, SpecCache.key('a'.repeat(64), { catalog: { apiName: 'x' } }, '1.0.0'));
    assert.notEqual(key, SpecCache.key('b'.repeat(64), { catalog: { apiName: 'x' } }, '1.0.0'));
    assert.notEqual(key, SpecCache.key('a'.repeat(64), { catalog: { apiName: 'y' } }, '1.0.0'));
    assert.notEqual(key, SpecCache.key('a'.repeat(64), { catalog: { apiName: 'x' } }, '1.0.1'));
  });

  it('reports a truncated, empty or garbage entry as corrupt', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    await cache.write('good', { text: 'x'.repeat(5000), n: 1 });
    const bytes = readFileSync(cache.fileFor('good'));
    const cases: Array<[string, Buffer]> = [
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
      ['empty', Buffer.alloc(0)],
      ['garbage', Buffer.from('this is not brotli at all \u0000\u00ff\u00fe', 'latin1')],
      ['not-json', brotliCompressSync('{"format":1,"key":"not-json"')],
    ];
    for (const [key, content] of cases) {
      writeFileSync(cache.fileFor(key), content);
      const read = cache.read(key);
      assert.equal(read.hit, false, key);
      assert.equal(!read.hit && read.reason, 'corrupt', key);
      assert.ok(!read.hit && typeof read.detail === 'string' && read.detail.length > 0, key);
    }
  });

  it('reports an entry stored under another key, or in another format, as a mismatch', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    await cache.write('right', { n: 1 });
    copyFileSync(cache.fileFor('right'), cache.fileFor('wrong'));
    const read = cache.read('wrong');
    assert.equal(read.hit, false);
    assert.equal(!read.hit && read.reason, 'mismatch');
    assert.match((!read.hit && read.detail) || '', /entry for right/);
    writeFileSync(
      cache.fileFor('old'),
      brotliCompressSync(JSON.stringify({ format: 0, key: 'old', value: 1 })),
    );
    assert.equal((cache.read('old') as { reason: string }).reason, 'mismatch');
    writeFileSync(cache.fileFor('empty'), brotliCompressSync(JSON.stringify({ format: 1, key: 'empty' })));
    assert.equal((cache.read('empty') as { reason: string }).reason, 'mismatch');
    // The right entry is untouched.
    assert.deepEqual(cache.read('right'), { hit: true, value: { n: 1 } });
  });

  it('reports an entry that decompresses to JSON null as corrupt rather than throwing', {}, () => {
    const cache = new SpecCache({ dir: tempDir() });
    writeFileSync(cache.fileFor('null'), brotliCompressSync('null'));
    const read = cache.read('null');
    assert.equal(read.hit, false);
  });

  it('trims the least recently used entries past maxBytes', async () => {
    const dir = tempDir();
    // Incompressible values, so every entry has about the same size on disk.
    const value = (seed: number) => ({
      data: Array.from({ length: 300 }, (_, i) => ((i * 7919 + seed * 104729) % 1_000_003).toString(36)),
    });
    const unbounded = new SpecCache({ dir });
    await unbounded.write('a', value(1));
    await unbounded.write('b', value(2));
    const sizeA = statSync(unbounded.fileFor('a')).size;
    const sizeB = statSync(unbounded.fileFor('b')).size;
    const now = Date.now() / 1000;
    utimesSync(unbounded.fileFor('a'), now - 100, now - 100);
    utimesSync(unbounded.fileFor('b'), now - 50, now - 50);
    const bounded = new SpecCache({ dir, maxBytes: sizeA + sizeB + Math.floor(Math.min(sizeA, sizeB) / 2) });
    // Reading `a` makes it the most recently used, so `b` is the one to go when `c` arrives.
    assert.equal(bounded.read('a').hit, true);
    await bounded.write('c', value(3));
    assert.deepEqual(entries(dir).sort(), ['a.catalog.br', 'c.catalog.br']);
    assert.equal(bounded.read('b').hit, false);
    assert.equal(bounded.read('c').hit, true);

    // With room for one entry only, the newest stays.
    const tiny = new SpecCache({ dir, maxBytes: Math.max(sizeA, sizeB) + 100 });
    utimesSync(tiny.fileFor('a'), now - 100, now - 100);
    utimesSync(tiny.fileFor('c'), now - 90, now - 90);
    await tiny.write('d', value(4));
    assert.deepEqual(entries(dir), ['d.catalog.br']);
  });

  it('remembers a file hash for the file in its exact state only', () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir: join(dir, 'cache') });
    const file = join(dir, 'spec.json');
    writeFileSync(file, '{"openapi": "3.0.3"}');
    assert.equal(cache.knownHash(file), undefined);
    cache.rememberHash(file, 'f'.repeat(64));
    assert.equal(cache.knownHash(file), 'f'.repeat(64));
    writeFileSync(file, '{"openapi": "3.1.0"}');
    assert.equal(cache.knownHash(file), undefined);
    assert.equal(cache.knownHash(join(dir, 'missing.json')), undefined);
  });
});

/** Everything in a catalog that a client sees or a call needs, except the per-parameter schema copies. */
/** The catalog's fields as a plain object: a catalog built on first use has them as getters. */
function plain(catalog: Catalog): Catalog {
  const { api, operations, definitions, warnings } = catalog;
  return { api, operations, definitions, warnings };
}

function served(catalog: Catalog): unknown {
  return {
    ...plain(catalog),
    operations: catalog.operations.map(({ parameters, body, ...op }) => ({
      ...op,
      parameters: parameters.map(({ schema: _schema, ...p }) => p),
      body: body && { ...body, schema: undefined },
    })),
  };
}

describe('prepareCatalog with a cache', { concurrency: true }, () => {
  function options(cache: SpecCache, warnings: string[] = []): PrepareOptions {
    return { catalog: { apiName: 'pets' }, version: 'test', cache, warn: (m) => warnings.push(m) };
  }

  for (const name of ['petstore-2.0.json', 'petstore-3.0.yaml', 'petstore-3.1.yaml']) {
    it(`serves ${name} from the cache on the second run, with the same tools`, async () => {
      const dir = tempDir();
      const cache = new SpecCache({ dir });
      const file = join(FIXTURES, name);
      const warnings: string[] = [];
      const first = await prepareCatalog(file, options(cache, warnings));
      assert.equal(first.fromCache, false);
      assert.ok(first.cacheWrite, 'a cache write is scheduled');
      await first.cacheWrite;
      assert.equal(entries(dir).length, 1);
      const second = await prepareCatalog(file, options(cache, warnings));
      assert.equal(second.fromCache, true);
      assert.equal(second.cacheWrite, undefined);
      assert.equal(second.specBytes, first.specBytes);
      assert.deepEqual(warnings, []);
      assert.deepEqual(served(second.catalog), served(first.catalog));
      // The search index comes back from the cache too, with the same answers.
      for (const query of ['find pets', 'delete', 'user login'])
        assert.deepEqual(second.index.search(query), first.index.search(query), query);
    });
  }

  it('finds a copy of a stored spec by its content, and hashes a spec of a new size only later', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    const file = join(FIXTURES, 'petstore-3.0.yaml');
    const first = await prepareCatalog(file, options(cache));
    // No spec of this size was ever stored: nothing to look up, and the hash waits for the write.
    assert.equal('cache' in first.timings, false, JSON.stringify(first.timings));
    await first.cacheWrite;
    // The same bytes elsewhere: an unknown file state, but a size seen before, so hashed and found.
    const copy = join(dir, 'copy.yaml');
    copyFileSync(file, copy);
    const second = await prepareCatalog(copy, options(cache));
    assert.equal(second.fromCache, true);
    assert.deepEqual(served(second.catalog), served(first.catalog));
    // The same size but other bytes: hashed, not found, prepared and stored.
    const text = readFileSync(file, 'utf8');
    const other = join(dir, 'other.yaml');
    writeFileSync(other, text.replace('Swagger Petstore', 'Swagger Petstorf'));
    const third = await prepareCatalog(other, options(cache));
    assert.equal(third.fromCache, false);
    assert.equal(third.catalog.api.title, first.catalog.api.title.replace('Petstore', 'Petstorf'));
    await third.cacheWrite;
    assert.equal((await prepareCatalog(other, options(cache))).fromCache, true);
  });

  it('restores exactly the catalog it stored (parameter and body schemas included)', {}, async () => {
    const cache = new SpecCache({ dir: tempDir() });
    const file = join(FIXTURES, 'petstore-3.0.yaml');
    const first = await prepareCatalog(file, options(cache));
    await first.cacheWrite;
    const second = await prepareCatalog(file, options(cache));
    assert.equal(second.fromCache, true);
    assert.deepEqual(plain(second.catalog), plain(first.catalog));
  });

  it('warns about a corrupt entry, rebuilds the catalog, and rewrites the entry', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir });
    const file = join(FIXTURES, 'petstore-3.1.yaml');
    const first = await prepareCatalog(file, options(cache));
    await first.cacheWrite;
    const [entry] = entries(dir);
    assert.ok(entry);
    writeFileSync(join(dir, entry), Buffer.from('definitely not a brotli stream'));

    const warnings: string[] = [];
    const rebuilt = await prepareCatalog(file, options(cache, warnings));
    assert.equal(rebuilt.fromCache, false);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /cache entry for .*petstore-3\.1\.yaml is corrupt \(.+\); rebuilding it/);
    assert.deepEqual(
      rebuilt.catalog.operations.map((o) => o.name),
      first.catalog.operations.map((o) => o.name),
    );
    await rebuilt.cacheWrite;
    assert.deepEqual(entries(dir), [entry]);
    const third = await prepareCatalog(file, options(cache, warnings));
    assert.equal(third.fromCache, true);
    assert.equal(warnings.length, 1);
  });

  it('never serves a changed spec from the cache, and keys on the catalog options', async () => {
    const dir = tempDir();
    const cache = new SpecCache({ dir: join(dir, 'cache') });
    const file = join(dir, 'api.yaml');
    const spec = (operationId: string) =>
      `openapi: 3.0.3\ninfo: {title: Changing, version: "1"}\npaths:\n  /a:\n    get:\n      operationId: ${operationId}\n      responses: {"200": {description: ok}}\n`;
    writeFileSync(file, spec('before'));
    const first = await prepareCatalog(file, options(cache));
    await first.cacheWrite;
    writeFileSync(file, spec('after'));
    const changed = await prepareCatalog(file, options(cache));
    assert.equal(changed.fromCache, false);
    assert.deepEqual(
      changed.catalog.operations.map((o) => o.name),
      ['after'],
    );
    const prefixed = await prepareCatalog(file, {
      ...options(cache),
      catalog: { apiName: 'pets', prefix: true },
    });
    assert.equal(prefixed.fromCache, false);
    assert.deepEqual(
      prefixed.catalog.operations.map((o) => o.name),
      ['pets__after'],
    );
    await Promise.all([changed.cacheWrite, prefixed.cacheWrite]);
    assert.equal(existsSync(cache.dir), true);
    assert.equal(entries(cache.dir).length, 3);
  });
});
