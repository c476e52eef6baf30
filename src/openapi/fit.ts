/**
 * Fitting a JSON value into the response budget. What does not fit is cut and marked inside the
 * value, never dropped silently: long strings end in `…[cut: N more characters]`, long arrays in a
 * `…[N more items]` string, long objects in a `"…": "…[N more keys]"` entry, and containers beyond
 * the kept depth become `[object with N keys, cut]` / `[array of N items, cut]`.
 *
 * Three limits (string length, items per array or keys per object, depth) each take a level from 0
 * (tightest) to MAX_LEVEL (no limit). A binary search finds the highest common level that fits, then
 * each limit is raised on its own as far as it still fits. Every attempt builds the trimmed copy top
 * down and stops as soon as its size passes the budget, so an attempt costs about the size of the
 * output, not of the input: fitting 50 MB into 100 KB reads only the first 100 KB or so.
 */
import { formatCount } from '../util/count.js';

export interface FitResult {
  /** JSON text; its UTF-8 length is at most the budget. */
  text: string;
  /** UTF-8 length of `text`. */
  bytes: number;
  /** Whether anything was cut. */
  cut: boolean;
  /** What was cut, in words, for the trailer that follows the result. */
  notes: string[];
}

/**
 * Below this compact size the text is indented by 2 spaces (when that still fits): small results are
 * read by people in clients too, while indenting a large one costs the model budget for whitespace.
 */
export const INDENT_BELOW_BYTES = 4096;

const MAX_LEVEL = 30;
/** Containers deeper than this are cut even when everything fits, so that no value overflows the stack. */
export const MAX_DEPTH = 200;
/** `""` is the smallest JSON text there is. */
const MIN_BUDGET = 2;

interface Limits {
  strings: number;
  items: number;
  keys: number;
  depth: number;
}

// Geometric steps of 1.5: fine enough that a level's output is at most about 1.5 times the one below.
function limitsAt(strings: number, items: number, depth: number): Limits {
  return {
    strings: strings >= MAX_LEVEL ? Number.POSITIVE_INFINITY : Math.round(32 * 1.5 ** strings),
    items: items >= MAX_LEVEL ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(1.5 ** items)),
    keys: items >= MAX_LEVEL ? Number.POSITIVE_INFINITY : Math.round(8 * 1.5 ** items),
    depth: depth >= MAX_LEVEL ? MAX_DEPTH : depth,
  };
}

interface Counts {
  strings: number;
  arrays: number;
  objects: number;
  branches: number;
}

interface Attempt {
  copy: unknown;
  size: number;
  over: boolean;
  limits: Limits;
  counts: Counts;
}

/** Returns JSON text for `value` whose UTF-8 length is at most `budgetBytes`, cutting as little as it can. */
export function fitJson(value: unknown, budgetBytes: number): FitResult {
  if (!Number.isFinite(budgetBytes) || budgetBytes < MIN_BUDGET) {
    throw new RangeError(`fitJson needs a budget of at least ${MIN_BUDGET} bytes, got ${budgetBytes}.`);
  }
  const budget = Math.floor(budgetBytes);
  const keyCache = new WeakMap<object, string[]>();
  const attempt = (s: number, i: number, d: number): Attempt =>
    new Trimmer(limitsAt(s, i, d), budget, keyCache).run(value);

  const whole = attempt(MAX_LEVEL, MAX_LEVEL, MAX_LEVEL);
  if (!whole.over) return finish(whole, budget);

  let best: Attempt | undefined;
  let level = -1;
  let low = 0;
  let high = MAX_LEVEL - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const result = attempt(middle, middle, middle);
    if (result.over) {
      high = middle - 1;
    } else {
      best = result;
      level = middle;
      low = middle + 1;
    }
  }
  if (best === undefined) return lastResort(value, budget);

  // Depth first: a cut branch loses the most. Then items, then string lengths.
  const levels = { depth: level, items: level, strings: level };
  for (const dimension of ['depth', 'items', 'strings'] as const) {
    let lowLevel = levels[dimension] + 1;
    let highLevel = MAX_LEVEL;
    while (lowLevel <= highLevel) {
      const middle = (lowLevel + highLevel) >> 1;
      const trial = { ...levels, [dimension]: middle };
      const result = attempt(trial.strings, trial.items, trial.depth);
      if (result.over) {
        highLevel = middle - 1;
      } else {
        best = result;
        levels[dimension] = middle;
        lowLevel = middle + 1;
      }
    }
  }
  return finish(best, budget);
}

