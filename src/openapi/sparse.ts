/**
 * A sparse parse of a JSON specification: the parts a catalog always needs (`paths`, `info`,
 * `servers`, most of `components`) are parsed at once, while the parts it may never touch
 * (each component schema, `components.examples`, webhooks) are kept as byte ranges and parsed on
 * first use. GitHub's spec is 12.4 MB, of which examples, webhooks and response-only schemas are
 * most: skipping them saves most of the parse, its garbage, and its memory.
 * The skipped ranges are checked for balanced brackets and closed strings only; anything the
 * walker does not understand makes the caller fall back to a full JSON.parse, which reports it.
 */

/** A JSON value kept as bytes until it is first needed. */
export class LazyJson {
  private parsed: unknown;
  private done = false;

  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  value(): unknown {
    if (!this.done) {
      this.parsed = JSON.parse(this.bytes.toString('utf8', this.start, this.end));
      this.done = true;
    }
    return this.parsed;
  }
}

type Treatment = 'eager' | 'lazy' | 'members';

/** What to do with the value at `path`: parse it now, keep it lazy, or walk its members. */
function treatment(path: readonly string[]): Treatment {
  const [first, second] = path;
  if (path.length === 0) return 'members';
  if (path.length === 1) {
    if (first === 'components') return 'members';
    return first === 'webhooks' || first === 'x-webhooks' ? 'lazy' : 'eager';
  }
  if (first !== 'components') return 'eager';
  if (path.length === 2) return second === 'schemas' ? 'members' : second === 'examples' ? 'lazy' : 'eager';
  return 'lazy';
}

/** Thrown when the text is not what the walker expects; the caller parses it whole instead. */
export class SparseParseError extends Error {}

export function parseSparse(bytes: Buffer): Record<string, unknown> {
  let i = skipWs(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  const root = walkObject(bytes, i, []);
  i = skipWs(bytes, root.end);
  if (i !== bytes.length) throw new SparseParseError(`unexpected data at byte ${i}`);
  return root.value;
}

function walkObject(
  bytes: Buffer,
  start: number,
  path: string[],
): { value: Record<string, unknown>; end: number } {
  if (bytes[start] !== 0x7b) throw new SparseParseError(`expected an object at byte ${start}`);
  const out: Record<string, unknown> = {};
  let i = skipWs(bytes, start + 1);
  if (bytes[i] === 0x7d) return { value: out, end: i + 1 };
  for (;;) {
    if (bytes[i] !== 0x22) throw new SparseParseError(`expected a key at byte ${i}`);
    const keyEnd = stringEnd(bytes, i);
    const key = JSON.parse(bytes.toString('utf8', i, keyEnd)) as string;
    i = skipWs(bytes, keyEnd);
    if (bytes[i] !== 0x3a) throw new SparseParseError(`expected ':' at byte ${i}`);
    const valueStart = skipWs(bytes, i + 1);
    const childPath = [...path, key];
    const how = treatment(childPath);
    let valueEnd: number;
    if (how === 'members' && bytes[valueStart] === 0x7b) {
      const child = walkObject(bytes, valueStart, childPath);
      out[key] = child.value;
      valueEnd = child.end;
    } else {
      valueEnd = valueEndAt(bytes, valueStart);
      out[key] =
        how === 'lazy'
          ? new LazyJson(bytes, valueStart, valueEnd)
          : JSON.parse(bytes.toString('utf8', valueStart, valueEnd));
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

/** The index just past the value starting at `i`: a container, a string, or a scalar. */
function valueEndAt(bytes: Buffer, i: number): number {
  const c = bytes[i];
  if (c === 0x22) return stringEnd(bytes, i);
  if (c !== 0x7b && c !== 0x5b) {
    let j = i;
    while (j < bytes.length && !isDelimiter(bytes[j] as number)) j++;
    if (j === i) throw new SparseParseError(`expected a value at byte ${i}`);
    return j;
  }
  let depth = 0;
  for (let j = i; j < bytes.length; j++) {
    const b = bytes[j];
    if (b === 0x22) j = stringEnd(bytes, j) - 1;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (--depth === 0) return j + 1;
    }
  }
  throw new SparseParseError(`value at byte ${i} is not closed`);
}

/**
 * The index just past the string whose opening quote is at `i`. Descriptions make up much of a
 * spec, so the next quote is found by indexOf (memchr) rather than byte by byte; it closes the
 * string unless an odd run of backslashes escapes it.
 */
function stringEnd(bytes: Buffer, i: number): number {
  for (let j = bytes.indexOf(0x22, i + 1); j !== -1; j = bytes.indexOf(0x22, j + 1)) {
    let slashes = 0;
    while (bytes[j - 1 - slashes] === 0x5c) slashes++;
    if (slashes % 2 === 0) return j + 1;
  }
  throw new SparseParseError(`string at byte ${i} is not closed`);
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
