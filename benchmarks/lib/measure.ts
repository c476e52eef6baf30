/**
 * What every benchmark child reports: wall time, garbage collections and their pauses (from V8's
 * own 'gc' performance entries), and the process's peak RSS as the kernel counted it.
 */
import { PerformanceObserver } from 'node:perf_hooks';

export interface Measured {
  ms: number;
  gcCount: number;
  gcMs: number;
  peakRssMb: number;
}

export async function measure(work: () => Promise<void> | void): Promise<Measured> {
  let gcCount = 0;
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++;
      gcMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  // GC entries are delivered asynchronously; let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return { ms, gcCount, gcMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}
