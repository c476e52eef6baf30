/**
 * Parameter values to the text that goes on the wire, by OpenAPI `style` and `explode`
 * (RFC 6570 expansion for matrix, label, simple and form; OpenAPI's own spaceDelimited,
 * pipeDelimited and deepObject). The results follow the style table of OpenAPI 3.1.1, which
 * corrected 3.1.0's label rows to RFC 6570 (`.blue,black,brown` without explode) and writes the
 * delimiters `|`, `[` and `]` percent-encoded, as RFC 3986 requires in a query.
 *
 * Every value is percent-encoded here, so a value can never add a path segment, a query parameter
 * or a header line: only the delimiters this module adds stay literal.
 */
import { ToolArgumentError } from '../errors.js';
import type { OperationParameter } from './types.js';

const HEX = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);
const ONLY_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const NOT_UNRESERVED = /[^A-Za-z0-9\-._~]/gu;
// allowReserved keeps RFC 3986's reserved characters as they are, except `#`: in a URL it can only
// start the fragment, so the URL parser would encode it anyway.
const NOT_RESERVED = /[^A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]/gu;
/** Deeper argument values are refused rather than walked (deepObject, JSON parts). */
export const MAX_VALUE_DEPTH = 32;

/**
 * Percent-encodes every character outside RFC 3986's unreserved set (and, with `allowReserved`,
 * outside its reserved set too), as UTF-8. Spaces become `%20`; an unpaired surrogate becomes
 * U+FFFD rather than throwing as `encodeURIComponent` does.
 */
export function percentEncode(text: string, allowReserved = false): string {
  if (ONLY_UNRESERVED.test(text)) return text;
  return text.replace(allowReserved ? NOT_RESERVED : NOT_UNRESERVED, encodeChar);
}

function encodeChar(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += HEX[byte];
  return out;
}

/** The JSON type of a value, for messages: `string`, `integer`, `number`, `array`, `null`, ... */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A scalar as text: strings as they are, numbers and booleans as JSON, anything else as JSON text. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Whether a media type is JSON: `application/json` or any `+json` type (parameters ignored). */
export function isJsonMediaType(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

/** A value as RFC 6570 sees it: undefined (absent, or an empty list or map), a string, a list or a map. */
type Shape =
  | { kind: 'scalar'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'map'; entries: Array<[string, string]> };

function shapeOf(param: OperationParameter, value: unknown): Shape | undefined {
  if (value === undefined || value === null) return undefined;
  // A parameter described by `content` is one value in its media type, whatever the style says.
  if (param.contentType !== undefined) {
    const text =
      isJsonMediaType(param.contentType) || typeof value !== 'string' ? JSON.stringify(value) : value;
    return { kind: 'scalar', text };
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : { kind: 'list', items: value.map(scalarText) };
  }
  if (isPlainObject(value)) {
    const entries: Array<[string, string]> = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && item !== null) entries.push([key, scalarText(item)]);
    }
    return entries.length === 0 ? undefined : { kind: 'map', entries };
  }
  return { kind: 'scalar', text: scalarText(value) };
}

/**
 * A path parameter's text, encoded for one path segment. Styles: simple (default), label, matrix.
 * The parameter must be present (the caller checks); an empty list or map renders as the style's
 * "undefined" form (`''`, `.`, `;name`).
 */
export function serializePath(param: OperationParameter, value: unknown): string {
  const style = param.style ?? 'simple';
  const explode = param.explode ?? false;
  const shape = shapeOf(param, value);
  const enc = (text: string): string => percentEncode(text);
  const name = enc(param.name);
  if (style === 'matrix') {
    if (!shape) return `;${name}`;
    if (shape.kind === 'scalar') return shape.text === '' ? `;${name}` : `;${name}=${enc(shape.text)}`;
    if (shape.kind === 'list') {
      if (!explode) return `;${name}=${shape.items.map(enc).join(',')}`;
      return shape.items.map((item) => (item === '' ? `;${name}` : `;${name}=${enc(item)}`)).join('');
    }
    if (!explode) return `;${name}=${flatten(shape.entries, enc)}`;
    return shape.entries.map(([k, v]) => (v === '' ? `;${enc(k)}` : `;${enc(k)}=${enc(v)}`)).join('');
  }
  const prefix = style === 'label' ? '.' : '';
  const separator = style === 'label' && explode ? '.' : ',';
  if (!shape) return prefix;
  if (shape.kind === 'scalar') return prefix + enc(shape.text);
  if (shape.kind === 'list') return prefix + shape.items.map(enc).join(separator);
  if (!explode) return prefix + flatten(shape.entries, enc);
  return prefix + shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join(separator);
}

