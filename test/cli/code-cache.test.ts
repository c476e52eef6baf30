/**
 * The built executable's V8 code cache (src/cli/boot.ts, src/cli/code-cache.ts): the bundle is
 * built into a temporary folder and run as a real process, with the cache in another one.
 */
import assert from 'node:assert/strict';
import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheDigest } from '../../src/cli/code-cache.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'headroom-code-cache-'));
const CLI = join(temp, 'dist', 'cli.cjs');
const PETSTORE = join(ROOT, 'examples', 'petstore.yaml');

const MESSAGES = [
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
  },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
]
  .map((message) => `${JSON.stringify(message)}\n`)
  .join('');

let folders = 0;
function folder(): string {
  const dir = join(temp, `case-${++folders}`);
  mkdirSync(dir);
  return dir;
}

function headroom(args: string[], env: Record<string, string>, input = ''): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('HEADROOM_') && name !== 'XDG_CACHE_HOME',
    ),
  );
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: temp,
    env: { ...clean, ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function help(xdg: string, ...extra: string[]): SpawnSyncReturns<string> {
  const result = headroom(['--help', '--log-level', 'debug', ...extra], { XDG_CACHE_HOME: xdg });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Usage: headroom <command> \[options\]/);
  return result;
}

function cacheFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.v8cache'))
    .map((name) => join(dir, name));
}

function onlyCacheFile(dir: string): string {
  const files = cacheFiles(dir);
  assert.equal(files.length, 1, `one cache file in ${dir}, found ${files.join(', ')}`);
  return files[0] as string;
}

