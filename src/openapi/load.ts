/**
 * Loads a specification: reads its bytes (file, URL or stdin, under a size cap), decodes them,
 * parses JSON or YAML by looking at the content rather than the name, and checks that the result is
 * an OpenAPI 3.x or Swagger 2.0 document. Conversion of Swagger 2.0 is a separate step.
 */
import { isUtf8 } from 'node:buffer';
import { SpecError } from '../errors.js';
import { locateJsonError } from '../memory/json-locate.js';
import { SpecCache } from './cache.js';
import { describeSource, readSource, type SourceOptions } from './source.js';
import type { JsonObject, LoadedSpec } from './types.js';
import { parseYaml, type YamlOptions } from './yaml.js';

export interface LoadSpecOptions extends SourceOptions, YamlOptions {}

export interface ParsedDocument {
  format: 'json' | 'yaml';
  /** Whatever the text held: an object for a specification, but any JSON value in general. */
  value: unknown;
}

export async function loadSpec(source: string, options: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const read = await readSource(source, options);
  const parsed = parseSpecBytes(read.bytes, source, options);
  const { document, version } = identifySpec(parsed.value, source);
  const spec: LoadedSpec = {
    source,
    format: parsed.format,
    bytes: read.bytes.length,
    hash: SpecCache.contentHash(read.bytes),
    document,
    version,
  };
  if (read.file !== undefined) spec.file = read.file;
  if (read.url !== undefined) spec.url = read.url;
  return spec;
}

/**
 * Decodes and parses the bytes of a specification or of a file it references, with the same guards
 * (encoding, nesting depth, YAML aliases) whatever the document is.
 */
export function parseSpecBytes(bytes: Uint8Array, source: string, options: YamlOptions = {}): ParsedDocument {
  return parseSpecText(decodeSpec(bytes, source), source, options);
}

export function parseSpecText(text: string, source: string, options: YamlOptions = {}): ParsedDocument {
  // decodeSpec drops the byte order mark, but text may come from elsewhere, and JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const where = describeSource(source);
  const first = firstSignificant(text);
  if (first === undefined) {
    throw new SpecError(source, `${where} is empty; expected an OpenAPI document in JSON or YAML`);
  }
  const c = text.charCodeAt(first);
  if (c === 0x7b || c === 0x5b) return parseJson(text, source, options);
  if (c === 0x3c) {
    throw new SpecError(
      source,
      `${where} is HTML or XML, not an OpenAPI document; if it is a documentation page (such as Swagger UI), ` +
        'pass the URL of the JSON or YAML file the page loads',
      lineColumn(text, first),
    );
  }
  return { format: 'yaml', value: parseYaml(text, source, options) };
}

function firstSignificant(text: string, from = 0): number | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xfeff) return i;
  }
  return undefined;
}

/** 1-based line and column (in UTF-16 units) of `index` in `text`. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

// --- decoding ---------------------------------------------------------------------------------

/**
 * UTF-8, with or without a byte order mark; UTF-16 only when a BOM says so, since editors on
 * Windows still save that way. Invalid bytes are an error rather than U+FFFD: a silently mangled
 * name or enum value would surface much later as a confusing failure.
 */
export function decodeSpec(bytes: Uint8Array, source: string): string {
  const where = describeSource(source);
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch (error) {
      throw new SpecError(
        source,
        `${where} starts with a ${encoding.toUpperCase()} byte order mark but is not valid ${encoding.toUpperCase()}; save it as UTF-8`,
        {},
        error,
      );
    }
  }
  // isUtf8 validates natively and much faster than a fatal TextDecoder, which remains the slow path
  // that locates the bad byte.
  if (isUtf8(bytes)) {
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const offset = firstInvalidUtf8(bytes);
    if (offset < 0) {
      throw new SpecError(source, `${where} is not valid UTF-8; save it as UTF-8`, {}, error);
    }
    const before = bytes.subarray(0, offset);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    let line = 1;
    for (const byte of before) if (byte === 0x0a) line++;
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
    const hex = Array.from(bytes.subarray(offset, offset + 4), (b) => b.toString(16).padStart(2, '0')).join(
      ' ',
    );
    throw new SpecError(
      source,
      `${where}:${line}:${column}: not valid UTF-8 (byte ${offset} starts the bad sequence ${hex}); ` +
        'specifications must be UTF-8: re-save the file as UTF-8 (it may be Latin-1 or Windows-1252) or fix that character',
      { line, column },
      error,
    );
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return i;
    }
    if (i + need >= n) return i;
    const second = bytes[i + 1]!;
    if (second < min || second > max) return i;
    for (let k = 2; k <= need; k++) {
      const next = bytes[i + k]!;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

// --- JSON ---------------------------------------------------------------------------------------

function parseJson(text: string, source: string, options: YamlOptions): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (jsonError) {
    // A YAML flow mapping (`{openapi: 3.0.0, ...}`) also starts with a brace, and its first key has
    // no quotes, which JSON's always do. Anything else (a trailing comma, a comment) is broken JSON,
    // and the JSON error is the one that helps.
    if (looksLikeYamlFlow(text)) {
      try {
        return { format: 'yaml', value: parseYaml(text, source, options) };
      } catch {
        // Fall through to the JSON error.
      }
    }
    throw jsonParseError(text, source, jsonError);
  }
  // No depth check here: V8's JSON.parse is iterative, the catalog bounds the depth it translates,
  // and the recursive steps (Swagger 2.0 conversion, optimizing) turn a stack overflow into a
  // SpecError (see prepare.ts). Scanning a 45 MB text for depth would cost more than parsing it.
  return { format: 'json', value };
}

