import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { formatBytes, parseBytes } from '../../util/bytes.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandDefinition, RunContext } from '../types.js';
import { untilSignal } from './signals.js';

const DEFAULT_SECONDS = { leaks: 30, profile: 10, snapshot: 5 };

export const profileCommand: CommandDefinition = {
  name: 'profile',
  summary: 'Profile memory, detect leaks and take heap snapshots of a workload or any Node program.',
  usage: `headroom profile --detect-leaks [--duration D] [--samples N] [--heap-snapshot] (--workload NAME | -- COMMAND ARGS)
headroom profile --profile WORKLOAD [--duration D]
headroom profile --heap-snapshot [--duration D] [--out DIR] (--workload NAME | -- COMMAND ARGS)
headroom profile --list

  --detect-leaks reads the heap in use after a full garbage collection N times over the duration
  (default 30 samples over 30 s, the first after one interval) and fits a robust trend to them: a
  leak is sustained growth (Theil-Sen slope over --threshold, a significant Mann-Kendall trend, at
  least --min-growth over the run, and a line fitting better than a single step). A workload runs
  in this process; with -- COMMAND ARGS the command runs as a child Node process with its inspector
  on 127.0.0.1, so any Node program can be checked unchanged (its output goes to stderr). With
  --heap-snapshot it also writes heap snapshots after the first and the last sample and names the
  object types that grew, with a retainer path each.

  --profile runs a workload for the duration (default 10 s) and reports heap before, after and at
  its peak, GC count and pause time, the top allocation sites from V8's sampling heap profiler, and
  recommendations, each citing the figure it rests on.

  --heap-snapshot alone runs the target for the duration (default 5 s), then writes one snapshot.

  Progress goes to stderr, the summary to stdout; --json FILE also writes the report as JSON (for a
  leak check its top level has leakDetected, growthBytesPerSecond and samples).

  Exit code: 0 when done and no leak was found, 1 when a leak was found or the check failed, 2 for a
  bad command line (an unknown workload lists the valid ones).`,
  args: '[-- COMMAND ARGS...]',
  options: [
    { name: 'detect-leaks', type: 'boolean', description: 'Check the target for a memory leak.' },
    {
      name: 'profile',
      type: 'string',
      valueName: 'WORKLOAD',
      description: 'Profile a workload: heap, GC, allocation sites, recommendations.',
    },
    {
      name: 'heap-snapshot',
      type: 'boolean',
      description: 'Write heap snapshots (with --detect-leaks: at the start and end, diffed).',
    },
    {
      name: 'workload',
      type: 'string',
      valueName: 'NAME',
      description: 'The named workload to run (--list).',
    },
    {
      name: 'duration',
      type: 'string',
      valueName: 'D',
      description: 'How long to run: 30s, 2m, 500ms (default 30 s; 10 s for --profile; 5 s for a snapshot).',
    },
    {
      name: 'samples',
      type: 'string',
      valueName: 'N',
      description: 'Heap readings over the duration for --detect-leaks (default 30, at least 5).',
    },
    {
      name: 'threshold',
      type: 'string',
      valueName: 'RATE',
      description: 'Growth that counts as a leak, e.g. 1MB/min, 64KiB/s (default 1 KiB/s).',
    },
    {
      name: 'min-growth',
      type: 'string',
      valueName: 'SIZE',
      description: 'Least growth over the run that counts as a leak (default 1MB).',
    },
    {
      name: 'out',
      type: 'string',
      valueName: 'DIR',
      description: 'Folder for heap snapshots (default: here).',
    },
    {
      name: 'json',
      type: 'string',
      valueName: 'FILE',
      description: 'Also write the report as JSON to FILE.',
    },
    { name: 'list', type: 'boolean', description: 'List the workloads, and run nothing.' },
  ],
  async run(ctx: RunContext) {
    const { findWorkload, WORKLOADS } = await import('../../profile/workloads.js');
    if (ctx.options.list === true) {
      for (const w of WORKLOADS) ctx.io.stdout.write(`${w.name}\n  ${w.description}\n`);
      return 0;
    }
    const mode = modeOf(ctx);
    const command = ctx.positionals;
    const workloadName = typeof ctx.options.workload === 'string' ? ctx.options.workload : undefined;
    if (mode === 'profile') {
      if (workloadName !== undefined || command.length > 0)
        throw new UsageError('--profile takes the workload as its value, and no --workload or command');
    } else if ((workloadName === undefined) === (command.length === 0))
      throw new UsageError(
        `give the target as --workload NAME or as a Node program after --, not ${workloadName === undefined ? 'neither' : 'both'} (headroom profile --list shows the workloads)`,
      );
    const target = workloadName !== undefined ? { workload: findWorkload(workloadName) } : { command };
    const durationMs = durationOption(ctx, DEFAULT_SECONDS[mode] * 1000);
    const out = resolve(ctx.io.cwd, typeof ctx.options.out === 'string' ? ctx.options.out : '.');
    const json = typeof ctx.options.json === 'string' ? resolve(ctx.io.cwd, ctx.options.json) : undefined;
    const stop = untilSignal();
    try {
      let report: unknown;
      let exitCode = 0;
      if (mode === 'leaks') {
        const { runLeakCheck } = await import('../../profile/leak-check.js');
        const { leakProgressLine, leakSummary } = await import('../../profile/summary.js');
        const samples = samplesOption(ctx);
        await checkLeakOptions(ctx);
        if (ctx.options['heap-snapshot'] === true) mkdirSync(out, { recursive: true });
        const check = await runLeakCheck({
          target,
          durationMs,
          samples,
          signal: stop.signal,
          output: ctx.io.stderr,
          ...(typeof ctx.options.threshold === 'string' ? { growthThreshold: ctx.options.threshold } : {}),
          ...(typeof ctx.options['min-growth'] === 'string'
            ? { minGrowthBytes: ctx.options['min-growth'] }
            : {}),
          ...(ctx.options['heap-snapshot'] === true ? { snapshotDir: out } : {}),
          // A line a sample: reads the same in a terminal and in a CI log.
          onSample: (analysis, elapsed, index) =>
            ctx.io.stderr.write(`${leakProgressLine(analysis, elapsed, index, samples)}\n`),
        });
        ctx.io.stdout.write(leakSummary(check));
        report = check;
        exitCode = check.leakDetected ? 1 : 0;
      } else if (mode === 'profile') {
        const { MemoryProfiler } = await import('../../profile/profiler.js');
        const { runWorkload } = await import('../../profile/workloads.js');
        const { profileSummary } = await import('../../profile/summary.js');
        const workload = findWorkload(String(ctx.options.profile));
        ctx.io.stderr.write(`profiling ${workload.name} for ${durationMs / 1000} s ...\n`);
        const profiler = new MemoryProfiler();
        const until = deadline(stop.signal, durationMs);
        await profiler.profile(workload.name, () => runWorkload(workload, until.signal)).finally(until.clear);
        const memory = profiler.getMemoryReport();
        ctx.io.stdout.write(profileSummary(memory));
        report = memory;
      } else {
        report = await snapshotAfter(ctx, target, durationMs, out, stop.signal);
      }
      if (json !== undefined) {
        mkdirSync(dirname(json), { recursive: true });
        writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
        ctx.io.stderr.write(`report written to ${json}\n`);
      }
      return exitCode;
    } finally {
      stop.dispose();
    }
  },
};

