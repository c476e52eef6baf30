/** Medians over iterations, ratios to the baseline, and the targets judged on them. */
import type { Target, TargetResult } from './types.js';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median of every key that each sample has as a finite number. */
export function medians(samples: readonly Record<string, number>[]): Record<string, number> {
  const first = samples[0];
  if (!first) return {};
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) {
    const values = samples.map((s) => s[key]);
    if (values.every((v): v is number => typeof v === 'number' && Number.isFinite(v)))
      out[key] = median(values);
  }
  return out;
}

/** figures / baseline for each key both have; a zero baseline has no ratio. */
export function ratios(
  figures: Readonly<Record<string, number>>,
  baseline: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(figures)) {
    const base = baseline[key];
    if (base !== undefined && base !== 0) out[key] = value / base;
  }
  return out;
}

export function judge(
  target: Target,
  figures: Readonly<Record<string, number>>,
  baseline: Readonly<Record<string, number>>,
  baselineVariant: string,
): TargetResult {
  const value = targetValue(target, figures, baseline);
  const bounds: string[] = [];
  const suffix =
    target.vs === 'ratio'
      ? `x ${baselineVariant}`
      : target.vs === 'difference'
        ? ` vs ${baselineVariant}`
        : '';
  const show = (n: number) => (target.vs === 'difference' && n >= 0 ? `+${n}` : String(n));
  if (target.min !== undefined) bounds.push(`>= ${show(target.min)}${suffix}`);
  if (target.max !== undefined) bounds.push(`<= ${show(target.max)}${suffix}`);
  const passed =
    value !== null &&
    (target.min === undefined || value >= target.min) &&
    (target.max === undefined || value <= target.max);
  return { figure: target.figure, bound: bounds.join(', '), value, passed };
}

function targetValue(
  target: Target,
  figures: Readonly<Record<string, number>>,
  baseline: Readonly<Record<string, number>>,
): number | null {
  const value = figures[target.figure];
  if (value === undefined || !Number.isFinite(value)) return null;
  if (target.vs === undefined) return value;
  const base = baseline[target.figure];
  if (base === undefined || !Number.isFinite(base)) return null;
  if (target.vs === 'difference') return value - base;
  return base === 0 ? null : value / base;
}