before(() => {
  // The bundle finds package.json and its external dependency from its folder, as in a package.
  symlinkSync(join(ROOT, 'node_modules'), join(temp, 'node_modules'));
  writeFileSync(join(temp, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  execFileSync(process.execPath, ['scripts/bundle.mjs', join(temp, 'dist')], { cwd: ROOT, timeout: 120_000 });
});

after(() => rmSync(temp, { recursive: true, force: true }));

describe('the code cache of the built executable', () => {
  it('is written by a first start, private to the user, and used by the next', () => {
    const xdg = folder();
    const first = help(xdg);
    assert.match(first.stderr, /DEBUG code cache: absent/);
    const file = onlyCacheFile(join(xdg, 'headroom', 'code'));
    assert.match(first.stderr, new RegExp(`DEBUG code cache: written ${file} \\(\\d+ bytes\\)`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(statSync(file).size > 100_000, 'holds compiled code, not only a header');

    const second = help(xdg);
    assert.match(second.stderr, /DEBUG code cache: used /);
    assert.doesNotMatch(second.stderr, /written/);
  });

  it('serves MCP over stdio from the cached bundle, in the folder that --cache-dir names', () => {
    const cacheDir = folder();
    const args = ['openapi', PETSTORE, '--cache-dir', cacheDir, '--log-level', 'debug'];
    for (const expected of ['absent', 'used']) {
      const result = headroom(args, {}, MESSAGES);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`code cache: ${expected}`));
      const replies = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.equal(replies.length, 2, result.stdout);
      const names: string[] = replies[1].result.tools.map((tool: { name: string }) => tool.name);
      for (const operation of ['findPets', 'addPet', 'deletePet'])
        assert.ok(names.includes(operation), `${operation} in ${names.join(', ')}`);
    }
    onlyCacheFile(join(cacheDir, 'code'));
  });

  it('rejects a corrupted file, starts anyway and rewrites it', () => {
    const xdg = folder();
    help(xdg);
    const file = onlyCacheFile(join(xdg, 'headroom', 'code'));
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad.fill(0x41, 1000, 2000);
    writeFileSync(file, bad, { mode: 0o600 });

    const result = help(xdg);
    assert.match(result.stderr, /code cache: rejected \(checksum mismatch\)/);
    assert.match(result.stderr, /code cache: written/);
    assert.notDeepEqual(readFileSync(file), bad);
    assert.match(help(xdg).stderr, /code cache: used/);
  });

  it('falls back to compiling when V8 rejects the data, and rewrites it', () => {
    const xdg = folder();
    help(xdg);
    const file = onlyCacheFile(join(xdg, 'headroom', 'code'));
    // A valid checksum over data V8 does not accept (as from another V8 with the same file name).
    const data = Buffer.alloc(4096, 7);
    writeFileSync(file, Buffer.concat([cacheDigest(data), data]), { mode: 0o600 });

    const result = help(xdg);
    assert.match(result.stderr, /code cache: rejected by V8/);
    assert.match(result.stderr, /code cache: written/);
    assert.match(help(xdg).stderr, /code cache: used/);
  });

  it('does not read a file that others can write', () => {
    const xdg = folder();
    help(xdg);
    const file = onlyCacheFile(join(xdg, 'headroom', 'code'));
    chmodSync(file, 0o666);
    const result = help(xdg);
    assert.match(result.stderr, /code cache: rejected \(writable by others \(mode 666\)\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'replaced by a private file');
  });

  it('starts normally and quietly when the folder cannot be written', () => {
    const xdg = join(folder(), 'a-file');
    writeFileSync(xdg, 'not a folder');
    const quiet = headroom(['--help'], { XDG_CACHE_HOME: xdg });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.match(quiet.stdout, /Usage: headroom/);
    assert.equal(quiet.stderr, '');
    assert.match(help(xdg).stderr, /code cache: not written \(ENOTDIR/);
  });

  it('writes nothing when V8 flags change while running, since the next start would reject it', () => {
    const xdg = folder();
    // What src/memory/gc.ts does to reach gc() without --expose-gc, here at exit, before the
    // loader's own exit listener (registered later) writes.
    const preload = `data:text/javascript,${encodeURIComponent(
      "import v8 from 'node:v8'; process.once('exit', () => v8.setFlagsFromString('--expose-gc'));",
    )}`;
    const result = spawnSync(process.execPath, ['--import', preload, CLI, '--help', '--log-level', 'debug'], {
      env: { ...process.env, XDG_CACHE_HOME: xdg },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /code cache: not written \(V8 flags changed while running/);
    assert.deepEqual(readdirSync(xdg), []);
  });

  it('uses the cache the build wrote beside the bundle when the user has none, and writes none', () => {
    execFileSync(process.execPath, ['scripts/code-cache.mjs', join(temp, 'dist')], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const shipped = onlyCacheFile(join(temp, 'dist', 'code'));
    assert.equal(statSync(shipped).mode & 0o777, 0o644);
    try {
      const xdg = folder();
      const result = help(xdg);
      assert.match(result.stderr, new RegExp(`code cache: used ${shipped} \\(from the build\\)`));
      assert.doesNotMatch(result.stderr, /written/);
      assert.deepEqual(readdirSync(xdg), []);
      // A cache of the user's own comes first: V8 rejects this one, so the start writes its own.
      const data = Buffer.alloc(4096, 7);
      const own = join(xdg, 'headroom', 'code', shipped.split('/').at(-1) as string);
      mkdirSync(join(own, '..'), { recursive: true });
      writeFileSync(own, Buffer.concat([cacheDigest(data), data]), { mode: 0o600 });
      const second = help(xdg);
      assert.match(second.stderr, new RegExp(`code cache: rejected by V8 ${own}`));
      assert.match(second.stderr, /code cache: written/);
      assert.match(help(xdg).stderr, new RegExp(`code cache: used ${own}`));
    } finally {
      // The other cases start without it.
      rmSync(join(temp, 'dist', 'code'), { recursive: true, force: true });
    }
  });

  it('is off with HEADROOM_NO_CODE_CACHE', () => {
    const xdg = folder();
    const result = headroom(['--help', '--log-level=debug'], {
      XDG_CACHE_HOME: xdg,
      HEADROOM_NO_CODE_CACHE: '1',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /code cache: off/);
    assert.deepEqual(readdirSync(xdg), []);
  });

  it('keeps the exit code and stdout of a failing command', () => {
    const result = headroom(['opnapi'], { XDG_CACHE_HOME: folder() });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Did you mean 'openapi'\?/);
  });

  it('runs as dist/cli.js too, the ES module beside the CommonJS bin', () => {
    const viaModule = spawnSync(process.execPath, [join(temp, 'dist', 'cli.js'), '--version'], {
      cwd: temp,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(viaModule.status, 0, viaModule.stderr);
    assert.equal(viaModule.stdout, headroom(['--version'], { XDG_CACHE_HOME: folder() }).stdout);
    assert.match(viaModule.stdout, /\d+\.\d+\.\d+/);
  });
});
