import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { HeadroomError } from '../../src/errors.js';
import { MemoryMonitor } from '../../src/observe/monitor.js';
import {
  createLeakDetector,
  type LeakAnalysis,
  type LeakDetector,
  LeakDetectorError,
  type LeakDetectorOptions,
  parseGrowthRate,
} from '../../src/profile/leak-detector.js';
import { noise } from './noise.js';

const KB = 1024;
const MB = 1024 * 1024;

/**
 * A detector over a fake clock (10 s per sample) and a series of heap sizes fed one per sampleNow;
 * `run` feeds them all and returns every analysis.
 */
function synthetic(options: LeakDetectorOptions = {}) {
  const state = { t: 1_700_000_000_000, next: 0 };
  const detector = createLeakDetector({
    now: () => state.t,
    sample: () => state.next,
    heapLimitBytes: 4096 * MB,
    ...options,
  });
  const run = (values: number[]): LeakAnalysis[] =>
    values.map((value) => {
      state.t += 10_000;
      state.next = value;
      return detector.sampleNow();
    });
  return { detector, run };
}

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Math.round(f(i)));
const flagged = (analyses: LeakAnalysis[]) => analyses.filter((a) => a.leakDetected).length;

describe('LeakDetector options', () => {
  it('refuses options it cannot use, naming the option, the value and the limit', () => {
    const cases: [LeakDetectorOptions, RegExp][] = [
      [{ window: 2 }, /^leak detector: window must be at least 5 samples, got 2/],
      [{ window: 10.5 }, /window must be at least 5 samples, got 10.5/],
      [{ interval: 0 }, /interval must be at least 1 ms, got 0/],
      [{ growthThreshold: 'fast' }, /growthThreshold must be bytes per second .* got "fast"/],
      [{ growthThreshold: -1 }, /growthThreshold must be bytes per second/],
      [{ alpha: 0 }, /alpha must be between 0 and 1 \(exclusive\), got 0/],
      [{ alpha: 1 }, /alpha must be between 0 and 1/],
      [
        { minGrowthBytes: 'lots' },
        /minGrowthBytes must be a byte count >= 0 or a size such as '1MB', got "lots"/,
      ],
      [{ window: 10, minSamples: 11 }, /minSamples must be between 5 and window \(10\), got 11/],
      [{ minSamples: 4 }, /minSamples must be between 5 and window \(30\), got 4/],
      [{ minLinearity: 2 }, /minLinearity must be between 0 and 1, got 2/],
      [{ clearAfter: 0 }, /clearAfter must be a positive integer, got 0/],
      [
        { window: 5 },
        /with minSamples 5 the trend test can never reach alpha 0.01 \(its smallest p-value is 0.014\): judge over more/,
      ],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => createLeakDetector({ sample: () => 0, ...options }),
        (error: unknown) =>
          error instanceof LeakDetectorError &&
          error instanceof HeadroomError &&
          error.code === 'HR_LEAK_DETECTOR' &&
          message.test(error.message),
        `${JSON.stringify(options)} should fail with ${message}`,
      );
    }
  });

  it('reads growth rates as bytes per second or a size per time unit', () => {
    assert.equal(parseGrowthRate(2048), 2048);
    assert.equal(parseGrowthRate('1MB/min'), MB / 60);
    assert.equal(parseGrowthRate('64KiB/s'), 64 * KB);
    assert.equal(parseGrowthRate('36MB / h'), (36 * MB) / 3600);
    assert.equal(parseGrowthRate('512'), 512);
    assert.equal(parseGrowthRate('1MB/fortnight'), undefined);
    assert.equal(parseGrowthRate('x/min'), undefined);
    assert.equal(parseGrowthRate(Number.NaN), undefined);
    const detector = createLeakDetector({
      sample: () => 0,
      growthThreshold: '6MB/min',
      minGrowthBytes: '2MB',
    });
    assert.equal(detector.growthBytesPerSecond, (6 * MB) / 60);
    assert.equal(detector.minGrowthBytes, 2 * MB);
  });

  it('has the documented defaults', () => {
    const d = createLeakDetector({ sample: () => 0 });
    assert.equal(d.interval, 10_000);
    assert.equal(d.window, 30);
    assert.equal(d.minSamples, 30);
    assert.equal(d.alpha, 0.01);
    assert.equal(d.growthBytesPerSecond, 1024);
    assert.equal(d.minGrowthBytes, MB);
    assert.equal(d.clearAfter, 3);
    // The smallest window that can show a trend at all, with a looser alpha.
    assert.equal(createLeakDetector({ sample: () => 0, window: 5, alpha: 0.05 }).window, 5);
  });
});

