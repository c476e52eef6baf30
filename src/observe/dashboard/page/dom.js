// Small DOM helpers that update rows in place (no innerHTML rebuild at each sample), so that
// text selection and hover survive the once-a-second refresh.

/**
 * Sets the text and class of cell `index` of `row`, creating cells up to it. A `text` of null
 * leaves the content alone, for cells the caller fills with elements.
 */
export function cell(row, index, text, className = '') {
  while (row.cells.length <= index) row.insertCell();
  const td = row.cells[index];
  if (text !== null && td.textContent !== text) td.textContent = text;
  if (td.className !== className) td.className = className;
  return td;
}

/**
 * Makes `tbody` hold one row per key, in order, each marked `data-<attribute>=key`; `fill(row, key)`
 * writes its cells. Rows of keys no longer present are removed.
 */
export function keyedRows(tbody, attribute, keys, fill) {
  const existing = new Map();
  for (const row of [...tbody.rows]) existing.set(row.dataset[attribute], row);
  keys.forEach((key, index) => {
    let row = existing.get(key);
    if (row === undefined) {
      row = document.createElement('tr');
      row.dataset[attribute] = key;
    }
    existing.delete(key);
    fill(row, key);
    if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] ?? null);
  });
  for (const row of existing.values()) row.remove();
}

/** An element with a class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A small SVG line of `values` scaled to their own range. */
export function sparkline(values, color, width = 96, height = 22) {
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('aria-hidden', 'true');
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return svg;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const points = values
    .map((v, i) =>
      Number.isFinite(v)
        ? `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`
        : '',
    )
    .filter(Boolean)
    .join(' ');
  const area = document.createElementNS(svgNs, 'polygon');
  area.setAttribute('points', `0,${height} ${points} ${width},${height}`);
  area.setAttribute('fill', color);
  area.setAttribute('fill-opacity', '0.15');
  const line = document.createElementNS(svgNs, 'polyline');
  line.setAttribute('points', points);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', color);
  line.setAttribute('stroke-width', '1.5');
  line.setAttribute('stroke-linejoin', 'round');
  svg.append(area, line);
  return svg;
}