type Mode = 'leaks' | 'profile' | 'snapshot';

function modeOf(ctx: RunContext): Mode {
  const leaks = ctx.options['detect-leaks'] === true;
  const profile = typeof ctx.options.profile === 'string';
  if (leaks && profile) throw new UsageError('choose one of --detect-leaks and --profile');
  if (leaks) return 'leaks';
  if (profile) return 'profile';
  if (ctx.options['heap-snapshot'] === true) return 'snapshot';
  throw new UsageError(
    'say what to do: --detect-leaks, --profile WORKLOAD or --heap-snapshot (headroom profile --help)',
  );
}

/** Runs the target for the duration, then writes one heap snapshot of it. */
async function snapshotAfter(
  ctx: RunContext,
  target: { workload: import('../../profile/workloads.js').Workload } | { command: readonly string[] },
  durationMs: number,
  out: string,
  signal: AbortSignal,
): Promise<{ target: string; file: string; bytes: number }> {
  const { writeHeapSnapshot } = await import('../../profile/heap-snapshot.js');
  const { startInspectedChild } = await import('../../profile/inspected-child.js');
  const { runWorkload } = await import('../../profile/workloads.js');
  mkdirSync(out, { recursive: true });
  const wait = deadline(signal, durationMs);
  const until = new Promise((done) => wait.signal.addEventListener('abort', done, { once: true }));
  if ('workload' in target) {
    await runWorkload(target.workload, wait.signal);
    wait.clear();
    const file = writeHeapSnapshot(out);
    ctx.io.stdout.write(
      `heap snapshot of ${target.workload.name}: ${file.path} (${formatBytes(file.bytes)})\n`,
    );
    return { target: target.workload.name, file: file.path, bytes: file.bytes };
  }
  const child = await startInspectedChild(target.command, { output: ctx.io.stderr });
  try {
    const ended = await Promise.race([until.then(() => undefined), child.exited]);
    if (ended !== undefined)
      throw new UsageError(
        `the program ended (${ended}) before its snapshot was due: give a shorter --duration`,
      );
    const file = resolve(out, `headroom-${child.pid}-${Date.now()}.heapsnapshot`);
    const bytes = await child.writeHeapSnapshot(file);
    const name = target.command.join(' ');
    ctx.io.stdout.write(`heap snapshot of ${name}: ${file} (${formatBytes(bytes)})\n`);
    return { target: name, file, bytes };
  } finally {
    wait.clear();
    await child.close();
  }
}

/**
 * A signal that fires on `signal` or after `ms`. Not AbortSignal.any with AbortSignal.timeout: V8
 * may collect a timeout signal that nothing else holds, and then it never fires (a full GC is what
 * profiling does).
 */
function deadline(signal: AbortSignal, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, ms);
  signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}

function durationOption(ctx: RunContext, fallback: number): number {
  const raw = ctx.options.duration;
  if (typeof raw !== 'string') return fallback;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 100 || ms > 7 * 24 * 3_600_000)
    throw new UsageError(
      `--duration must be a time from 100ms to 7 days such as 30s, 2m or 1h, not '${raw}'`,
    );
  return ms;
}

/** Bad thresholds are command-line mistakes (exit 2), not failures of the check. */
async function checkLeakOptions(ctx: RunContext): Promise<void> {
  const { parseGrowthRate } = await import('../../profile/leak-detector.js');
  const { threshold } = ctx.options;
  if (typeof threshold === 'string' && parseGrowthRate(threshold) === undefined)
    throw new UsageError(`--threshold must be a growth rate such as 1MB/min or 64KiB/s, not '${threshold}'`);
  const minGrowth = ctx.options['min-growth'];
  if (typeof minGrowth === 'string' && parseBytes(minGrowth) === undefined)
    throw new UsageError(`--min-growth must be a size such as 1MB or 512KiB, not '${minGrowth}'`);
}

function samplesOption(ctx: RunContext): number {
  const raw = ctx.options.samples;
  if (typeof raw !== 'string') return 30;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 5 || n > 100_000)
    throw new UsageError(`--samples must be a whole number from 5 to 100000, not '${raw}'`);
  return n;
}
