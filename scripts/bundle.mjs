/**
 * Bundles the `headroom` executable: dist/cli-bundle.js, the whole CLI as one classic script, and
 * dist/cli.cjs, a small loader that compiles it with V8's code cache (src/cli/boot.ts says why).
 * Start-up time is most of a warm start; Node 20 spends much of it resolving and compiling small
 * ESM files, and has no code cache for ESM at all. The library entry (dist/index.js) stays tsc's
 * output, with its type declarations.
 *
 *   node scripts/bundle.mjs [OUTDIR]     default: dist
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { lazySdkSchemas } from './lazy-sdk-schemas.mjs';

const outdir = process.argv[2] ?? 'dist';
const bundle = join(outdir, 'cli-bundle.js');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  // ASCII output (non-ASCII characters escaped) lets the loader skip decoding UTF-8 (~10 ms a start).
  charset: 'ascii',
  // License comments are kept verbatim, so they go beside the bundle (cli-bundle.js.LEGAL.txt).
  legalComments: 'external',
  logLevel: 'warning',
};

// The dashboard's page is served from files, not bundled: src/observe/dashboard/static.ts looks
// for it under dist/ (for both the bundle and tsc's output).
cpSync(join('src', 'observe', 'dashboard', 'page'), join(outdir, 'observe', 'dashboard', 'page'), {
  recursive: true,
});

// Left by the former ESM build, which split commands into lazily loaded chunks.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });

const sdkShims = resolve('scripts', 'sdk-shims.cjs');
/** The SDK's shims, with the JSON Schema validator loaded when first used (scripts/sdk-shims.cjs). */
const lazySdkValidator = {
  name: 'lazy-sdk-validator',
  setup(build) {
    build.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, (args) =>
      args.importer === sdkShims ? undefined : { path: sdkShims },
    );
  },
};

/**
 * Node's built-in modules that a start may never use, required when one of their members is first
 * read rather than when a module importing them loads: `node:crypto` alone takes 3-5 ms to load, and
 * a start hashes nothing before its first answer (a cold start's cache entry is written after it).
 * The others (`net`, `stream`, ...) are loaded by Node itself or by every start anyway.
 */
const LAZY_BUILTINS = ['crypto', 'zlib', 'fs/promises', 'timers/promises', 'readline'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async ({ path }) => {
      const names = Object.keys(await import(`node:${path}`)).filter((name) => name !== 'default');
      const getters = names.map(
        (name) => `  get ${JSON.stringify(name)}() { return load()[${JSON.stringify(name)}]; },`,
      );
      return {
        loader: 'js',
        contents: [
          'let real;',
          `const load = () => (real ??= require(${JSON.stringify(`node:${path}`)}));`,
          `module.exports = {\n${getters.join('\n')}\n};`,
        ].join('\n'),
      };
    });
  },
};

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  plugins: [lazySdkValidator, lazyBuiltins, lazySdkSchemas],
  outfile: bundle,
  format: 'cjs',
  sourcemap: 'linked',
  // The loader calls this function the way Node calls a CommonJS module. CommonJS has no
  // import.meta, so its one use (finding package.json and dependencies) gets the bundle's URL as
  // a sixth argument; a statement here would demote esbuild's "use strict" from the directive.
  banner: { js: '(function (exports, require, module, __filename, __dirname, __headroomModuleUrl) {' },
  footer: { js: '})' },
  define: { 'import.meta.url': '__headroomModuleUrl' },
  // Any other use of import.meta would be empty in CommonJS output: fail instead.
  logOverride: { 'empty-import-meta': 'error' },
  // Loaded with createRequire only when needed: a configuration file exists; an SVG is rendered.
  // The AWS SDK (tens of MB) is required by the discovery modules, which load only when
  // `headroom cloudwan` discovers through AWS, so the executable neither carries nor compiles it.
  external: ['yaml', '@viz-js/viz', '@aws-sdk/*', '@smithy/*'],
});

const source = readFileSync(bundle);
// esbuild turns import() of bundled modules into require(); one left over would fail at run time.
if (source.includes('import('))
  throw new Error(
    `${bundle} contains import(), which a script compiled by vm.Script cannot run: bundle that module or load it with createRequire`,
  );
const wide = source.findIndex((byte) => byte > 0x7f);
if (wide !== -1)
  throw new Error(
    `${bundle} has a non-ASCII byte at offset ${wide}, but src/cli/boot.ts reads it as latin1: escape it (charset 'ascii' does, except in comments) or move it out`,
  );

const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
// The executable is CommonJS: Node starts an ES module entry 6-9 ms slower (it sets up its ESM
// loader first). dist/cli.js stays, an ES module that loads it, for those who run that path.
await build({
  ...common,
  entryPoints: ['src/cli/boot.ts'],
  // node:crypto only where node:zlib has no crc32 (before Node 20.15): see src/cli/code-cache.ts.
  plugins: [lazyBuiltins],
  outfile: join(outdir, 'cli.cjs'),
  format: 'cjs',
  sourcemap: 'linked',
  // In the banner, so "use strict" has to come first again to stay a directive.
  banner: { js: '"use strict";var __bootUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { HEADROOM_BUNDLE_ID: JSON.stringify(`${version}-${hash}`), 'import.meta.url': '__bootUrl' },
  logOverride: { 'empty-import-meta': 'error' },
});
writeFileSync(join(outdir, 'cli.js'), "#!/usr/bin/env node\nimport './cli.cjs';\n");
rmSync(join(outdir, 'cli.js.map'), { force: true });
chmodSync(join(outdir, 'cli.cjs'), 0o755);
chmodSync(join(outdir, 'cli.js'), 0o755);
