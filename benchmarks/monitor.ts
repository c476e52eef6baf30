/**
 * What live monitoring costs the process it watches:
 * - `idle`: the baseline, a fixed CPU-light workload (a 10 ms timer doing a little JSON work, the
 *   shape of a server waiting for calls) for N seconds (10 by default);
 * - `monitored`: the same, with a MemoryMonitor sampling at 1 Hz, 5 registered components and a
 *   tool call recorded on every tick (100/s);
 * - `sample-cost`: mean microseconds per `sample()` over 10,000 calls (the precise per-sample
 *   figure; 1 Hz costs this every second), and what a full hour of history holds: the ring's own
 *   bytes and the heap retained by a monitor after 3,600 samples, measured after a full GC.
 * CPU is process.cpuUsage() over wall time (100 = one core busy).
 * Usage: node --import tsx benchmarks/child.ts ./monitor.ts <variant> [seconds]
 */
import { gcFunction } from '../src/memory/gc.js';
import { MemoryMonitor } from '../src/observe/monitor.js';

const MB = 1024 * 1024;
const SAMPLES = 10_000;

function heldBytes(): number {
  (gcFunction() as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function memoryFigures(): Record<string, number> {
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / MB, rssMb: m.rss / MB, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Five components as servers register them: sizes read from something they hold. */
function registerComponents(monitor: MemoryMonitor): void {
  const held = [new Uint8Array(64 * 1024), new Uint8Array(256 * 1024), new Uint8Array(1024)];
  monitor.registerComponent('catalog', () => held[0]?.byteLength ?? 0);
  monitor.registerComponent('catalog-cache', () => ({
    bytes: held[1]?.byteLength ?? 0,
    details: { entries: 12 },
  }));
  monitor.registerComponent('topology', () => 3 * MB);
  monitor.registerComponent('responses', () => held[2]?.byteLength ?? 0);
  monitor.registerComponent('spill', () => ({ bytes: 0, details: { onDisk: 5 * MB } }));
}

/** The workload both timed variants run: a 10 ms timer doing a little JSON work, for `seconds`. */
function workload(seconds: number, onTick: (i: number) => void): Promise<number> {
  return new Promise((resolve) => {
    let ticks = 0;
    let checksum = 0;
    const end = performance.now() + seconds * 1000;
    const timer = setInterval(() => {
      ticks++;
      checksum += JSON.stringify({ tick: ticks, items: [1, 2, 3], name: 'call' }).length;
      onTick(ticks);
      if (performance.now() >= end) {
        clearInterval(timer);
        resolve(checksum);
      }
    }, 10);
  });
}

export async function run(variant: string, secondsArg = '10'): Promise<Record<string, number>> {
  const seconds = Number(secondsArg);
  if (variant === 'idle' || variant === 'monitored') {
    let monitor: MemoryMonitor | undefined;
    if (variant === 'monitored') {
      monitor = new MemoryMonitor({ sampleIntervalMs: 1000 });
      registerComponents(monitor);
      monitor.start();
    }
    const cpu = process.cpuUsage();
    const start = performance.now();
    await workload(seconds, (i) =>
      monitor?.recordToolCall({
        tool: i % 2 ? 'search' : 'call',
        ms: i % 17,
        ok: i % 50 !== 0,
        bytesOut: 512,
      }),
    );
    const wallUs = (performance.now() - start) * 1000;
    const used = process.cpuUsage(cpu);
    const samples = monitor?.history(seconds + 5).length ?? 0;
    monitor?.stop();
    return {
      cpuPercentOfCore: ((used.user + used.system) / wallUs) * 100,
      samples,
      ...memoryFigures(),
    };
  }
  if (variant === 'sample-cost') {
    const before = heldBytes();
    // An hour at 1 Hz, filled by the first 3,600 of the timed samples below.
    const monitor = new MemoryMonitor({ sampleIntervalMs: 1000, historySeconds: 3600 });
    registerComponents(monitor);
    // Started, so the GC observer and the event-loop histogram are live as in a server; its own
    // timer's samples (about one in this loop) are not counted.
    monitor.start();
    for (let i = 0; i < 100; i++) monitor.sample(); // warm up
    const start = performance.now();
    for (let i = 0; i < SAMPLES; i++) monitor.sample();
    const sampleUs = ((performance.now() - start) * 1000) / SAMPLES;
    const retained = heldBytes() - before;
    const historyPoints = monitor.history(1e9, 300).length;
    monitor.stop();
    return {
      sampleUs,
      historyMb: monitor.historyBytes() / MB,
      retainedMb: retained / MB,
      historyPoints,
      ...memoryFigures(),
    };
  }
  throw new Error(`monitor benchmark: unknown variant ${variant} (idle, monitored, sample-cost)`);
}
