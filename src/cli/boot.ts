#!/usr/bin/env node
/**
 * The built `headroom` executable (dist/cli.cjs, the package's bin; src/cli.ts is the entry when
 * running from source).
 * The CLI itself is one classic script beside this file, dist/cli-bundle.js (scripts/bundle.mjs),
 * because Node 20 keeps V8's compiled code only for classic scripts: compiling the ~1 MB bundle
 * costs 50-80 ms of every start, loading its code cache a few. The cache is written once per build
 * and Node version, by the first start, late enough to hold the functions that start ran, not
 * only the top level (V8 compiles functions when first called). `npm run build` leaves one beside
 * the bundle too (scripts/code-cache.mjs), used until the user has their own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { prefetchSpecs } from '../openapi/prefetch.js';
import {
  catalogCacheDir,
  codeCacheFile,
  flagValue,
  readCodeCache,
  shippedCodeCacheFile,
  writeCodeCache,
} from './code-cache.js';
import type { main as Main } from './main.js';

/** `<version>-<hash of the bundle>`, set by scripts/bundle.mjs. */
declare const HEADROOM_BUNDLE_ID: string;

/**
 * Past a slow cold start's first tools/list (the write pauses the process for ~20 ms), for servers
 * that are killed rather than ended; a process that exits sooner writes at its exit.
 */
const WRITE_DELAY_MS = 10_000;

type Debug = (message: string) => void;

/** Debug lines in the Logger's formats, for the flag or variable only: the config is not read yet. */
function bootDebug(argv: readonly string[], env: NodeJS.ProcessEnv): Debug | undefined {
  const level = flagValue(argv, 'log-level') ?? env.HEADROOM_LOG_LEVEL;
  if (level !== 'debug' && level !== 'trace') return undefined;
  const json = (flagValue(argv, 'log-format') ?? env.HEADROOM_LOG_FORMAT) === 'json';
  return (msg) => {
    const time = new Date().toISOString();
    process.stderr.write(
      json ? `${JSON.stringify({ time, level: 'debug', msg })}\n` : `${time.slice(11, 23)} DEBUG ${msg}\n`,
    );
  };
}

/**
 * Writes the cache once, WRITE_DELAY_MS after the start or at exit, whichever comes first. V8 stamps
 * a cache with its flags, so a flag set while running (v8.setFlagsFromString) would make every next
 * start reject it: a tiny script's cache, taken now and again then, tells whether that happened.
 */
function writeLater(script: Script, file: string, debug: Debug | undefined): void {
  const probe = () => new Script('0', { filename: 'headroom-flags-probe' }).createCachedData();
  const atStart = probe();
  let done = false;
  const write = () => {
    if (done) return;
    done = true;
    if (!probe().equals(atStart)) {
      debug?.('code cache: not written (V8 flags changed while running; the next start would reject it)');
      return;
    }
    try {
      const data = script.createCachedData();
      writeCodeCache(file, data);
      debug?.(`code cache: written ${file} (${data.length} bytes)`);
    } catch (error) {
      // A read-only or missing folder only costs the next start its compile time.
      debug?.(`code cache: not written (${(error as Error).message})`);
    }
  };
  setTimeout(write, WRITE_DELAY_MS).unref();
  process.once('exit', write);
}

/**
 * Compiles the bundle with the best cache at hand: the user's own, else the one the build wrote.
 * In a function so that the cache's bytes (megabytes) are garbage once V8 has read them.
 */
function compile(bundle: string, argv: readonly string[], debug: Debug | undefined): Script {
  const cacheFile = codeCacheFile(HEADROOM_BUNDLE_ID, argv, process.env, process.cwd());
  const own = cacheFile ? readCodeCache(cacheFile) : undefined;
  // Without a cache of the user's own, the one the build wrote, if any (a missing one says nothing).
  const shippedFile = shippedCodeCacheFile(bundle, HEADROOM_BUNDLE_ID);
  const shipped = cacheFile && !own?.data ? readCodeCache(shippedFile, true) : undefined;
  const cached = shipped?.data ? shipped : own;
  // The bundle is ASCII (scripts/bundle.mjs checks), and latin1 skips UTF-8 decoding.
  const script = new Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData: cached?.data });

  let state: string;
  if (!cacheFile) state = 'off (HEADROOM_NO_CODE_CACHE)';
  else if (cached?.data) state = script.cachedDataRejected ? 'rejected by V8' : 'used';
  else state = `${cached?.state} (${cached?.reason})`;
  debug?.(
    `code cache: ${state} ${shipped?.data ? `${shippedFile} (from the build)` : (cacheFile ?? '')}`.trimEnd(),
  );
  if (cacheFile && state !== 'used') writeLater(script, cacheFile, debug);
  return script;
}

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'cli-bundle.js');
const argv = process.argv.slice(2);
// Before compiling: a cold start's spec is read on the thread pool while the bundle compiles.
const prefetched = prefetchSpecs(argv, process.cwd(), catalogCacheDir(argv, process.env, process.cwd()));
const script = compile(bundle, argv, bootDebug(argv, process.env));

const cli = { exports: {} as { main: typeof Main } };
// The bundle is `(function (exports, require, module, __filename, __dirname, moduleUrl) { ... })`,
// Node's CommonJS wrapper plus the URL that stands for import.meta.url.
script.runInThisContext()(
  cli.exports,
  createRequire(bundle),
  cli,
  bundle,
  dirname(bundle),
  pathToFileURL(bundle).href,
);
// Not awaited at the top level: this file is built as CommonJS (scripts/bundle.mjs says why).
cli.exports
  .main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(prefetched.size > 0 ? { prefetched } : {}),
  })
  .then((code) => {
    process.exitCode = code;
  });
