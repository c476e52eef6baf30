// The dashboard page: keeps a bounded window of samples from /ws and redraws the header, the
// alert panel, the charts and the tables at each one. No framework and no build step; uPlot is
// the global the server's /assets/uPlot.iife.min.js defines.
//
// Limits come from the page URL so that they can be changed without a rebuild:
//   ?points=600    samples kept and drawn (each chart, and the tool chart's own points)
//   ?resolved=8    resolved alerts listed
//   ?token=...     passed on to /ws and /api (the server checks it)
import { PALETTE, themeColors } from './charts.js';
import { connect, withToken } from './connection.js';
import * as fmt from './format.js';
import { renderAlerts, renderComponents } from './panels.js';
import { componentNames, eventLoopChart, gcChart, heapChart, memoryChart } from './process-charts.js';
import { heapSnapshotButton } from './snapshot.js';
import { renderToolTable, toolChart, toolPoint } from './tools.js';

const params = new URLSearchParams(location.search);
const limit = (key, fallback, min, max) => {
  if (!params.has(key)) return fallback;
  const value = Number(params.get(key));
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
};
const MAX_POINTS = limit('points', 600, 10, 10_000);
const MAX_RESOLVED = limit('resolved', 8, 0, 200);
const TREND_POINTS = 120;
/** Resolved alerts remembered (more than are shown, so that duplicates can be recognised). */
const RESOLVED_KEPT = 200;

const $ = (id) => document.getElementById(id);

const state = {
  samples: [],
  toolPoints: [],
  tools: {},
  active: [],
  resolved: [],
  received: 0,
  /** Server clock minus page clock, from the latest live sample (a remote server's clock may differ). */
  clockOffset: 0,
  lastMessageAt: 0,
  connection: 'connecting',
  processStart: undefined,
  colors: new Map(),
};

function colorOf(name) {
  let color = state.colors.get(name);
  if (color === undefined) {
    color = PALETTE[state.colors.size % PALETTE.length];
    state.colors.set(name, color);
  }
  return color;
}

const charts = {
  memory: memoryChart($('chart-memory'), colorOf),
  heap: heapChart($('chart-heap')),
  gc: gcChart($('chart-gc')),
  loop: eventLoopChart($('chart-loop')),
  tools: toolChart($('chart-tools')),
};

function pushBounded(list, item) {
  list.push(item);
  if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
}

function onHello(message) {
  state.samples = message.history.slice(-MAX_POINTS);
  state.tools = message.tools;
  state.toolPoints = [];
  const last = state.samples[state.samples.length - 1];
  if (last) state.toolPoints.push(toolPoint(last.t, message.tools, undefined));
  state.active = message.alerts;
  state.resolved = message.alertHistory
    .filter((a) => a.resolvedAt !== undefined)
    .sort((a, b) => b.resolvedAt - a.resolvedAt)
    .slice(0, RESOLVED_KEPT);
  $('name').textContent = message.name;
  document.title = `${message.name} · Headroom`;
  for (const name of componentNames(state.samples)) colorOf(name);
  fetchProcessStart();
  render();
}

function onSample(message) {
  // Only a fresh sample tells the server's time; the hello's last one may be old.
  state.clockOffset = message.sample.t - Date.now();
  const previous = state.toolPoints[state.toolPoints.length - 1];
  pushBounded(state.samples, message.sample);
  pushBounded(state.toolPoints, toolPoint(message.sample.t, message.tools, previous));
  state.tools = message.tools;
  state.active = message.alerts;
  state.received++;
  render();
}

function onAlert(alert) {
  if (alert.resolvedAt === undefined) {
    state.active = [...state.active.filter((a) => a.id !== alert.id), alert];
  } else {
    state.active = state.active.filter((a) => a.id !== alert.id);
    const seen = state.resolved.some((a) => a.id === alert.id && a.startedAt === alert.startedAt);
    if (!seen) state.resolved = [alert, ...state.resolved].slice(0, RESOLVED_KEPT);
  }
  renderAlertPanel();
}

/** prom-client's process_start_time_seconds from /metrics: the process's uptime, not the page's. */
async function fetchProcessStart() {
  try {
    const text = await (await fetch(withToken('/metrics'), { cache: 'no-store' })).text();
    const match = /^process_start_time_seconds(?:\{[^}]*\})? ([\d.e+]+)/m.exec(text);
    if (match) state.processStart = Number(match[1]) * 1000;
  } catch {
    // Uptime stays "—"; everything else still works.
  }
}

const serverNow = () => Date.now() + state.clockOffset;

function renderAlertPanel() {
  renderAlerts($('alerts'), state.active, state.resolved, serverNow(), MAX_RESOLVED);
}

/**
 * What the budget is measured against. The sample does not say; the monitor measures the heap when
 * its budget is the V8 heap limit (its default) and rss otherwise, so the page does the same.
 */
function budgetMetric(sample) {
  return sample.budgetBytes === sample.heapLimit
    ? { label: 'Heap of budget', title: 'budget: the V8 heap limit', used: sample.heapUsed }
    : { label: 'RSS of budget', title: 'budget: configured', used: sample.rss };
}

