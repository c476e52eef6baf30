// The process charts: memory stacked by component with rss and budget lines, the V8 heap, GC
// pauses per interval and the event loop. Each takes the page's sample window (oldest first).
/* global uPlot */
import { alpha, baseOptions, Chart, series, yAxis } from './charts.js';
import * as fmt from './format.js';

const seconds = (samples) => samples.map((s) => s.t / 1000);

/**
 * Memory by component. The stack is the components' own measured bytes plus "other" = rss minus
 * their sum (floored at 0: components may count bytes that are not resident, such as a spill
 * file); nothing is apportioned. The budget line is drawn when it is within reach of rss, and
 * otherwise named in the card header, so that a 4 GiB budget does not flatten a 60 MiB process.
 */
export function memoryChart(el, colorOf) {
  let raw = [];
  let names = [];
  let yMax = 0;
  const chart = new Chart(el, 260, (colors, width, height) => {
    const opts = baseOptions(colors, width, height);
    const stacked = [...names, 'other'];
    opts.series = [
      {},
      ...stacked.map((name) => {
        const color = name === 'other' ? colors.other : colorOf(name);
        return series(name === 'other' ? 'other (rss − components)' : name, color, fmt.bytes, () => raw, {
          fill: alpha(color, 0.42),
          width: 1,
        });
      }),
      series('rss', colors.text, fmt.bytes, () => raw, { width: 2 }),
      series('budget', colors.danger, fmt.bytes, () => raw, { width: 1.5, dash: [6, 4] }),
    ];
    // Each band fills between a stacked series and the one below it (uPlot's stacking recipe).
    opts.bands = stacked.slice(1).map((_n, i) => ({ series: [i + 2, i + 1] }));
    opts.scales.y = { range: () => [0, yMax] };
    opts.axes.push(yAxis(colors, 'bytes'));
    return opts;
  });

  return {
    update(samples) {
      names = componentNames(samples);
      const x = seconds(samples);
      const parts = names.map((name) => samples.map((s) => s.components[name] ?? null));
      const other = samples.map((s) => Math.max(0, s.rss - sumComponents(s)));
      const rss = samples.map((s) => s.rss);
      const budget = samples.map((s) => s.budgetBytes);
      raw = [x, ...parts, other, rss, budget];
      const running = new Array(samples.length).fill(0);
      const stacked = [...parts, other].map((values) => values.map((v, i) => (running[i] += v ?? 0)));
      const top = Math.max(0, ...running, ...rss);
      const budgetNow = budget[budget.length - 1] ?? 0;
      yMax = budgetNow > 0 && budgetNow < top * 1.6 ? Math.max(top, budgetNow) * 1.08 : top * 1.15 || 1024;
      chart.update(names.join('\u0000'), [x, ...stacked, rss, budget]);
      return { budgetOnScale: budgetNow <= yMax };
    },
    rebuild: () => chart.rebuild(),
  };
}

/** Component names seen in the window, in a stable (alphabetical) order. */
export function componentNames(samples) {
  const names = new Set();
  for (const s of samples) for (const name of Object.keys(s.components)) names.add(name);
  return [...names].sort();
}

export function sumComponents(sample) {
  let sum = 0;
  for (const bytes of Object.values(sample.components)) sum += bytes;
  return sum;
}

/** V8 heap used (filled) and allocated, plus external memory. */
export function heapChart(el) {
  let raw = [];
  const chart = new Chart(el, 180, (colors, width, height) => {
    const opts = baseOptions(colors, width, height);
    opts.series = [
      {},
      series('used', '#5b8def', fmt.bytes, () => raw, { fill: alpha('#5b8def', 0.25), width: 2 }),
      series('total', colors.muted, fmt.bytes, () => raw, { width: 1.5, dash: [4, 3] }),
      series('external', '#a377f2', fmt.bytes, () => raw, { width: 1.5 }),
    ];
    opts.scales.y = { range: (_u, _min, max) => [0, max * 1.1 || 1024] };
    opts.axes.push(yAxis(colors, 'bytes'));
    return opts;
  });
  return {
    update(samples) {
      raw = [seconds(samples), ...['heapUsed', 'heapTotal', 'external'].map((k) => samples.map((s) => s[k]))];
      chart.update('heap', raw);
    },
    rebuild: () => chart.rebuild(),
  };
}

/** GC pause time in each sample interval, as bars (the card's note counts the collections). */
export function gcChart(el) {
  let raw = [];
  const chart = new Chart(el, 180, (colors, width, height) => {
    const opts = baseOptions(colors, width, height);
    opts.series = [
      {},
      series('pause', colors.warning, fmt.ms, () => raw, {
        fill: alpha(colors.warning, 0.7),
        width: 0,
        paths: uPlot.paths.bars({ size: [0.7, 12], gap: 1 }),
      }),
    ];
    opts.scales.y = { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] };
    opts.axes.push(yAxis(colors, 'ms'));
    return opts;
  });
  return {
    update(samples) {
      raw = [seconds(samples), samples.map((s) => s.gc.pauseMs)];
      chart.update('gc', raw);
    },
    rebuild: () => chart.rebuild(),
  };
}

/** Event-loop delay p50/p99 (ms, left) and utilization (%, right). */
export function eventLoopChart(el) {
  let raw = [];
  const chart = new Chart(el, 180, (colors, width, height) => {
    const opts = baseOptions(colors, width, height);
    opts.series = [
      {},
      series('p50', '#2fbf9b', fmt.ms, () => raw, { width: 1.5 }),
      series('p99', '#ef6f91', fmt.ms, () => raw, { width: 1.5 }),
      series(
        'utilization',
        '#46b9e0',
        (v) => fmt.percent(v / 100),
        () => raw,
        {
          scale: 'pct',
          fill: alpha('#46b9e0', 0.12),
          width: 1,
        },
      ),
    ];
    opts.scales.y = { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] };
    opts.scales.pct = { range: [0, 100] };
    opts.axes.push(
      yAxis(colors, 'ms'),
      yAxis(colors, 'percent', { scale: 'pct', side: 1, size: 44, grid: { show: false } }),
    );
    return opts;
  });
  return {
    update(samples) {
      raw = [
        seconds(samples),
        samples.map((s) => s.eventLoop.p50Ms),
        samples.map((s) => s.eventLoop.p99Ms),
        samples.map((s) => s.eventLoop.utilization * 100),
      ];
      chart.update('loop', raw);
    },
    rebuild: () => chart.rebuild(),
  };
}