function looksLikeYamlFlow(text: string): boolean {
  const open = firstSignificant(text) ?? 0;
  if (text.charCodeAt(open) !== 0x7b) return false;
  const next = firstSignificant(text, open + 1);
  if (next === undefined) return false;
  const c = text.charCodeAt(next);
  return c !== 0x22 && c !== 0x7d && c !== 0x2f && c !== 0x23;
}

function jsonParseError(text: string, source: string, cause: unknown): SpecError {
  const where = describeSource(source);
  const message = cause instanceof Error ? cause.message : String(cause);
  const found = locateJsonError(text);
  let index = found?.index;
  if (index === undefined) {
    const position = /at position (\d+)/.exec(message);
    if (position) index = Number(position[1]);
  }
  // V8 says so when the text stops inside a value; the locator then points at where that value starts.
  const truncated = /end of JSON input|Unterminated string/i.test(message) || (index ?? 0) >= text.length;
  const reason = truncated
    ? 'the text ends before the JSON is complete; it may have been cut off while downloading or saving'
    : `${found?.reason ?? message.split(', "')[0]}; fix the document there`;
  if (index === undefined) {
    return new SpecError(source, `${where}: invalid JSON: ${reason}`, {}, cause);
  }
  const at = lineColumn(text, index);
  return new SpecError(source, `${where}:${at.line}:${at.column}: invalid JSON: ${reason}`, at, cause);
}

// --- what the document is -----------------------------------------------------------------------

const EXPECTED = 'expected a top-level `openapi: 3.x.y` or `swagger: "2.0"` field';

/** Checks that `value` is an OpenAPI 3.x or Swagger 2.0 document and returns its declared version. */
export function identifySpec(value: unknown, source: string): { document: JsonObject; version: string } {
  const where = describeSource(source);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError(
      source,
      `${where} holds ${describeValue(value)}, not an OpenAPI document; ${EXPECTED}`,
    );
  }
  const document = value as JsonObject;
  if ('openapi' in document) {
    const declared = document.openapi;
    if (typeof declared !== 'string' && typeof declared !== 'number') {
      throw new SpecError(
        source,
        `${where}: the openapi field is ${describeValue(declared)}; expected a version string such as "3.0.3" or "3.1.0"`,
        { pointer: '/openapi' },
      );
    }
    const version = String(declared);
    if (/^3\.\d+(\.\d+)?(-[\w.]+)?$/.test(version)) return { document, version };
    throw new SpecError(
      source,
      `${where}: OpenAPI ${version} is not supported; headroom reads OpenAPI 3.0 and 3.1 (and Swagger 2.0)` +
        (/^[4-9]/.test(version) ? '' : '; check the openapi field'),
      { pointer: '/openapi' },
    );
  }
  const swagger = document.swagger ?? document.swaggerVersion;
  if (swagger !== undefined) {
    const field = document.swagger !== undefined ? 'swagger' : 'swaggerVersion';
    const version =
      typeof swagger === 'number' && Number.isInteger(swagger) ? `${swagger}.0` : String(swagger);
    if (field === 'swagger' && version === '2.0') return { document, version: '2.0' };
    throw new SpecError(
      source,
      `${where}: Swagger ${version} is not supported; headroom reads Swagger 2.0 and OpenAPI 3.0/3.1. ` +
        'Convert the document to OpenAPI 3 first (for example with the api-spec-converter tool)',
      { pointer: `/${field}` },
    );
  }
  throw new SpecError(
    source,
    `${where}: this is ${describeObject(document)}, not an OpenAPI document; ${EXPECTED}`,
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty or null document)';
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `a plain string (${JSON.stringify(shown)})`;
  }
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}

function describeObject(document: JsonObject): string {
  const has = (key: string) => key in document;
  if (has('asyncapi')) return 'an AsyncAPI document (AsyncAPI describes message-driven APIs)';
  if (has('openrpc')) return 'an OpenRPC document';
  if (
    typeof document.$schema === 'string' ||
    (has('type') && (has('properties') || has('items') || has('$defs')))
  ) {
    return 'a JSON Schema';
  }
  if (has('name') && has('version') && (has('dependencies') || has('devDependencies') || has('scripts'))) {
    return 'a package.json-like object';
  }
  if (has('apiVersion') && has('kind')) return 'a Kubernetes-style manifest';
  const info = document.info as JsonObject | undefined;
  if (has('item') && info && typeof info === 'object' && ('_postman_id' in info || 'schema' in info)) {
    return 'a Postman collection (export or convert it to OpenAPI first)';
  }
  if (has('paths') || has('components') || has('definitions')) {
    return 'an object with `paths` or `components` but no version field (add `openapi: 3.0.3` or `swagger: "2.0"` if it is a specification)';
  }
  const keys = Object.keys(document);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 6).join(', ');
  return `an object with the keys ${shown}${keys.length > 6 ? `, ... (${keys.length} in all)` : ''}`;
}
