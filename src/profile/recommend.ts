/**
 * Recommendations derived from profiled runs. Each rule reads one figure of a report, compares it
 * with a threshold and, only when it is crossed, says what to do and cites the figure; a run where
 * nothing crosses a threshold yields nothing. Runs with the same name are judged together: one
 * recommendation per rule and name, citing the run with the largest value.
 */
import { formatBytes } from '../util/bytes.js';
import type { ProfileReport, Recommendation, RecommendationSeverity } from './report.js';

export interface RecommendationThresholds {
  /** GC pause time as a share of a run's wall time above which GC costs too much; default 0.10. */
  gcShare: number;
  /** A run with less GC pause than this (ms) is not judged on GC share, so a 2 ms run with one scavenge is not flagged; default 10. */
  gcMinPauseMs: number;
  /** Heap a run retained (heapAfter - heapBefore, both after a full GC), as a share of the heap limit; default 0.05. */
  retainedGrowthOfLimit: number;
  /** How far the heap peaked above where the run ended, as a share of the heap limit; default 0.10. */
  transientPeakOfLimit: number;
  /** One allocation site's share of a run's sampled bytes above which it is named; default 0.5. */
  dominantSiteShare: number;
  /** Sampled bytes below which no site is named, since a few samples prove nothing; default 8 MiB. */
  dominantSiteMinBytes: number;
  /** Heap peak as a share of the heap limit at or above which a run is critical; default 0.85. */
  nearHeapLimit: number;
}

export const DEFAULT_THRESHOLDS: Readonly<RecommendationThresholds> = Object.freeze({
  gcShare: 0.1,
  gcMinPauseMs: 10,
  retainedGrowthOfLimit: 0.05,
  transientPeakOfLimit: 0.1,
  dominantSiteShare: 0.5,
  dominantSiteMinBytes: 8 * 1024 * 1024,
  nearHeapLimit: 0.85,
});

/** Share thresholds lie in (0, 1]; the others are non-negative. */
const SHARES = new Set<keyof RecommendationThresholds>([
  'gcShare',
  'retainedGrowthOfLimit',
  'transientPeakOfLimit',
  'dominantSiteShare',
  'nearHeapLimit',
]);

/** The defaults with `given` over them; throws a RangeError naming the first threshold out of range. */
export function resolveThresholds(given: Partial<RecommendationThresholds> = {}): RecommendationThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(given) as [keyof RecommendationThresholds, unknown][]) {
    if (!(key in DEFAULT_THRESHOLDS))
      throw new RangeError(
        `MemoryProfiler: unknown threshold "${key}"; known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}`,
      );
    if (value === undefined) continue;
    const share = SHARES.has(key);
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (share && (value === 0 || value > 1))
    )
      throw new RangeError(
        `MemoryProfiler: threshold ${key} must be ${share ? 'a share above 0 and at most 1' : 'a number of at least 0'}, got ${String(value)}`,
      );
    thresholds[key] = value;
  }
  return thresholds;
}

interface Finding {
  id: string;
  severity: RecommendationSeverity;
  figure: string;
  value: number;
  threshold: number;
  message: string;
}