/**
 * A query parameter as encoded `name=value` pairs, in order; none when the value is absent, null,
 * or an empty list or map (RFC 6570 omits undefined variables from a query).
 * Styles: form (default, explode by default), spaceDelimited, pipeDelimited, deepObject.
 */
export function serializeQuery(param: OperationParameter, value: unknown): string[] {
  const style = param.style ?? 'form';
  const explode = param.explode ?? style === 'form';
  const enc = (text: string): string => percentEncode(text, param.allowReserved === true);
  const name = percentEncode(param.name);
  if (style === 'deepObject' && param.contentType === undefined && isPlainObject(value)) {
    const out: string[] = [];
    deepObject(name, value, enc, out, 1);
    return out;
  }
  const shape = shapeOf(param, value);
  if (!shape) return [];
  if (shape.kind === 'scalar') return [`${name}=${enc(shape.text)}`];
  const delimiter = style === 'spaceDelimited' ? '%20' : style === 'pipeDelimited' ? '%7C' : ',';
  if (shape.kind === 'list') {
    if (explode || style === 'deepObject') return shape.items.map((item) => `${name}=${enc(item)}`);
    return [`${name}=${shape.items.map(enc).join(delimiter)}`];
  }
  if (explode) return shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return [`${name}=${shape.entries.flatMap(([k, v]) => [enc(k), enc(v)]).join(delimiter)}`];
}

/** `name[a]=1&name[a][b]=2`, brackets encoded; lists repeat their key; null and undefined are left out. */
function deepObject(
  prefix: string,
  value: unknown,
  enc: (text: string) => string,
  out: string[],
  depth: number,
): void {
  if (value === undefined || value === null) return;
  if (depth > MAX_VALUE_DEPTH) {
    throw new ToolArgumentError(`${prefix}: nested deeper than ${MAX_VALUE_DEPTH} levels; flatten it`);
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      deepObject(`${prefix}%5B${percentEncode(key)}%5D`, item, enc, out, depth + 1);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) deepObject(prefix, item, enc, out, depth + 1);
  } else {
    out.push(`${prefix}=${enc(scalarText(value))}`);
  }
}

/**
 * A header parameter's value (style simple), or undefined when absent. Header values are not
 * percent-encoded, so a line break or other control character (tab excepted) would start a new
 * header: that is refused, as are characters that HTTP/1.1 cannot carry (above U+00FF).
 */
export function serializeHeader(param: OperationParameter, value: unknown): string | undefined {
  const shape = shapeOf(param, value);
  if (!shape) return undefined;
  let text: string;
  if (shape.kind === 'scalar') text = shape.text;
  else if (shape.kind === 'list') text = shape.items.join(',');
  else if (param.explode === true) text = shape.entries.map(([k, v]) => `${k}=${v}`).join(',');
  else text = flatten(shape.entries, (t) => t);
  checkHeaderValue(`header parameter '${param.argument}'`, text);
  return text;
}

/** Throws a ToolArgumentError naming `what` when `text` cannot be a header value. Never echoes it. */
export function checkHeaderValue(what: string, text: string): void {
  const bad = /[\u0000-\u0008\u000A-\u001F\u007F]|[^\u0000-\u00FF]/u.exec(text);
  if (!bad) return;
  const code = bad[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const why =
    code <= 0xff
      ? 'a line break or control character, which could inject another header'
      : 'a character beyond Latin-1, which HTTP headers cannot carry';
  throw new ToolArgumentError(
    `${what} contains ${why} (${hex} at position ${bad.index}); remove it from the value`,
  );
}

/**
 * A cookie parameter as encoded `name=value` pairs (style form; explode by default): lists repeat
 * the name, maps spread into their own pairs; without explode they are comma-joined.
 */
export function serializeCookie(param: OperationParameter, value: unknown): string[] {
  const explode = param.explode ?? true;
  const shape = shapeOf(param, value);
  if (!shape) return [];
  const enc = (text: string): string => percentEncode(text);
  const name = enc(param.name);
  if (shape.kind === 'scalar') return [`${name}=${enc(shape.text)}`];
  if (shape.kind === 'list') {
    if (explode) return shape.items.map((item) => `${name}=${enc(item)}`);
    return [`${name}=${shape.items.map(enc).join(',')}`];
  }
  if (explode) return shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return [`${name}=${flatten(shape.entries, enc)}`];
}

function flatten(entries: Array<[string, string]>, enc: (text: string) => string): string {
  return entries.flatMap(([k, v]) => [enc(k), enc(v)]).join(',');
}
