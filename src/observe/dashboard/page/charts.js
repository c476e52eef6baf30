// uPlot charts that follow the window's width and the colour scheme. Each chart is rebuilt only
// when its shape changes (a component appears, the scheme flips); otherwise setData() on each
// sample. Series legends show the value under the cursor, or the latest value when the cursor is
// elsewhere, so a glance at a legend reads the current figure.
/* global uPlot */
import * as fmt from './format.js';

/** Distinct hues that hold up on both the dark and the light background. */
export const PALETTE = [
  '#5b8def',
  '#2fbf9b',
  '#f0a43a',
  '#a377f2',
  '#ef6f91',
  '#46b9e0',
  '#8cc152',
  '#e8835a',
];

/** Colours from the stylesheet's custom properties, so that charts match the scheme in force. */
export function themeColors() {
  const css = getComputedStyle(document.documentElement);
  const read = (name) => css.getPropertyValue(name).trim();
  return {
    text: read('--text'),
    muted: read('--muted'),
    grid: read('--grid'),
    other: read('--other'),
    danger: read('--critical'),
    warning: read('--warning'),
    ok: read('--ok'),
    font: read('--font-ui') || 'system-ui, sans-serif',
  };
}

/** `#rrggbb` with an alpha 0..1 as `rgba()`. */
export function alpha(hex, a) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return hex;
  return `rgba(${Number.parseInt(m[1], 16)}, ${Number.parseInt(m[2], 16)}, ${Number.parseInt(m[3], 16)}, ${a})`;
}

/** Byte ticks at round binary sizes (64 MiB, 128 MiB, 250 MiB), not at decimal ones. */
const BYTE_INCREMENTS = [];
for (let power = 0; power <= 4; power++) {
  for (const m of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500]) BYTE_INCREMENTS.push(m * 1024 ** power);
}

const trimZeros = (text) => text.replace(/\.0+ /, ' ').replace(/(\.\d*?)0+ /, '$1 ');

function axis(colors, extra = {}) {
  return {
    stroke: colors.muted,
    font: `11px ${colors.font}`,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1, size: 4 },
    ...extra,
  };
}

/** Axis options for a y axis: 'bytes', 'ms', 'percent', 'rate'. */
export function yAxis(colors, unit, extra = {}) {
  const format = {
    bytes: (v) => trimZeros(fmt.bytes(v)),
    ms: (v) => (v === 0 ? '0' : trimZeros(fmt.ms(v))),
    percent: (v) => `${Math.round(v)}%`,
    rate: (v) => (v === 0 ? '0' : fmt.rate(v)),
  }[unit];
  return axis(colors, {
    size: 64,
    values: (_u, values) => values.map(format),
    ...(unit === 'bytes' ? { incrs: BYTE_INCREMENTS } : {}),
    ...extra,
  });
}

/**
 * A series whose legend shows `format(raw[idx])`, `raw` being the unstacked values, and the
 * latest value when no point is under the cursor.
 */
export function series(label, stroke, format, raw, extra = {}) {
  return {
    label,
    stroke,
    width: 1.5,
    points: { show: false },
    value: (_u, _v, sidx, idx) => {
      const values = raw()[sidx];
      if (!values || values.length === 0) return '—';
      const i = idx ?? values.length - 1;
      return format(values[i]);
    },
    ...extra,
  };
}

/** Time ticks in whole seconds and round minutes: samples may be 200 ms apart, labels need not. */
const TIME_INCREMENTS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** 24-hour clock labels; seconds only when the ticks are less than a minute apart. */
function timeLabels(_u, splits, _axis, _space, increment) {
  return splits.map((v) => {
    const text = fmt.clock(v * 1000);
    return increment < 60 ? text : text.slice(0, 5);
  });
}

/** Options shared by every time chart; `build` adds series, scales and axes. */
export function baseOptions(colors, width, height) {
  return {
    width,
    height,
    cursor: { sync: { key: 'headroom' }, points: { size: 6 }, drag: { x: false, y: false } },
    legend: { live: true },
    padding: [10, 18, 0, 0],
    axes: [axis(colors, { space: 70, incrs: TIME_INCREMENTS, values: timeLabels })],
    scales: { x: { time: true } },
  };
}

/**
 * One uPlot chart in `el`. `build(colors, width, height)` returns uPlot options; `shapeKey`
 * changes when the series change and forces a rebuild.
 */
export class Chart {
  constructor(el, height, build) {
    this.el = el;
    this.height = height;
    this.build = build;
    this.plot = undefined;
    this.key = undefined;
    this.data = undefined;
    this.width = 0;
    new ResizeObserver(() => this.resize()).observe(el);
  }

  update(shapeKey, data) {
    this.data = data;
    if (this.plot === undefined || shapeKey !== this.key) {
      this.key = shapeKey;
      this.rebuild();
    } else {
      this.plot.setData(data);
    }
  }

  rebuild() {
    if (this.data === undefined) return;
    this.plot?.destroy();
    this.width = this.el.clientWidth;
    const opts = this.build(themeColors(), this.width, this.height);
    // The legend's first entry is the time under the cursor, or "latest" when there is none.
    opts.series[0] = {
      label: 'time',
      value: (_u, v) => (v == null ? 'latest' : fmt.clock(v * 1000)),
      ...opts.series[0],
    };
    this.plot = new uPlot(opts, this.data, this.el);
  }

  resize() {
    const width = this.el.clientWidth;
    if (this.plot === undefined || width === this.width || width === 0) return;
    this.width = width;
    this.plot.setSize({ width, height: this.height });
  }
}