/** The findings of one run, each resting on one figure of it. */
function findings(r: ProfileReport, t: RecommendationThresholds): Finding[] {
  const out: Finding[] = [];
  const limit = r.heapLimit;
  const gcShare = r.durationMs > 0 ? r.gc.pauseMs / r.durationMs : 0;
  if (r.gc.pauseMs >= t.gcMinPauseMs && gcShare > t.gcShare)
    out.push({
      id: 'gc-share',
      severity: 'warning',
      figure: 'gcShare',
      value: gcShare,
      threshold: t.gcShare,
      message:
        `"${r.name}": garbage collection paused it for ${pct(gcShare)} of its wall time (${ms(r.gc.pauseMs)} in ` +
        `${r.gc.count} collections over ${ms(r.durationMs)}), above ${pct(t.gcShare)}: raise the memory budget ` +
        '(a larger heap is collected less often) or lower concurrency (fewer requests alive at once)',
    });
  const retained = r.heapAfter - r.heapBefore;
  // Without a full collection at both ends the difference is partly garbage, not evidence of retention.
  if (r.heapCollected && limit > 0 && retained / limit > t.retainedGrowthOfLimit)
    out.push({
      id: 'retained-growth',
      severity: 'warning',
      figure: 'retainedGrowthOfLimit',
      value: retained / limit,
      threshold: t.retainedGrowthOfLimit,
      message:
        `"${r.name}" left the heap ${formatBytes(retained)} larger after a full collection ` +
        `(${pct(retained / limit)} of the ${formatBytes(limit)} heap limit, above ${pct(t.retainedGrowthOfLimit)}): ` +
        'the run retained memory; check caches, maps, queues and listeners that outlive it',
    });
  const transient = r.heapPeak - r.heapAfter;
  if (limit > 0 && transient / limit > t.transientPeakOfLimit)
    out.push({
      id: 'transient-peak',
      severity: 'warning',
      figure: 'transientPeakOfLimit',
      value: transient / limit,
      threshold: t.transientPeakOfLimit,
      message:
        `"${r.name}" peaked ${formatBytes(transient)} above where it ended (${pct(transient / limit)} of the ` +
        `${formatBytes(limit)} heap limit, above ${pct(t.transientPeakOfLimit)}): a transient peak; stream or ` +
        'batch the input instead of holding it whole',
    });
  const top = r.allocations.sites[0];
  if (top && r.allocations.sampledBytes >= t.dominantSiteMinBytes && top.share > t.dominantSiteShare)
    out.push({
      id: 'dominant-site',
      severity: 'info',
      figure: 'topSiteShare',
      value: top.share,
      threshold: t.dominantSiteShare,
      message:
        `${pct(top.share)} of the ${formatBytes(r.allocations.sampledBytes)} "${r.name}" allocated came from ` +
        `${top.functionName} at ${top.location} (above ${pct(t.dominantSiteShare)}): start there`,
    });
  const nearLimit = limit > 0 ? r.heapPeak / limit : 0;
  if (nearLimit >= t.nearHeapLimit)
    out.push({
      id: 'near-heap-limit',
      severity: 'critical',
      figure: 'heapPeakOfLimit',
      value: nearLimit,
      threshold: t.nearHeapLimit,
      message:
        `"${r.name}" peaked at ${formatBytes(r.heapPeak)}, ${pct(nearLimit)} of the ${formatBytes(limit)} heap ` +
        `limit (critical from ${pct(t.nearHeapLimit)}): it is close to running out of memory; lower its input ` +
        'or concurrency, or raise the heap limit (--max-old-space-size)',
    });
  return out;
}

const RANK: Record<RecommendationSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Recommendations for the runs, most severe first; empty when no figure crosses its threshold. */
export function recommend(
  reports: readonly ProfileReport[],
  thresholds: RecommendationThresholds,
): Recommendation[] {
  const byKey = new Map<string, Recommendation>();
  for (const report of reports) {
    for (const f of findings(report, thresholds)) {
      const key = `${f.id}\0${report.name}`;
      const seen = byKey.get(key);
      if (seen) seen.runs++;
      if (seen && seen.evidence.value >= f.value) continue;
      byKey.set(key, {
        id: f.id,
        severity: f.severity,
        message: f.message,
        evidence: {
          report: report.name,
          startedAt: report.startedAt,
          figure: f.figure,
          value: f.value,
          threshold: f.threshold,
        },
        runs: seen?.runs ?? 1,
      });
    }
  }
  // Stable sort: within a severity, in the order the runs were recorded.
  return [...byKey.values()].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

function pct(share: number): string {
  const p = share * 100;
  // One decimal where rounding would mislead: below 10%, and just under 100% (99.6% is not all).
  return `${p.toFixed(p < 10 || (p > 99 && p < 100) ? 1 : 0)}%`;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}
