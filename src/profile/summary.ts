/** The readable summaries `headroom profile` prints: a leak check, a profiled run, a progress line. */
import { formatBytes } from '../util/bytes.js';
import { formatCount } from '../util/count.js';
import type { LeakCheckReport } from './leak-check.js';
import type { LeakAnalysis } from './leak-detector.js';
import type { MemoryReport } from './report.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${formatBytes(bytes)}`;

export function leakSummary(report: LeakCheckReport): string {
  const first = report.samples[0]?.heapUsed;
  const last = report.samples.at(-1)?.heapUsed;
  const lines = [
    `leak check of ${report.target}: ${report.durationSeconds.toFixed(1)} s, ${report.samples.length} samples, one every ${seconds(report.intervalMs)}`,
  ];
  if (report.targetEnded !== undefined)
    lines.push(`the program ended (${report.targetEnded}) before the duration was over`);
  if (report.stoppedEarly) lines.push('stopped early by a signal');
  if (first !== undefined && last !== undefined)
    lines.push(
      `heap after GC: ${formatBytes(first)} first, ${formatBytes(last)} last; fitted growth ${report.growthRate}`,
    );
  lines.push(
    `verdict: ${report.leakDetected ? 'LEAK' : 'no leak'}: ${report.reason.replace(/^no leak: /, '')}`,
  );
  const snapshots = report.heapSnapshots;
  if (snapshots) {
    lines.push(`heap snapshots: ${snapshots.before} and ${snapshots.after}`);
    const grown = snapshots.diff.grown;
    lines.push(
      grown.length === 0
        ? 'nothing grew between the snapshots'
        : 'grew between the snapshots (bytes, objects, type, one retainer path):',
    );
    for (const g of grown)
      lines.push(
        `  ${signed(g.bytesDelta).padStart(11)}  ${`${g.countDelta >= 0 ? '+' : ''}${formatCount(g.countDelta)}`.padStart(10)}  ${g.name}${g.retainerText ? `\n${' '.repeat(27)}${g.retainerText}` : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

export function profileSummary(memory: MemoryReport): string {
  const lines: string[] = [];
  for (const r of memory.reports) {
    lines.push(
      `profile of ${r.name}: ${seconds(r.durationMs)}${r.error ? `, failed: ${r.error.message}` : ''}`,
    );
    lines.push(
      `  heap: ${formatBytes(r.heapBefore)} before, ${formatBytes(r.heapAfter)} after${r.heapCollected ? ' (after GC)' : ''}, ${formatBytes(r.heapPeak)} peak; RSS peak ${formatBytes(r.rssPeak)}`,
    );
    const share = r.durationMs > 0 ? (100 * r.gc.pauseMs) / r.durationMs : 0;
    lines.push(
      `  GC: ${formatCount(r.gc.count)} collections, ${r.gc.pauseMs.toFixed(0)} ms paused (${share.toFixed(1)}% of the time)`,
    );
    const a = r.allocations;
    if (a.status !== 'sampled')
      lines.push(`  allocation sites: ${a.status}${a.reason ? `: ${a.reason}` : ''}`);
    else {
      lines.push(
        `  top allocation sites (${formatBytes(a.sampledBytes)} allocated, V8's sampling heap profiler):`,
      );
      for (const site of a.sites.slice(0, 10))
        lines.push(
          `    ${`${(100 * site.share).toFixed(0)}%`.padStart(4)}  ${formatBytes(site.bytes).padStart(10)}  ${site.functionName}  ${site.location}`,
        );
    }
  }
  lines.push(memory.recommendations.length === 0 ? 'recommendations: none' : 'recommendations:');
  for (const r of memory.recommendations)
    lines.push(
      `  [${r.severity}] ${r.message} (${r.evidence.figure} = ${round(r.evidence.value)}, threshold ${round(r.evidence.threshold)})`,
    );
  return `${lines.join('\n')}\n`;
}

/** One line per sample: how far the check is, the heap and the trend so far. */
export function leakProgressLine(
  analysis: LeakAnalysis,
  elapsedMs: number,
  index: number,
  total: number,
): string {
  const last = analysis.samples.at(-1)?.heapUsed ?? 0;
  const rate =
    analysis.samples.length > 1
      ? `, trend ${formatBytes(Math.round(analysis.slopeBytesPerSecond * 60))}/min`
      : '';
  return `[${index}/${total} ${seconds(elapsedMs)}] heap after GC ${formatBytes(last)}${rate}`;
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
}
