/**
 * Bundles the `headroom` executable into dist/cli.js (with lazily loaded chunks in dist/chunks).
 * Start-up time is most of a warm start, and Node 20 spends much of it resolving and compiling
 * hundreds of small ESM files; one minified bundle per command path loads in about two thirds of
 * the time. The library entry (dist/index.js) stays tsc's output, with its type declarations.
 */
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Some dependencies are CommonJS and call require(); ESM output has none, so provide one.
  banner: {
    js: "import { createRequire as __headroomRequire } from 'node:module'; const require = __headroomRequire(import.meta.url);",
  },
  // Loaded with createRequire only when a configuration file exists.
  external: ['yaml'],
  logLevel: 'warning',
});
