// Tool calls: the throughput/latency chart and the per-tool table. The server sends cumulative
// ToolStats with each sample; rates of errors come from the difference between two samples.
import { alpha, baseOptions, Chart, series, yAxis } from './charts.js';
import { cell, keyedRows } from './dom.js';
import * as fmt from './format.js';

/** One point of the tool chart from a sample's ToolStats and the previous point's totals. */
export function toolPoint(t, tools, previous) {
  let calls = 0;
  let errors = 0;
  let perSecond = 0;
  let p95 = null;
  for (const stats of Object.values(tools)) {
    calls += stats.calls;
    errors += stats.errors;
    perSecond += stats.callsPerSecond;
    if (stats.calls > 0) p95 = Math.max(p95 ?? 0, stats.p95Ms);
  }
  const dt = previous ? (t - previous.t) / 1000 : 0;
  const errorsPerSecond = previous && dt > 0 ? Math.max(0, errors - previous.errors) / dt : null;
  return { t, calls, errors, perSecond, errorsPerSecond, p95 };
}

/** Calls/s and errors/s over all tools (left), the slowest tool's p95 latency (right). */
export function toolChart(el) {
  let raw = [];
  const chart = new Chart(el, 200, (colors, width, height) => {
    const opts = baseOptions(colors, width, height);
    opts.series = [
      {},
      series('calls/s', '#5b8def', fmt.rate, () => raw, { fill: alpha('#5b8def', 0.2), width: 2 }),
      series('errors/s', colors.danger, fmt.rate, () => raw, { width: 1.5 }),
      series('p95, slowest tool', '#f0a43a', fmt.ms, () => raw, { scale: 'ms', width: 1.5, dash: [5, 3] }),
    ];
    opts.scales.y = { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] };
    opts.scales.ms = { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] };
    opts.axes.push(
      yAxis(colors, 'rate'),
      yAxis(colors, 'ms', { scale: 'ms', side: 1, size: 60, grid: { show: false } }),
    );
    return opts;
  });
  return {
    update(points) {
      raw = [
        points.map((p) => p.t / 1000),
        points.map((p) => p.perSecond),
        points.map((p) => p.errorsPerSecond),
        points.map((p) => p.p95),
      ];
      chart.update('tools', raw);
    },
    rebuild: () => chart.rebuild(),
  };
}

const successClass = (share) => (share >= 0.99 ? 'good' : share >= 0.95 ? 'warn' : 'bad');

/** The per-tool table, busiest first. */
export function renderToolTable(tbody, tools) {
  const names = Object.keys(tools).sort((a, b) => tools[b].calls - tools[a].calls || a.localeCompare(b));
  keyedRows(tbody, 'tool', names, (row, name) => {
    const s = tools[name];
    const success = s.calls > 0 ? (s.calls - s.errors) / s.calls : null;
    row.dataset.calls = String(s.calls);
    row.dataset.errors = String(s.errors);
    cell(row, 0, name, 'name mono');
    cell(row, 1, fmt.count(s.calls), 'num');
    cell(row, 2, fmt.count(s.errors), `num${s.errors > 0 ? ' bad' : ''}`);
    cell(
      row,
      3,
      success === null ? '—' : fmt.percent(success),
      `num ${success === null ? '' : successClass(success)}`,
    );
    cell(row, 4, fmt.ms(s.p50Ms), 'num');
    cell(row, 5, fmt.ms(s.p95Ms), 'num');
    cell(row, 6, fmt.ms(s.p99Ms), 'num');
    cell(row, 7, fmt.rate(s.callsPerSecond), 'num');
    cell(row, 8, fmt.bytes(s.bytesOut), 'num');
    cell(row, 9, fmt.bytesDelta(s.meanMemoryDeltaBytes), 'num');
  });
  return names.length;
}
