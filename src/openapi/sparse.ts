/**
 * A sparse parse of a JSON specification: the parts a catalog always needs (`paths`, `info`,
 * `servers`, most of `components`) are parsed at once, while the parts it may never touch
 * (each component schema, `components.examples`, webhooks, each operation's `responses`) are kept
 * as byte ranges and parsed on first use. GitHub's spec is 12.4 MB, of which examples, webhooks
 * and response-only schemas are most: skipping them saves most of the parse, its garbage, and its
 * memory.
 * The skipped ranges are checked for balanced brackets and closed strings only (one that turns out
 * not to be JSON is reported when it is read); anything the walker does not understand makes the
 * caller fall back to a full JSON.parse, which reports it. Paths kept as text (LazyPaths) are
 * checked to be JSON in full first: a server serves from them before it parses them.
 * The byte scans run in WebAssembly (src/wasm/json-scan.ts): they are most of the walk's time.
 */
import type { JsonScan } from '../wasm/json-scan.js';

/** A JSON value kept as bytes until it is first needed. */
export class LazyJson {
  private parsed: unknown;
  private done = false;

  constructor(
    protected readonly scan: JsonScan,
    protected readonly start: number,
    protected readonly end: number,
  ) {}

  value(): unknown {
    if (!this.done) {
      this.parsed = this.read();
      this.done = true;
    }
    return this.parsed;
  }

  protected read(): unknown {
    return JSON.parse(this.scan.jsonText(this.start, this.end));
  }
}

/**
 * `paths`, checked to be JSON but parsed on first use (parseSparse's `lazyPaths`): a server in
 * dynamic mode lists its tools knowing only how many operations there are, and this counts them
 * in the text. Microsoft Graph's paths are 35 MB to parse.
 */
export class LazyPaths extends LazyJson {
  protected override read(): unknown {
    try {
      return parsePaths(this.scan, this.start, this.end);
    } catch (error) {
      // The text is JSON (checked when it was kept): only the cut can be at odds with it.
      if (!(error instanceof SparseParseError)) throw error;
      return JSON.parse(this.scan.jsonText(this.start, this.end));
    }
  }

  /**
   * The operations: the members of each path item named one of `methods` whose value is an
   * object, counted in the text (a key given twice counts twice, where JSON.parse keeps the
   * last). Undefined when a path item is a `$ref`, whose operations are in what it refers to.
   */
  countOperations(methods: ReadonlySet<string>): number | undefined {
    const { bytes } = this.scan;
    let count = 0;
    for (const item of memberValues(this.scan, this.start)) {
      if (bytes[item.start] !== 0x7b) continue;
      for (const member of memberValues(this.scan, item.start)) {
        if (member.key === '$ref') return undefined;
        if (methods.has(member.key) && bytes[member.start] === 0x7b) count++;
      }
    }
    return count;
  }
}

/** The members of the object at `start` (valid JSON): each key and where its value starts. */
function* memberValues(scan: JsonScan, start: number): Generator<{ key: string; start: number }> {
  const { bytes } = scan;
  let i = skipWs(bytes, start + 1);
  if (bytes[i] === 0x7d) return;
  for (;;) {
    const keyEnd = stringEnd(scan, i);
    const key = keyAt(scan, i, keyEnd);
    const valueStart = skipWs(bytes, skipWs(bytes, keyEnd) + 1);
    yield { key, start: valueStart };
    i = skipWs(bytes, valueEndAt(scan, valueStart));
    if (bytes[i] !== 0x2c) return;
    i = skipWs(bytes, i + 1);
  }
}

/** The value itself, parsed first when a sparse parse kept it lazy. */
export function materialize(value: unknown): unknown {
  return value instanceof LazyJson ? value.value() : value;
}

type Treatment = 'eager' | 'lazy' | 'members';

/**
 * What to do with the member `key` of the object at `parent`: parse it now, keep it lazy, or walk
 * its members.
 */
function treatment(parent: readonly string[], key: string): Treatment {
  if (parent.length === 0) {
    if (key === 'components') return 'members';
    return key === 'webhooks' || key === 'x-webhooks' ? 'lazy' : 'eager';
  }
  if (parent[0] !== 'components') return 'eager';
  if (parent.length === 1) return key === 'schemas' ? 'members' : key === 'examples' ? 'lazy' : 'eager';
  return 'lazy';
}

/** Thrown when the text is not what the walker expects; the caller parses it whole instead. */
export class SparseParseError extends Error {}

export interface SparseOptions {
  /**
   * Keep `paths` as text (a LazyPaths), checked to be JSON, rather than parse it: for a server
   * that may never need its operations before its first answers.
   */
  lazyPaths?: boolean;
}