describe('LeakDetector on synthetic samples', () => {
  it('stays quiet on a flat heap and on a noisy flat one', () => {
    const flat = synthetic();
    assert.equal(flagged(flat.run(series(100, () => 50 * MB))), 0);
    const noisy = synthetic();
    const next = noise(11);
    const analyses = noisy.run(series(300, () => 50 * MB + 300 * KB * next()));
    assert.equal(flagged(analyses), 0);
    assert.equal(noisy.detector.leaking, false);
    // Every analysis from the 30th sample on had a full window to judge.
    assert.equal(analyses.filter((a) => a.checks.enoughSamples).length, 271);
  });

  it('detects steady growth once the window is full, and says why', () => {
    const { detector, run } = synthetic();
    const leaks: LeakAnalysis[] = [];
    detector.onLeak((a) => leaks.push(a));
    const next = noise(5);
    // 10 KiB/s (600 KiB/min) with noise of 20 KiB: 2.8 MiB over the 290 s of a full window.
    const analyses = run(series(40, (i) => 50 * MB + i * 100 * KB + 20 * KB * next()));
    assert.equal(flagged(analyses.slice(0, 29)), 0, 'no verdict before minSamples');
    assert.match(analyses[0]?.reason ?? '', /1 of the 30 samples needed/);
    assert.equal(analyses[29]?.leakDetected, true);
    assert.equal(flagged(analyses.slice(29)), 11);
    assert.equal(leaks.length, 1, 'onLeak is called when the state turns, not at every sample');
    const a = leaks[0] as LeakAnalysis;
    assert.ok(Math.abs(a.slopeBytesPerSecond - 10 * KB) < KB, `slope ${a.slopeBytesPerSecond}`);
    assert.ok(Math.abs(a.growthBytes - 290 * 10 * KB) < 290 * KB, `growth ${a.growthBytes}`);
    assert.ok(a.pValue < 1e-6);
    assert.equal(a.samples.length, 30);
    assert.equal(a.windowSeconds, 290);
    assert.deepEqual(a.checks, {
      enoughSamples: true,
      slope: true,
      trend: true,
      growth: true,
      sustained: true,
    });
    assert.match(a.reason, /^sustained growth of (59\d|60\d) KiB\/min over 290 s \(2\.8\d MiB, p=/);
    assert.ok(a.secondsToHeapLimit !== undefined && a.secondsToHeapLimit > 3e5 && a.secondsToHeapLimit < 5e5);
  });

  it('detects growth in several steps (a cache that grows in bursts)', () => {
    const { run } = synthetic();
    const next = noise(9);
    const analyses = run(series(60, (i) => 50 * MB + 2 * MB * Math.floor(i / 8) + 30 * KB * next()));
    assert.ok(flagged(analyses.slice(29)) >= 25, `flagged ${flagged(analyses)}`);
  });

  it('does not call a single step then flat a leak: the heap grew once and holds', () => {
    // A cache filled, a module loaded: the level moved once. Only growth that goes on is a leak.
    const { detector, run } = synthetic();
    const next = noise(13);
    const analyses = run(series(120, (i) => 50 * MB + (i >= 40 ? 20 * MB : 0) + 50 * KB * next()));
    assert.equal(flagged(analyses), 0);
    // The other criteria alone would have called it: the step is a significant rise.
    const crossing = analyses.filter((a) => a.checks.enoughSamples && a.checks.trend && a.checks.growth);
    assert.ok(crossing.length >= 5, `${crossing.length} windows rose significantly`);
    assert.ok(crossing.every((a) => !a.checks.sustained));
    assert.match(crossing[0]?.reason ?? '', /a single step fits better than steady growth/);
    assert.equal(detector.leaking, false);
  });

  it('ignores growth below the rate threshold, and growth too small to matter', () => {
    const slow = synthetic();
    // 500 B/s, under the default 1 KiB/s, though a clean rise.
    const a = slow.run(series(40, (i) => 50 * MB + i * 5000));
    assert.equal(flagged(a), 0);
    assert.match(a.at(-1)?.reason ?? '', /the slope 29.3 KiB\/min is not above 60 KiB\/min/);
    const tiny = synthetic({ growthThreshold: 10 });
    // 100 B/s is above 10 B/s and perfectly steady, but 29 KB over the window is noise on any heap.
    const b = tiny.run(series(40, (i) => 5 * MB + i * 1000));
    assert.equal(flagged(b), 0);
    assert.match(b.at(-1)?.reason ?? '', /growth over the window 28.3 KiB is under 1 MiB/);
  });

  it('judges early with minSamples, and over the last `window` samples only', () => {
    const { detector, run } = synthetic({ window: 10, minSamples: 6 });
    const analyses = run(series(30, (i) => 50 * MB + (i < 15 ? 0 : (i - 15) * 500 * KB)));
    assert.equal(analyses[4]?.checks.enoughSamples, false);
    assert.equal(analyses[5]?.checks.enoughSamples, true);
    assert.equal(analyses.findIndex((a) => a.leakDetected) > 15, true);
    assert.equal(detector.samples().length, 10);
    assert.deepEqual(
      detector.samples().map((s) => s.heapUsed),
      series(10, (i) => 50 * MB + (i + 5) * 500 * KB),
    );
  });

  it('clears after clearAfter clean analyses once the growth stops, and tells onResolve', () => {
    const { detector, run } = synthetic({ window: 10 });
    const events: string[] = [];
    const offLeak = detector.onLeak(() => events.push('leak'));
    detector.onResolve((a) => events.push(`resolve ${a.leaking}`));
    const leaking = run(series(15, (i) => 50 * MB + i * 500 * KB));
    assert.equal(leaking.at(-1)?.leaking, true);
    const top = 50 * MB + 14 * 500 * KB;
    const after = run(series(20, () => top));
    const firstClean = after.findIndex((a) => !a.leakDetected);
    assert.ok(firstClean >= 0);
    const cleared = after.findIndex((a) => !a.leaking);
    assert.equal(cleared, firstClean + 2, 'three clean analyses in a row (clearAfter 3)');
    assert.equal(after[cleared - 1]?.leaking, true);
    assert.deepEqual(events, ['leak', 'resolve false']);
    // A new leak raises again; an unsubscribed listener is not told.
    offLeak();
    run(series(15, (i) => top + (i + 1) * 500 * KB));
    assert.equal(detector.leaking, true);
    assert.deepEqual(events, ['leak', 'resolve false']);
  });

  it('tells onSample listeners of every analysis', () => {
    const { detector, run } = synthetic({ window: 6 });
    const seen: number[] = [];
    const off = detector.onSample((a) => seen.push(a.samples.length));
    run(series(8, () => 50 * MB));
    off();
    run(series(2, () => 50 * MB));
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 6, 6]);
  });

  it('keeps going when a listener throws, and reports it', () => {
    const warnings: string[] = [];
    const { detector, run } = synthetic({ window: 6, onWarning: (m) => warnings.push(m) });
    let told = 0;
    detector.onLeak(() => {
      throw new Error('boom');
    });
    detector.onLeak(() => told++);
    run(series(8, (i) => 50 * MB + i * 2 * MB));
    assert.equal(told, 1);
    assert.match(warnings.join('\n'), /an onLeak listener threw and was skipped: Error: boom/);
  });

  it('analyze() neither samples nor changes the state; reset() forgets and resolves', () => {
    const { detector, run } = synthetic({ window: 6 });
    let resolved = 0;
    detector.onResolve(() => resolved++);
    run(series(7, (i) => 50 * MB + i * 2 * MB));
    assert.equal(detector.leaking, true);
    const a = detector.analyze();
    const b = detector.analyze();
    assert.deepEqual(a, b);
    assert.equal(detector.samples().length, 6);
    detector.reset();
    assert.equal(detector.leaking, false);
    assert.equal(resolved, 1);
    assert.equal(detector.samples().length, 0);
    assert.match(detector.analyze().reason, /0 of the 6 samples needed/);
  });

  it('refuses a reader that does not return a byte count', () => {
    const { detector } = synthetic();
    const bad = createLeakDetector({ sample: () => Number.NaN });
    assert.throws(() => bad.sampleNow(), /the sample reader returned NaN, not a byte count/);
    assert.equal(detector.samples().length, 0);
  });
});

