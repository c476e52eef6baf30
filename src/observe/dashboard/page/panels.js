// The alert panel and the component table.
import { cell, el, keyedRows, sparkline } from './dom.js';
import * as fmt from './format.js';
import { componentNames, sumComponents } from './process-charts.js';

/** Alert kinds whose value and threshold are byte counts. */
const BYTE_KINDS = new Set(['memory', 'component', 'leak']);

function alertFigures(alert) {
  const show = BYTE_KINDS.has(alert.kind)
    ? fmt.bytes
    : (v) => (Number.isInteger(v) ? fmt.count(v) : v.toFixed(2));
  return `${show(alert.value)} / ${show(alert.threshold)}`;
}

function alertItem(alert, now, resolved) {
  const li = el('li', `alert ${resolved ? 'resolved' : alert.severity}`);
  li.dataset.alertId = alert.id;
  li.dataset.severity = alert.severity;
  const head = el('div', 'alert-head');
  head.append(
    el('span', `badge ${resolved ? 'resolved' : alert.severity}`, resolved ? 'resolved' : alert.severity),
    el('span', 'alert-kind', alert.kind),
    el('span', 'alert-id mono', alert.id),
  );
  const when = resolved
    ? `${fmt.clock(alert.resolvedAt)} · lasted ${fmt.duration((alert.resolvedAt - alert.startedAt) / 1000)}`
    : `for ${fmt.duration((now - alert.startedAt) / 1000)} · since ${fmt.clock(alert.startedAt)}`;
  const meta = el('div', 'alert-meta');
  meta.append(el('span', 'mono', alertFigures(alert)), el('span', '', when));
  li.append(head, el('div', 'alert-message', alert.message), meta);
  return li;
}

/** Active alerts (critical first) and the most recent resolved ones. `now` is server time (ms). */
export function renderAlerts(root, active, resolved, now, maxResolved) {
  const rank = { critical: 0, warning: 1 };
  const sorted = [...active].sort((a, b) => rank[a.severity] - rank[b.severity] || a.startedAt - b.startedAt);
  const activeList = root.querySelector('#alerts-active');
  activeList.replaceChildren(...sorted.map((a) => alertItem(a, now, false)));
  const resolvedList = root.querySelector('#alerts-resolved');
  resolvedList.replaceChildren(...resolved.slice(0, maxResolved).map((a) => alertItem(a, now, true)));
  const worst = sorted[0]?.severity ?? 'ok';
  root.dataset.level = worst;
  root.querySelector('#alerts-clear').hidden = sorted.length > 0;
  root.querySelector('#alerts-count').textContent =
    sorted.length === 0 ? 'all clear' : `${sorted.length} active`;
  root.querySelector('#resolved-title').hidden = resolved.length === 0;
}

/** The sample at least `seconds` older than the last one (or the oldest), for trends. */
function sampleBefore(samples, seconds) {
  const last = samples[samples.length - 1];
  for (let i = samples.length - 1; i >= 0; i--) {
    if (last.t - samples[i].t >= seconds * 1000) return samples[i];
  }
  return samples[0];
}

/**
 * One row per component plus "other": bytes, share of rss (a bar), a sparkline of the last
 * `trendPoints` samples and the change over the last minute.
 */
export function renderComponents(tbody, samples, colorOf, otherColor, trendPoints) {
  const last = samples[samples.length - 1];
  if (last === undefined) return;
  const names = componentNames(samples);
  const recent = samples.slice(-trendPoints);
  const before = sampleBefore(samples, 60);
  const span = (last.t - before.t) / 1000;
  const other = (s) => Math.max(0, s.rss - sumComponents(s));
  const rows = [...names, '\u0000other'];
  keyedRows(tbody, 'component', rows, (row, key) => {
    const isOther = key === '\u0000other';
    const read = isOther ? other : (s) => s.components[key];
    const bytes = read(last);
    const color = isOther ? otherColor : colorOf(key);
    row.className = isOther ? 'other' : '';
    const name = cell(row, 0, null, 'name');
    if (name.childElementCount === 0) {
      const swatch = el('span', 'swatch');
      name.append(swatch, el('span', isOther ? '' : 'mono', isOther ? 'other (rss − components)' : key));
    }
    name.firstChild.style.background = color;
    const bytesCell = cell(row, 1, bytes === undefined ? 'gone' : fmt.bytes(bytes), 'num bytes');
    bytesCell.dataset.bytes = String(bytes ?? '');
    const share = bytes === undefined || last.rss === 0 ? undefined : bytes / last.rss;
    const shareCell = cell(row, 2, null, 'share');
    let bar = shareCell.querySelector('.bar');
    if (bar === null) {
      bar = el('div', 'bar');
      bar.append(el('div', 'fill'));
      shareCell.append(bar, el('span', 'num'));
    }
    bar.firstChild.style.width = `${Math.min(100, (share ?? 0) * 100).toFixed(1)}%`;
    bar.firstChild.style.background = color;
    shareCell.lastChild.textContent = fmt.percent(share);
    const trendCell = cell(row, 3, null, 'trend');
    trendCell.replaceChildren(
      sparkline(
        recent.map((s) => read(s) ?? Number.NaN),
        color,
      ),
    );
    const delta = bytes === undefined ? undefined : bytes - (read(before) ?? 0);
    const deltaClass = !delta ? 'flat' : delta > 0 ? 'up' : 'down';
    cell(row, 4, span > 0 ? fmt.bytesDelta(delta) : '—', `num delta ${deltaClass}`);
  });
  return { spanSeconds: span };
}
