/**
 * The cost of MemoryLimiter.check() per call, against a loop that calls an empty function the same
 * number of times (the baseline), for each way of measuring memory.
 */
import { MemoryLimiter } from '../src/memory/limiter.js';
import { measure } from './lib/measure.js';

export type Variant = 'baseline' | 'check-rss' | 'check-heap';

const CALLS = 20_000_000;

export async function run(variant: Variant): Promise<Record<string, number>> {
  const limiter = new MemoryLimiter({ metric: variant === 'check-heap' ? 'heap' : 'rss' });
  let ok = 0;
  let counter = 0;
  const noop = (): boolean => {
    counter++;
    return true;
  };
  const check = variant === 'baseline' ? noop : () => limiter.check();
  const measured = await measure(() => {
    for (let i = 0; i < CALLS; i++) if (check()) ok++;
  });
  limiter.close();
  return {
    ...measured,
    nsPerCall: (measured.ms * 1e6) / CALLS,
    samples: limiter.stats().samples,
    ok: ok + counter * 0,
  };
}
