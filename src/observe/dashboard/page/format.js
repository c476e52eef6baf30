// Numbers for people: IEC byte units, milliseconds, durations, percentages. Pure functions, no DOM.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB"; three significant digits, binary units (the same units the OS tools use). */
export function bytes(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const sign = value < 0 ? '−' : '';
  let n = Math.abs(value);
  let unit = 0;
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  const digits = unit === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 2;
  return `${sign}${n.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** A signed byte change: "+1.2 MiB", "−640 B", "0 B". */
export function bytesDelta(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0 B';
  return value > 0 ? `+${bytes(value)}` : bytes(value);
}

/** Milliseconds: "0.42 ms", "12.3 ms", "1.25 s". */
export function ms(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const n = Math.abs(value);
  if (n >= 1000) return `${(value / 1000).toFixed(n >= 10_000 ? 1 : 2)} s`;
  if (n >= 100) return `${value.toFixed(0)} ms`;
  if (n >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** Seconds as "3h 12m", "4m 05s", "12s". */
export function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** A share 0..1 as "42.0%" (one decimal below 10%, so small components stay readable). */
export function percent(share) {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const p = share * 100;
  return `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** Counts with thousands separators: 12345 -> "12,345". */
export function count(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

/** A rate per second: "0", "0.4/s", "12/s", "1.2k/s". */
export function rate(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0/s';
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k/s`;
  if (value >= 10) return `${value.toFixed(0)}/s`;
  return `${value.toFixed(1)}/s`;
}

/** Epoch ms as a local clock time "14:03:22". */
export function clock(epochMs) {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
