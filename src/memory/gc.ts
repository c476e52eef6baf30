/**
 * Garbage collection on demand without requiring `node --expose-gc`: V8 lets a running process turn
 * the flag on, and a fresh context then exposes `gc`. Done once, lazily, because it is only needed
 * when memory is already over budget.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let cached: (() => void) | null | undefined;

/** Returns a function that runs a full garbage collection, or undefined when V8 refuses. */
export function gcFunction(): (() => void) | undefined {
  if (cached === undefined) cached = resolveGc();
  return cached ?? undefined;
}

/**
 * A young-generation collection (a scavenge, well under a millisecond on a small heap), or
 * undefined when V8 refuses to expose `gc`.
 */
export function minorGcFunction(): (() => void) | undefined {
  const gc = gcFunction() as ((options?: { type: 'minor' }) => void) | undefined;
  return gc ? () => gc({ type: 'minor' }) : undefined;
}

function resolveGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    // The context above keeps its gc; putting the flag back keeps V8's flag hash as it was at
    // start, which the executable's code cache is checked against.
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** The V8 heap limit in bytes: the default memory budget when none is configured. */
export function heapLimitBytes(): number {
  return v8.getHeapStatistics().heap_size_limit;
}
