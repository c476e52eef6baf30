/**
 * The leak detector on the real heap, with one set of settings for every variant: a sample every
 * 200 ms over a 20-sample window (about 4 s), growth counted from 2 MB/min and, as by default, from
 * 1 MiB over the window. The window is short so the suite stays quick; it must still be long next
 * to the transients of a steady workload (code tiering up, a cache's values changing shape), which
 * grow the heap for a second or two by less than 1 MiB.
 * - `steady`: three steady workloads whose heap is a sawtooth (JSON documents parsed and dropped, a
 *   bounded LRU-style Map churning its entries, bursts of short-lived objects), each warmed up for
 *   1 s and then watched for N windows after the first is full (2 by default). `falseAlarmRate` is
 *   the share of analyses (one per sample once the window is full, so windows overlap) that called
 *   a leak: it should be 0.
 * - `leaking`: the burst workload plus a slow leak retaining about 500 KiB/s, twice the least
 *   growth these settings see; `detected` (0/1) and `detectedAfterSeconds` from the detector's start
 *   (at most 15 s; the first verdict needs a full window), and the rate it fitted (`fittedKibPerS`).
 * - `cost`: what one sample (a full GC and a read) costs on a heap holding N MB of small live
 *   objects (100 by default): `sampleMs`, the mean over 10 samples. Every variant also reports the
 *   `sampleMs` of its own heap (small, but with a lot of garbage to collect).
 * Usage: node --import tsx benchmarks/child.ts ./leak.ts <steady|leaking|cost> [windows [MB]]
 */
import {
  createLeakDetector,
  type LeakAnalysis,
  type LeakDetectorOptions,
} from '../src/profile/leak-detector.js';

const MB = 1024 * 1024;
const SETTINGS: LeakDetectorOptions = {
  interval: 200,
  window: 20,
  growthThreshold: '2MB/min',
};
const WINDOW_MS = 4000;
const WARM_UP_MS = 1000;
const LEAK_TIMEOUT_S = 15;
const LEAK_OBJECTS_PER_S = 3500;

/** A workload: one tick of work every 10 ms. */
type Tick = (i: number) => void;

function memoryFigures(): Record<string, number> {
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / MB, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function every10ms(tick: Tick): () => void {
  let i = 0;
  const timer = setInterval(() => tick(i++), 10);
  return () => clearInterval(timer);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Steady workloads: each allocates and drops garbage every tick and keeps a constant amount. */
function steadyWorkloads(): Record<string, () => Tick> {
  return {
    json: () => {
      const doc = JSON.stringify({
        items: Array.from({ length: 2000 }, (_, i) => ({
          id: i,
          name: `item ${i}`,
          tags: ['a', 'b'],
          n: i * 1.5,
        })),
      });
      let last = 0;
      return () => {
        const parsed = JSON.parse(doc) as { items: { n: number }[] };
        last =
          parsed.items.reduce((sum, item) => sum + item.n, 0) +
          JSON.stringify(parsed.items.slice(0, 100)).length;
        if (last < 0) throw new Error('unreachable');
      };
    },
    lru: () => {
      // A cache at its capacity: every tick inserts 500 entries and evicts the 500 oldest.
      const cache = new Map<number, { key: number; value: string }>();
      let next = 0;
      return () => {
        for (let i = 0; i < 500; i++) {
          const key = next++;
          cache.set(key, { key, value: `value ${key} ${'x'.repeat(key % 64)}` });
          if (cache.size > 20_000) cache.delete(cache.keys().next().value as number);
        }
      };
    },
    churn: () => {
      let garbage: unknown[] = [];
      return (tick) => {
        garbage = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item ${i} of ${tick}` }));
        if (garbage.length === 0) throw new Error('unreachable');
      };
    },
  };
}

async function steady(windows: number): Promise<Record<string, number>> {
  let analyses = 0;
  let falseAlarms = 0;
  let sampleMs = 0;
  const workloads = steadyWorkloads();
  for (const name of Object.keys(workloads)) {
    const stopWork = every10ms((workloads[name] as () => Tick)());
    await sleep(WARM_UP_MS); // the workload's caches filled and its code compiled
    let judged = 0;
    const detector = createLeakDetector(SETTINGS);
    detector.onSample((analysis) => {
      if (!analysis.checks.enoughSamples) return;
      judged++;
      if (analysis.leakDetected) falseAlarms++;
    });
    detector.start();
    await sleep(WINDOW_MS * (windows + 1));
    detector.stop();
    stopWork();
    analyses += judged;
    sampleMs += detector.analyze().sampleMs / Object.keys(workloads).length;
  }
  return {
    falseAlarmRate: analyses > 0 ? falseAlarms / analyses : 1,
    falseAlarms,
    analyses,
    sampleMs,
    ...memoryFigures(),
  };
}

async function leaking(): Promise<Record<string, number>> {
  const retained: { i: number; tick: number; s: string }[] = [];
  let garbage: unknown[] = [];
  // 3,500 objects a second by the clock, whenever the ticks run (they run late around each sample's
  // GC): at about 150 bytes each (object, number, string), about 500 KiB/s, twice the least growth
  // these settings see (1 MiB, the default minGrowthBytes, over a 4 s window).
  const leakStart = performance.now();
  const stopWork = every10ms((tick) => {
    garbage = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item ${i} of ${tick}` }));
    const due = Math.floor(((performance.now() - leakStart) / 1000) * LEAK_OBJECTS_PER_S);
    for (let i = retained.length; i < due; i++) retained.push({ i, tick, s: `kept ${i} of tick ${tick}` });
  });
  await sleep(WARM_UP_MS);
  const detector = createLeakDetector(SETTINGS);
  const started = performance.now();
  const found = await new Promise<LeakAnalysis | undefined>((resolve) => {
    const timeout = setTimeout(() => resolve(undefined), LEAK_TIMEOUT_S * 1000);
    detector.onLeak((analysis) => {
      clearTimeout(timeout);
      resolve(analysis);
    });
    detector.start();
  });
  const detectedAfterSeconds = found ? (performance.now() - started) / 1000 : LEAK_TIMEOUT_S;
  detector.stop();
  stopWork();
  const figures = {
    detected: found ? 1 : 0,
    detectedAfterSeconds,
    fittedKibPerS: (found ?? detector.analyze()).slopeBytesPerSecond / 1024,
    retainedObjects: retained.length,
    sampleMs: detector.analyze().sampleMs,
    ...memoryFigures(),
  };
  if (garbage.length === 0) throw new Error('unreachable');
  return figures;
}

function cost(liveMb: number): Record<string, number> {
  // Small objects, the dearest kind to mark: about 60 bytes each with their strings shared.
  const live: { a: number; b: number; c: string }[] = [];
  const label = 'live';
  while (process.memoryUsage().heapUsed < liveMb * MB) {
    for (let i = 0; i < 100_000; i++) live.push({ a: i, b: i * 2, c: label });
  }
  const detector = createLeakDetector({ ...SETTINGS, window: 10 });
  for (let i = 0; i < 10; i++) detector.sampleNow();
  return { sampleMs: detector.analyze().sampleMs, liveObjects: live.length, ...memoryFigures() };
}

export async function run(variant: string, windows = '2', liveMb = '100'): Promise<Record<string, number>> {
  if (variant === 'steady') return steady(Number(windows));
  if (variant === 'leaking') return leaking();
  if (variant === 'cost') return cost(Number(liveMb));
  throw new Error(`leak benchmark: unknown variant ${variant} (steady, leaking, cost)`);
}