export function parseSparse(scan: JsonScan, options: SparseOptions = {}): Record<string, unknown> {
  const { bytes } = scan;
  let i = skipWs(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  const root = walkObject(scan, i, [], options);
  i = skipWs(bytes, root.end);
  if (i !== bytes.length) throw new SparseParseError(`unexpected data at byte ${i}`);
  return root.value;
}

function walkObject(
  scan: JsonScan,
  start: number,
  path: string[],
  options: SparseOptions,
): { value: Record<string, unknown>; end: number } {
  const { bytes } = scan;
  if (bytes[start] !== 0x7b) throw new SparseParseError(`expected an object at byte ${start}`);
  const out: Record<string, unknown> = {};
  let i = skipWs(bytes, start + 1);
  if (bytes[i] === 0x7d) return { value: out, end: i + 1 };
  for (;;) {
    if (bytes[i] !== 0x22) throw new SparseParseError(`expected a key at byte ${i}`);
    const keyEnd = stringEnd(scan, i);
    const key = keyAt(scan, i, keyEnd);
    i = skipWs(bytes, keyEnd);
    if (bytes[i] !== 0x3a) throw new SparseParseError(`expected ':' at byte ${i}`);
    const valueStart = skipWs(bytes, i + 1);
    const how = treatment(path, key);
    let valueEnd: number;
    if (how === 'members' && bytes[valueStart] === 0x7b) {
      const child = walkObject(scan, valueStart, [...path, key], options);
      out[key] = child.value;
      valueEnd = child.end;
    } else {
      valueEnd = valueEndAt(scan, valueStart);
      const paths = path.length === 0 && key === 'paths';
      out[key] =
        how === 'lazy'
          ? new LazyJson(scan, valueStart, valueEnd)
          : paths && options.lazyPaths && bytes[valueStart] === 0x7b
            ? lazyPaths(scan, valueStart, valueEnd)
            : paths
              ? parsePaths(scan, valueStart, valueEnd)
              : JSON.parse(scan.jsonText(valueStart, valueEnd));
    }
    i = skipWs(bytes, valueEnd);
    if (bytes[i] === 0x2c) {
      i = skipWs(bytes, i + 1);
      continue;
    }
    if (bytes[i] === 0x7d) return { value: out, end: i + 1 };
    throw new SparseParseError(`expected ',' or '}' at byte ${i}`);
  }
}

/** `paths` kept as text, once the text is known to be JSON (else the whole parse reports where not). */
function lazyPaths(scan: JsonScan, start: number, end: number): LazyPaths {
  if (!scan.isJson(start, end)) throw new SparseParseError('paths is not valid JSON');
  return new LazyPaths(scan, start, end);
}

/**
 * `paths`, with each operation's `responses` kept lazy: the catalog reads them only when the
 * operation is called, and what it never reads is left out (json-scan.ts cutPaths says why).
 */
function parsePaths(scan: JsonScan, start: number, end: number): unknown {
  const cut = scan.cutPaths(start, end);
  if (!cut) return JSON.parse(scan.jsonText(start, end));
  const { text, cuts } = cut;
  const paths = JSON.parse(text) as unknown;
  if (cuts.length === 0) return paths;
  // Each number left by the cut, in the objects three levels in, becomes the value it stands for.
  // Every one must be found once: a repeated key would have dropped one (JSON.parse keeps the last).
  let restored = 0;
  for (const item of members(paths)) {
    for (const operation of members(item)) {
      if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) continue;
      const op = operation as Record<string, unknown>;
      if (!Object.hasOwn(op, 'responses')) continue;
      const n = op.responses;
      if (typeof n !== 'number' || !(n >= 0 && 2 * n + 1 < cuts.length)) {
        throw new SparseParseError(`an operation's responses became ${JSON.stringify(n)} in the cut`);
      }
      op.responses = new LazyJson(scan, cuts[2 * n]!, cuts[2 * n + 1]!);
      restored++;
    }
  }
  if (2 * restored !== cuts.length)
    throw new SparseParseError('a cut operation response was not found again');
  return paths;
}

/**
 * The key whose quoted text is [start, end). Most are plain ASCII, read as they are; one with an
 * escape or a character past ASCII is decoded by JSON.parse. A spec's `components.schemas` alone
 * has a thousand keys, read before V8 optimizes any of this.
 */
function keyAt(scan: JsonScan, start: number, end: number): string {
  const { bytes } = scan;
  for (let k = start + 1; k < end - 1; k++) {
    const b = bytes[k] as number;
    if (b === 0x5c || b >= 0x80 || b < 0x20) return JSON.parse(scan.jsonText(start, end)) as string;
  }
  return bytes.toString('latin1', start + 1, end - 1);
}

/** The values of an object's members; none for anything else. */
function members(value: unknown): unknown[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.values(value) : [];
}

/** The index just past the value starting at `i`: a container, a string, or a scalar. */
function valueEndAt(scan: JsonScan, i: number): number {
  const { bytes } = scan;
  const c = bytes[i];
  if (c === 0x22) return stringEnd(scan, i);
  if (c !== 0x7b && c !== 0x5b) {
    let j = i;
    while (j < bytes.length && !isDelimiter(bytes[j] as number)) j++;
    if (j === i) throw new SparseParseError(`expected a value at byte ${i}`);
    return j;
  }
  const end = scan.containerEnd(i);
  if (end === -1) throw new SparseParseError(`value at byte ${i} is not closed`);
  return end;
}

function stringEnd(scan: JsonScan, i: number): number {
  const end = scan.stringEnd(i);
  if (end === -1) throw new SparseParseError(`string at byte ${i} is not closed`);
  return end;
}

function skipWs(bytes: Buffer, i: number): number {
  while (i < bytes.length) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break;
    i++;
  }
  return i;
}

function isDelimiter(b: number): boolean {
  return b === 0x2c || b === 0x7d || b === 0x5d || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
