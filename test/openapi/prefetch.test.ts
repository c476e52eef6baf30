/**
 * Specs read before the CLI runs (src/openapi/prefetch.ts): which files the loader guesses, and that
 * a read is used only for the file it read, unchanged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { catalogCacheDir } from '../../src/cli/code-cache.js';
import { defaultConfig } from '../../src/config/schema.js';
import { Logger } from '../../src/log/logger.js';
import { apiSources, prepareApis } from '../../src/mcp/openapi-server.js';
import { SpecCache } from '../../src/openapi/cache.js';
import { PREFETCH_MIN_BYTES, prefetchSpecs } from '../../src/openapi/prefetch.js';
import { readSource } from '../../src/openapi/source.js';
import { JsonScan } from '../../src/wasm/json-scan.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-prefetch-'));
after(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;
/** A folder with a large JSON spec, a small one and a cache folder. */
function folder(): { dir: string; large: string; small: string; cache: string; text: string } {
  const dir = join(root, `case-${++cases}`);
  mkdirSync(dir);
  const text = JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Large', version: '1' },
    paths: { '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } },
    'x-padding': 'p'.repeat(PREFETCH_MIN_BYTES),
  });
  writeFileSync(join(dir, 'large.json'), text);
  writeFileSync(
    join(dir, 'small.json'),
    '{"openapi":"3.0.3","info":{"title":"Small","version":"1"},"paths":{}}',
  );
  return {
    dir,
    large: join(dir, 'large.json'),
    small: join(dir, 'small.json'),
    cache: join(dir, 'cache'),
    text,
  };
}

const bigStat = (file: string) => statSync(file, { bigint: true });

/** What the executable's loader starts (src/cli/boot.ts), the cache folder as flags and environment set it. */
const guess = (argv: string[], env: Record<string, string>, cwd: string) =>
  prefetchSpecs(argv, cwd, catalogCacheDir(argv, env, cwd));

describe('reading specs before the CLI runs', () => {
  it('starts for the large files named after `openapi`, not for options, small files or other commands', () => {
    const { dir, large, cache } = folder();
    const env = { HEADROOM_OPENAPI_CACHE_DIR: cache };
    const started = guess(
      ['openapi', 'large.json', 'small.json', 'missing.json', '--tools', 'all', '--cache-dir', cache],
      env,
      dir,
    );
    assert.equal(started.size, 1);
    assert.ok(started.take(large, bigStat(large)));
    assert.equal(guess(['cloudwan', 'large.json'], env, dir).size, 0);
    assert.equal(guess(['openapi', '--', 'large.json'], env, dir).size, 0);
    assert.equal(guess(['openapi', dir], env, dir).size, 0, 'a folder is not read');
  });

  it('leaves a spec alone whose catalog cache has a stamp for it (a warm start), unless --no-cache', () => {
    const { dir, large, cache } = folder();
    new SpecCache({ dir: cache }).rememberHash(large, 'a'.repeat(64));
    assert.equal(guess(['openapi', large, '--cache-dir', cache], {}, dir).size, 0);
    assert.equal(guess(['openapi', large], { HEADROOM_OPENAPI_CACHE_DIR: cache }, dir).size, 0);
    assert.equal(guess(['openapi', large, '--cache-dir', cache, '--no-cache'], {}, dir).size, 1);
    assert.equal(guess(['openapi', large, '--cache-dir', join(dir, 'other')], {}, dir).size, 1);
  });

  it('hands over the bytes, in the memory the sparse parse scans, to the read of the same file', async () => {
    const { dir, large, text } = folder();
    const prefetched = guess(['openapi', large, '--no-cache'], {}, dir);
    let scan: JsonScan | undefined;
    let memoryGiven: WebAssembly.Memory | undefined;
    const read = await readSource(large, {
      prefetched,
      allocate: (size, memory) => {
        memoryGiven = memory;
        scan = JsonScan.empty(size, memory);
        return scan?.bytes ?? Buffer.alloc(size);
      },
    });
    assert.ok(memoryGiven, 'the prefetched memory was offered');
    assert.equal(read.bytes.buffer, memoryGiven.buffer);
    assert.equal(Buffer.from(read.bytes).toString('utf8'), text);
    assert.ok(scan?.isJson(0, read.bytes.length));
    assert.equal(prefetched.take(large, bigStat(large)), undefined, 'taken once');
  });

  it('is not used for a file changed after it was read, which is read again', async () => {
    const { dir, large } = folder();
    const prefetched = guess(['openapi', large, '--no-cache'], {}, dir);
    const changed = JSON.stringify({ openapi: '3.1.0', info: { title: 'Changed', version: '2' }, paths: {} });
    writeFileSync(large, changed);
    const read = await readSource(large, { prefetched });
    assert.equal(Buffer.from(read.bytes).toString('utf8'), changed);

    // The same length, written again: its modification time tells.
    const again = folder();
    const second = guess(['openapi', again.large, '--no-cache'], {}, again.dir);
    writeFileSync(again.large, again.text.toUpperCase());
    utimesSync(again.large, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(second.take(again.large, bigStat(again.large)), undefined);
  });

  it('is what a server prepares its API from, and is released once the APIs are prepared', async () => {
    const { dir, large, small } = folder();
    const prefetched = guess(['openapi', large, small, '--no-cache'], {}, dir);
    const taken: string[] = [];
    const take = prefetched.take.bind(prefetched);
    prefetched.take = (file, stat) => {
      const read = take(file, stat);
      if (read) taken.push(file);
      return read;
    };
    const config = defaultConfig();
    config.openapi.cache = false;
    const logger = new Logger({ level: 'error', stream: { write: () => true } });
    const options = { config, specs: [large], logger, version: 'test', cwd: dir, prefetched };
    const [api] = await prepareApis(options, apiSources(config, [large]));
    assert.equal(api?.catalog.api.title, 'Large');
    assert.deepEqual(taken, [large]);
    assert.equal(prefetched.size, 0);
  });

  it('drops what no read took once released', () => {
    const { dir, large } = folder();
    const prefetched = guess(['openapi', large, '--no-cache'], {}, dir);
    prefetched.release();
    assert.equal(prefetched.size, 0);
    assert.equal(prefetched.take(large, bigStat(large)), undefined);
  });
});