describe('LeakDetector and a MemoryMonitor', () => {
  it('raises the monitor alert `leak` citing the rate, and resolves it when the growth stops', () => {
    const monitor = new MemoryMonitor({ sampleIntervalMs: 1000 });
    const { detector, run } = synthetic({ monitor, window: 10 });
    const next = noise(17);
    run(series(12, (i) => 80 * MB + i * 300 * KB + 10 * KB * next()));
    assert.equal(detector.leaking, true);
    const active = monitor.activeAlerts().filter((a) => a.id === 'leak');
    assert.equal(active.length, 1);
    const alert = active[0] as (typeof active)[number];
    assert.equal(alert.kind, 'leak');
    assert.equal(alert.severity, 'warning');
    assert.match(alert.message, /^the heap after GC grows 1\.\d\d MiB\/min \(/);
    assert.match(
      alert.message,
      /above the leak threshold of 60 KiB\/min; at this rate the heap limit is reached in/,
    );
    assert.ok(Math.abs(alert.value - 30 * KB) < 3 * KB, `value ${alert.value}`);
    assert.equal(alert.threshold, KB);
    // The growth stops: the alert resolves (and stays in the history).
    const top = 80 * MB + 11 * 300 * KB;
    run(series(15, () => top + 10 * KB * next()));
    assert.equal(detector.leaking, false);
    assert.deepEqual(
      monitor.activeAlerts().filter((a) => a.id === 'leak'),
      [],
    );
    const history = monitor.alertHistory().filter((a) => a.id === 'leak');
    assert.equal(history.length, 1);
    assert.ok(history[0]?.resolvedAt !== undefined);
    assert.match(history[0]?.message ?? '', /no longer grows steadily/);
  });
});

describe('LeakDetector timers', () => {
  it('samples on its interval after start() until stop(), and reports a failing sample', async () => {
    let reads = 0;
    const warnings: string[] = [];
    const detector = createLeakDetector({
      interval: 20,
      window: 6,
      sample: () => {
        reads++;
        if (reads === 3) throw new Error('no reading');
        return 50 * MB;
      },
      onWarning: (m) => warnings.push(m),
    });
    detector.start();
    detector.start();
    assert.equal(detector.running, true);
    assert.equal(reads, 1, 'one sample at once');
    // Five more samples at 20 ms; the deadline is generous for a loaded machine.
    const deadline = performance.now() + 5000;
    while (reads < 6 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    detector.stop();
    detector.stop();
    assert.equal(detector.running, false);
    const seen = reads;
    assert.ok(seen >= 6, `${seen} reads in 5 s at 20 ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(reads, seen, 'no samples after stop()');
    assert.match(warnings.join('\n'), /a sample failed and was skipped: Error: no reading/);
  });

  it('does not keep the process alive (its timer is unref’d)', () => {
    const code =
      "import { createLeakDetector } from './src/profile/leak-detector.ts';" +
      "createLeakDetector({ interval: 50 }).start(); console.log('started');";
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(child.error, undefined, 'the child did not exit by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'started');
    assert.ok(performance.now() - started < 20_000);
  });
});

describe('LeakDetector on the real heap (full GC per sample)', () => {
  /** Runs `tick` every 10 ms until stopped. */
  function workload(tick: (i: number) => void): () => void {
    let i = 0;
    const timer = setInterval(() => tick(i++), 10);
    return () => clearInterval(timer);
  }
  const realOptions = { interval: 100, window: 10, growthThreshold: '10MB/min', minGrowthBytes: '1MB' };

  it('stays quiet on a steady workload whose heap is a sawtooth', async () => {
    let garbage: { i: number; s: string }[] = [];
    const stopWork = workload((tick) => {
      // About 1.5 MB allocated and dropped every tick: the heap saws up and down between GCs.
      garbage = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item ${i} of ${tick}` }));
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // warm up
    const detector: LeakDetector = createLeakDetector(realOptions);
    let leaks = 0;
    detector.onLeak(() => leaks++);
    detector.start();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    detector.stop();
    stopWork();
    const last = detector.analyze();
    assert.equal(last.checks.enoughSamples, true, last.reason);
    assert.equal(leaks, 0, `flagged: ${last.reason}`);
    assert.equal(detector.leaking, false);
    assert.ok(garbage.length === 20_000);
    assert.ok(last.sampleMs > 0);
  });

  it('detects a workload that retains objects every tick', async () => {
    const retained: { i: number; tick: number; s: string }[] = [];
    const stopWork = workload((tick) => {
      for (let i = 0; i < 500; i++) retained.push({ i, tick, s: `kept ${i} of ${tick}` });
    });
    const detector = createLeakDetector(realOptions);
    const started = performance.now();
    try {
      const analysis = await new Promise<LeakAnalysis>((resolve, reject) => {
        const timeout = setTimeout(
          () => reject(new Error(`no leak found in 8 s: ${detector.analyze().reason}`)),
          8000,
        );
        detector.onLeak((a) => {
          clearTimeout(timeout);
          resolve(a);
        });
        detector.start();
      });
      assert.equal(analysis.leakDetected, true);
      assert.ok(analysis.slopeBytesPerSecond > (10 * MB) / 60);
      assert.ok(analysis.growthBytes > MB);
      assert.ok(performance.now() - started < 8000);
    } finally {
      detector.stop();
      stopWork();
      retained.length = 0;
    }
  });
});
