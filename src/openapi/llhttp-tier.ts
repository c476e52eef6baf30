/**
 * The first HTTP request of the process runs with V8's baseline WebAssembly compiler only.
 *
 * undici parses HTTP with llhttp, compiled to WebAssembly when the process opens its first
 * connection. V8 then recompiles llhttp's one very large parsing function with its optimizing
 * compiler in the background, and holds about 34 MB while it does: a bare undici request here
 * peaked at 97 MB RSS, against 63 MB with the baseline compiler alone. In a server that was half of
 * what a 1 GB response added to its peak. The baseline code parses as fast for what Headroom does:
 * the 1 GB body was read at 605-712 MB/s with it, against 575-679 MB/s.
 *
 * So `--liftoff-only` is set for the first request and V8's defaults come back once it has its
 * answer (or fails): llhttp, compiled by then, stays on the baseline tier; WebAssembly compiled
 * later (Headroom's JSON scans, src/wasm/json-scan.wat) is optimized as usual; and V8's flags are
 * again what they were, which its code cache is checked against (src/cli/boot.ts). A process whose
 * own command line or NODE_OPTIONS sets WebAssembly tiering flags is left alone.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's defaults for what `--liftoff-only` sets (the flag itself, and the flags it implies). */
const DEFAULTS = ['--no-liftoff-only', '--liftoff', '--wasm-tier-up', '--wasm-dynamic-tiering'];
const OWN_FLAGS = /liftoff|wasm-(dynamic-)?tier/;

/**
 * Whether the process's first request is yet to come. Process-wide, as is the compiled llhttp it
 * stands for (undici keeps one instance per process).
 */
let first = true;

/** Runs `request`; the process's first one with V8's baseline WebAssembly compiler only. */
export async function onBaselineTier<T>(request: () => Promise<T>): Promise<T> {
  if (!first) return request();
  first = false;
  if (ownWasmFlags()) return request();
  setFlagsFromString('--liftoff-only');
  try {
    return await request();
  } finally {
    for (const flag of DEFAULTS) setFlagsFromString(flag);
  }
}

function ownWasmFlags(): boolean {
  return OWN_FLAGS.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
}
