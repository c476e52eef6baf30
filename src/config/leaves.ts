/**
 * Leaf validators for configuration settings. Each accepts its native type and a string, because
 * environment variables and flags are always strings while YAML gives numbers and booleans, and one
 * schema validates every source. Each carries `kind` and `expects` metadata: `expects` is the
 * "what is allowed" text of error messages and help, so it is written once, here.
 */
import { z } from 'zod';
import { parseBytes } from '../util/bytes.js';

export type LeafKind =
  | 'size'
  | 'integer'
  | 'number'
  | 'ratio'
  | 'percent'
  | 'boolean'
  | 'enum'
  | 'string'
  | 'list'
  | 'structured';

/**
 * One schema per leaf, its metadata registered on it in place: `z.unknown().transform()` makes three
 * schemas and `.meta()` clones the result (zod's schemas are immutable), and building the ~90
 * leaves that way was about 5 ms of every start.
 */
function leaf<T>(kind: LeafKind, expects: string, parse: (raw: unknown) => T | undefined) {
  const schema = z.transform((raw: unknown, ctx): T => {
    const value = parse(raw);
    if (value !== undefined) return value;
    // The message is only the allowed-values text; the loader adds the path, source and value.
    ctx.issues.push({ code: 'custom', message: expects, input: raw });
    return z.NEVER;
  });
  z.globalRegistry.add(schema, { kind, expects });
  return schema;
}

/** A finite number from a number or a numeric string; `undefined` for anything else. */
function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  return Number.isFinite(value) ? value : undefined;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

interface Range {
  min?: number;
  max?: number;
}

/** A byte count greater than zero: `536870912`, `"512MB"`, `"2GiB"` (units are powers of 1024). */
export function size() {
  return leaf('size', 'a size such as 512MB, 2GiB or a byte count (greater than 0)', (raw) => {
    if (typeof raw !== 'number' && typeof raw !== 'string') return undefined;
    const bytes = parseBytes(raw);
    return bytes !== undefined && bytes > 0 ? bytes : undefined;
  });
}

export function int({ min, max }: Range = {}) {
  return leaf('integer', `an integer${rangeText(min, max)}`, (raw) => {
    const value = toNumber(raw);
    if (value === undefined || !Number.isInteger(value)) return undefined;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) return undefined;
    return value;
  });
}

/** A number strictly greater than zero, such as an interval in seconds. */
export function positive() {
  return leaf('number', 'a number greater than 0', (raw) => {
    const value = toNumber(raw);
    return value !== undefined && value > 0 ? value : undefined;
  });
}

/** A fraction in (0, 1]: `0.75`, `"0.75"` or `"75%"`. A bare 75 is refused rather than guessed at. */
export function ratio() {
  return leaf('ratio', 'a ratio between 0 and 1 such as 0.75, or a percentage such as 75%', (raw) => {
    const percent = typeof raw === 'string' && raw.trim().endsWith('%');
    const value = toNumber(percent ? (raw as string).trim().slice(0, -1) : raw);
    if (value === undefined) return undefined;
    const fraction = percent ? value / 100 : value;
    return fraction > 0 && fraction <= 1 ? fraction : undefined;
  });
}

/** A percentage from 0 to 100: `75`, `"75"` or `"75%"`. */
export function percent() {
  return leaf('percent', 'a percentage from 0 to 100 such as 75', (raw) => {
    const text = typeof raw === 'string' ? raw.trim().replace(/%$/, '') : raw;
    const value = toNumber(text);
    return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
  });
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function bool() {
  return leaf('boolean', 'true or false (also yes/no, on/off, 1/0)', (raw) => {
    if (typeof raw === 'boolean') return raw;
    const text =
      typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    return undefined;
  });
}

/** One of `values`, matched without regard to case so `RSS` in an environment variable works. */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return leaf('enum', `one of: ${values.join(', ')}`, (raw): T[number] | undefined => {
    if (typeof raw !== 'string') return undefined;
    const text = raw.trim().toLowerCase();
    return values.find((value) => value.toLowerCase() === text);
  });
}

export function str() {
  return leaf('string', 'a non-empty string', (raw) =>
    typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined,
  );
}

/** A list of strings: a YAML list, or one comma-separated string from a flag or variable. */
export function list() {
  return leaf('list', 'a comma-separated list such as a,b,c', (raw): string[] | undefined => {
    const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
    if (!items?.every((item) => typeof item === 'string')) return undefined;
    return items.map((item) => item.trim()).filter((item) => item !== '');
  });
}

/**
 * A structured value that only the configuration file can give (a list of APIs, say): it has no
 * environment variable, and `schema` validates it.
 */
export function structured<T extends z.ZodType>(schema: T, expects: string) {
  return schema.meta({ kind: 'structured', expects, fileOnly: true });
}