function finish(attempt: Attempt, budget: number): FitResult {
  let text = JSON.stringify(attempt.copy);
  if (attempt.size < INDENT_BELOW_BYTES) {
    const indented = JSON.stringify(attempt.copy, null, 2);
    if (Buffer.byteLength(indented) <= budget) text = indented;
  }
  const bytes = Buffer.byteLength(text);
  const notes = describeCuts(attempt.counts, attempt.limits);
  return { text, bytes, cut: notes.length > 0, notes };
}

function describeCuts(counts: Counts, limits: Limits): string[] {
  const notes: string[] = [];
  if (counts.strings > 0) {
    notes.push(`${plural(counts.strings, 'string')} shortened to ${formatCount(limits.strings)} characters`);
  }
  if (counts.arrays > 0) {
    notes.push(`${plural(counts.arrays, 'array')} cut to their first ${first(limits.items, 'item')}`);
  }
  if (counts.objects > 0) {
    notes.push(`${plural(counts.objects, 'object')} cut to their first ${first(limits.keys, 'key')}`);
  }
  if (counts.branches > 0) {
    notes.push(`${plural(counts.branches, 'branch', 'branches')} beyond depth ${limits.depth} cut`);
  }
  return notes;
}

/** Not even the tightest limits fit: one string that says what the value was. */
function lastResort(value: unknown, budget: number): FitResult {
  const what = describeValue(value);
  const candidates = [`[${what}: over the response budget]`, '[over the response budget]', '[cut]', '…', ''];
  for (const candidate of candidates) {
    const text = JSON.stringify(candidate);
    const bytes = Buffer.byteLength(text);
    if (bytes <= budget) {
      return {
        text,
        bytes,
        cut: true,
        notes: [`the whole ${what} is over the response budget of ${formatCount(budget)} bytes`],
      };
    }
  }
  // Unreachable: `""` is MIN_BUDGET bytes.
  throw new RangeError(`fitJson needs a budget of at least ${MIN_BUDGET} bytes, got ${budget}.`);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `array of ${plural(value.length, 'item')}`;
  if (typeof value === 'string') return `string of ${plural(value.length, 'character')}`;
  if (value !== null && typeof value === 'object')
    return `object with ${plural(Object.keys(value).length, 'key')}`;
  return 'value';
}

/**
 * One attempt at given limits. `size` is the exact UTF-8 length of JSON.stringify(copy) so far, and
 * the walk stops as soon as it passes the budget.
 */
class Trimmer {
  private size = 0;
  private readonly counts: Counts = { strings: 0, arrays: 0, objects: 0, branches: 0 };

  constructor(
    private readonly limits: Limits,
    private readonly budget: number,
    private readonly keyCache: WeakMap<object, string[]>,
  ) {}

  run(value: unknown): Attempt {
    const copy = this.value(value, 0, '');
    const kept = copy === undefined ? null : copy;
    if (copy === undefined) this.add(4);
    return {
      copy: kept,
      size: this.size,
      over: this.size > this.budget,
      limits: this.limits,
      counts: this.counts,
    };
  }

  private get over(): boolean {
    return this.size > this.budget;
  }

  private add(bytes: number): void {
    this.size += bytes;
  }