function renderHeader(last) {
  const metric = budgetMetric(last);
  const used = last.budgetBytes > 0 ? metric.used / last.budgetBytes : 0;
  $('stat-budget-label').textContent = metric.label;
  $('stat-budget-label').title = metric.title;
  $('stat-used').textContent = fmt.bytes(metric.used);
  $('stat-budget').textContent = fmt.bytes(last.budgetBytes);
  $('stat-budget-share').textContent = `${fmt.percent(used)} used`;
  const meter = $('budget-meter');
  meter.style.width = `${Math.min(100, used * 100).toFixed(1)}%`;
  const level = state.active.some((a) => a.kind === 'memory' && a.severity === 'critical')
    ? 'critical'
    : state.active.some((a) => a.kind === 'memory')
      ? 'warning'
      : 'ok';
  meter.dataset.level = level;
  $('stat-rss').textContent = fmt.bytes(last.rss);
  $('stat-rss-heap').textContent = `heap ${fmt.bytes(last.heapUsed)}`;
  $('stat-components').textContent = String(Object.keys(last.components).length);
}

function renderClock() {
  const last = state.samples[state.samples.length - 1];
  $('stat-uptime').textContent =
    state.processStart === undefined || last === undefined
      ? '—'
      : fmt.duration((serverNow() - state.processStart) / 1000);
  $('stat-age').textContent =
    last === undefined ? '—' : `${fmt.duration(Math.max(0, serverNow() - last.t) / 1000)} ago`;
}

function intervalMs() {
  const s = state.samples;
  if (s.length < 2) return 1000;
  return Math.max(1, s[s.length - 1].t - s[s.length - 2].t);
}

function renderCardNotes(last) {
  const minute = state.samples.filter((s) => last.t - s.t < 60_000);
  const span = minute.length > 1 ? (last.t - minute[0].t + intervalMs()) / 1000 : intervalMs() / 1000;
  const gcCount = minute.reduce((n, s) => n + s.gc.count, 0);
  const gcPause = minute.reduce((n, s) => n + s.gc.pauseMs, 0);
  $('note-gc').textContent =
    `${fmt.count(gcCount)} collections · ${fmt.ms(gcPause)} paused in ${fmt.duration(span)} (${fmt.percent(gcPause / 1000 / span)} of time)`;
  $('note-loop').textContent =
    `p99 ${fmt.ms(last.eventLoop.p99Ms)} · busy ${fmt.percent(last.eventLoop.utilization)}`;
  $('note-heap').textContent =
    `${fmt.bytes(last.heapUsed)} of ${fmt.bytes(last.heapTotal)} · limit ${fmt.bytes(last.heapLimit)}`;
  const toolNames = Object.keys(state.tools);
  const calls = toolNames.reduce((n, k) => n + state.tools[k].calls, 0);
  $('note-tools').textContent =
    toolNames.length === 0
      ? 'no tool calls yet'
      : `${fmt.count(calls)} calls over ${toolNames.length} tools · since this page opened`;
}

function render() {
  const last = state.samples[state.samples.length - 1];
  document.body.dataset.samplesReceived = String(state.received);
  document.body.dataset.points = String(state.samples.length);
  $('footer-samples').textContent =
    `${fmt.count(state.received)} samples received · ${fmt.count(state.samples.length)} of ${fmt.count(MAX_POINTS)} points shown · every ${fmt.ms(intervalMs())}`;
  renderAlertPanel();
  if (last === undefined) return;
  document.body.classList.remove('empty');
  renderHeader(last);
  renderClock();
  renderCardNotes(last);
  const { budgetOnScale } = charts.memory.update(state.samples);
  const heapBudget = last.budgetBytes === last.heapLimit ? ', the V8 heap limit' : '';
  $('note-memory').textContent =
    `rss ${fmt.bytes(last.rss)} · budget ${fmt.bytes(last.budgetBytes)}${heapBudget}${budgetOnScale ? '' : ' (above the scale)'}`;
  charts.heap.update(state.samples);
  charts.gc.update(state.samples);
  charts.loop.update(state.samples);
  charts.tools.update(state.toolPoints);
  renderComponents($('components-body'), state.samples, colorOf, themeColors().other, TREND_POINTS);
  const tools = renderToolTable($('tools-body'), state.tools);
  $('tools-empty').hidden = tools > 0;
}

function setConnection({ state: connection, retryInMs, error }) {
  state.connection = connection;
  const pill = $('conn');
  pill.dataset.state = connection;
  document.body.dataset.state = connection;
  const text = {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: `reconnecting${retryInMs === undefined ? '' : ` in ${fmt.duration(Math.ceil(retryInMs / 1000))}`}`,
    stalled: 'no samples',
  }[connection];
  $('conn-text').textContent = text;
  pill.title = error ?? (connection === 'live' ? 'receiving samples over WebSocket' : '');
  $('conn-error').textContent = error ?? '';
  $('conn-error').hidden = !error;
}

heapSnapshotButton($('heap-snapshot'), $('heap-snapshot-result'));

connect({
  onMessage(message) {
    state.lastMessageAt = Date.now();
    if (state.connection === 'stalled') setConnection({ state: 'live' });
    if (message.type === 'hello') onHello(message);
    else if (message.type === 'sample') onSample(message);
    else if (message.type === 'alert') onAlert(message.alert);
  },
  onState: setConnection,
});

// Ages and uptime move between samples; a connection that stays open but goes quiet is shown.
setInterval(() => {
  renderClock();
  const quiet = Date.now() - state.lastMessageAt;
  if (state.connection === 'live' && state.lastMessageAt > 0 && quiet > Math.max(5000, 5 * intervalMs())) {
    setConnection({ state: 'stalled' });
  }
}, 1000);

// Charts read their colours from CSS at build time; rebuild them when the scheme flips.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const chart of Object.values(charts)) chart.rebuild();
  render();
});
