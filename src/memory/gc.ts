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

/**
 * Scavenges after every `everyBytes` of Buffers read, counted over every reader that shares it. A
 * socket's chunks are external memory that V8 frees only when it collects their wrappers, and on its
 * own it waits for about 64 MB of external growth. Paced reader by reader, N answers read at once
 * let N times `everyBytes` of read chunks wait: the load benchmark's 50 clients had 90-107 MB of
 * Buffers at its peaks, for 48 MB set aside.
 */
/** The pace's default: a scavenge every 8 MiB keeps a gigabyte-long body to a few megabytes in flight. */
const SCAVENGE_EVERY_BYTES = 8 * 1024 * 1024;

export class ScavengePacer {
  private sinceScavenge = 0;
  /** Looked up at the first scavenge: a server makes its pacer at start, which must not expose gc. */
  private scavenge: (() => void) | undefined;

  constructor(
    private readonly everyBytes = SCAVENGE_EVERY_BYTES,
    scavenge?: () => void,
  ) {
    this.scavenge = scavenge;
  }

  /** Counts `bytes` read, and scavenges when `everyBytes` have been read since the last time. */
  read(bytes: number): void {
    this.sinceScavenge += bytes;
    if (this.sinceScavenge < this.everyBytes) return;
    this.sinceScavenge = 0;
    this.scavenge ??= minorGcFunction() ?? (() => {});
    this.scavenge();
  }
}

/** The V8 heap limit in bytes: the default memory budget when none is configured. */
export function heapLimitBytes(): number {
  return v8.getHeapStatistics().heap_size_limit;
}