  /** The trimmed copy of `value`, or undefined where JSON.stringify would leave it out. */
  private value(value: unknown, depth: number, key: string): unknown {
    if (
      value !== null &&
      typeof value === 'object' &&
      typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ) {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    }
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number': {
        this.add(Number.isFinite(value) ? String(value).length : 4);
        return value;
      }
      case 'boolean':
        this.add(value ? 4 : 5);
        return value;
      case 'bigint':
        // JSON.stringify throws on bigint; its digits as a string keep the value readable.
        return this.string(value.toString());
      case 'object':
        if (value === null) {
          this.add(4);
          return null;
        }
        if (depth > this.limits.depth) return this.branchMarker(value);
        return Array.isArray(value)
          ? this.array(value, depth)
          : this.object(value as Record<string, unknown>, depth);
      default:
        return undefined;
    }
  }

  private string(value: string): string {
    let out = value;
    if (value.length > this.limits.strings) {
      let end = this.limits.strings;
      const last = value.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end -= 1;
      const shortened = `${value.slice(0, end)}…[cut: ${formatCount(value.length - end)} more characters]`;
      // Only when the marker costs less than what it replaces.
      if (shortened.length < value.length) {
        out = shortened;
        this.counts.strings += 1;
      }
    }
    // Each UTF-16 unit is at least one byte of JSON: an over-long string fails without being encoded.
    if (this.size + out.length + 2 > this.budget) {
      this.add(out.length + 2);
      return out;
    }
    this.add(Buffer.byteLength(JSON.stringify(out)));
    return out;
  }

  private array(value: unknown[], depth: number): unknown[] {
    const keep = Math.min(value.length, this.limits.items);
    const out: unknown[] = [];
    this.add(2);
    for (let index = 0; index < keep && !this.over; index++) {
      if (index > 0) this.add(1);
      const item = this.value(value[index], depth + 1, String(index));
      if (item === undefined) {
        this.add(4);
        out.push(null);
      } else {
        out.push(item);
      }
    }
    if (keep < value.length && !this.over) {
      if (keep > 0) this.add(1);
      this.counts.arrays += 1;
      out.push(this.marker(`…[${formatCount(value.length - keep)} more items]`));
    }
    return out;
  }

  private object(value: Record<string, unknown>, depth: number): Record<string, unknown> {
    const keys = this.keysOf(value);
    const keep = Math.min(keys.length, this.limits.keys);
    const out: Record<string, unknown> = {};
    let written = 0;
    this.add(2);
    for (let index = 0; index < keep && !this.over; index++) {
      const key = keys[index]!;
      const before = this.size;
      // Separator and key first, so that an over-long key stops the walk before its value is visited.
      this.add((written > 0 ? 1 : 0) + this.bytesOf(key) + 1);
      if (this.over) break;
      const item = this.value(value[key], depth + 1, key);
      if (item === undefined) {
        this.size = before;
        continue;
      }
      setKey(out, key, item);
      written += 1;
    }
    if (keep < keys.length && !this.over) {
      let markerKey = '…';
      while (Object.hasOwn(out, markerKey)) markerKey += '…';
      this.add((written > 0 ? 1 : 0) + this.bytesOf(markerKey) + 1);
      this.counts.objects += 1;
      setKey(out, markerKey, this.marker(`…[${formatCount(keys.length - keep)} more keys]`));
    }
    return out;
  }

  private branchMarker(value: object): string {
    this.counts.branches += 1;
    const text = Array.isArray(value)
      ? `[array of ${plural(value.length, 'item')}, cut]`
      : `[object with ${plural(this.keysOf(value).length, 'key')}, cut]`;
    return this.marker(text);
  }

  private marker(text: string): string {
    this.add(this.bytesOf(text));
    return text;
  }

  private bytesOf(text: string): number {
    return text.length + 2 > this.budget - this.size
      ? text.length + 2
      : Buffer.byteLength(JSON.stringify(text));
  }

  // Objects are visited once per attempt; listing the keys of a huge one each time would not be.
  private keysOf(value: object): string[] {
    let keys = this.keyCache.get(value);
    if (keys === undefined) {
      keys = Object.keys(value);
      this.keyCache.set(value, keys);
    }
    return keys;
  }
}

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to `__proto__` would set the prototype instead of adding a field.
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** Cuts `text` to at most `budgetBytes` of UTF-8, at a character boundary (never inside a surrogate pair). */
export function fitText(text: string, budgetBytes: number): { text: string; bytes: number; cut: boolean } {
  const budget = Math.max(0, Math.floor(budgetBytes));
  // Every UTF-16 unit is at least one byte, so a fitting prefix is never longer than `budget` units.
  if (text.length <= budget) {
    const bytes = Buffer.byteLength(text);
    if (bytes <= budget) return { text, bytes, cut: false };
  }
  let head = text.slice(0, budget);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  const target = new Uint8Array(budget);
  const { read, written } = new TextEncoder().encodeInto(head, target);
  return { text: head.slice(0, read), bytes: written, cut: true };
}

function first(count: number, singular: string): string {
  return count === 1 ? singular : `${formatCount(count)} ${singular}s`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
