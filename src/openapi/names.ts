/**
 * Tool names for operations: what MCP clients accept (`[A-Za-z0-9_-]`, often at most 64 characters),
 * readable, unique within a catalog and the same from one run to the next, since clients remember them.
 */

export interface NameOptions {
  /** Longest name allowed; 64 by default because several MCP clients reject longer tool names. */
  maxLength?: number;
  /** The API's short name, joined with `__` so one server can serve several APIs without clashes. */
  prefix?: string;
}

export interface NamedOperation {
  operationId?: string;
  method: string;
  path: string;
}

const DEFAULT_MAX_LENGTH = 64;
/** 32-bit hashes in base 36 take at most 7 characters; padding keeps every truncated name's head the same length. */
const HASH_LENGTH = 7;
/** A truncated name is `head_hash`; below this there is no room for a head worth reading. */
const MIN_MAX_LENGTH = HASH_LENGTH + 2;

/**
 * Characters outside the allowed set become `_`, runs of `_` collapse and the ends are trimmed: in
 * one pass, since a run of `_` and disallowed characters together becomes a single `_`. Every
 * operation's name goes through here, mostly before V8 optimizes anything.
 */
export function sanitizeName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9-]+/g, '_');
  const start = name.charCodeAt(0) === UNDERSCORE ? 1 : 0;
  const end =
    name.length > start && name.charCodeAt(name.length - 1) === UNDERSCORE ? name.length - 1 : name.length;
  return start === 0 && end === name.length ? name : name.slice(start, end);
}

const UNDERSCORE = 0x5f;

/** 32-bit FNV-1a over UTF-16 code units: tiny, fast and stable across platforms and Node versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function resolveMaxLength(options: NameOptions): number {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < MIN_MAX_LENGTH) {
    throw new RangeError(`Tool names need a maxLength of at least ${MIN_MAX_LENGTH}, got ${maxLength}.`);
  }
  return maxLength;
}

/** Cuts `name` so that `suffix` fits within `maxLength`, without leaving a dangling separator. */
function withSuffix(name: string, suffix: string, maxLength: number): string {
  const head = name.slice(0, maxLength - suffix.length).replace(/[_-]+$/, '');
  return head === '' ? suffix.replace(/^_/, '') : head + suffix;
}

/**
 * The tool name of an operation: its operationId, else `method_path`, sanitized, prefixed, and when too
 * long cut to a readable head plus a hash of the whole name, so that long names sharing a head stay distinct.
 */
export function toolName(op: NamedOperation, options: NameOptions = {}): string {
  const maxLength = resolveMaxLength(options);
  const base =
    sanitizeName(op.operationId ?? '') ||
    sanitizeName(`${op.method.toLowerCase()} ${op.path}`) ||
    'operation';
  // Sanitized separately so the `__` separator survives the collapsing of `_` runs.
  const prefix = options.prefix === undefined ? '' : sanitizeName(options.prefix);
  const full = prefix === '' ? base : `${prefix}__${base}`;
  if (full.length <= maxLength) return full;
  const hash = fnv1a32(full).toString(36).padStart(HASH_LENGTH, '0');
  return withSuffix(full, `_${hash}`, maxLength);
}

/**
 * Hands out unique names for one catalog. Names depend only on the operations and their order,
 * so the same spec gives the same names on every run.
 */
export class NameAllocator {
  readonly #options: NameOptions;
  readonly #maxLength: number;
  readonly #taken = new Set<string>();
  /** Per clashing name, the number to try next, so that many clashes of one name stay linear. */
  readonly #counters = new Map<string, number>();

  /** `reserved` holds names that operations must not take, such as the server's own tools. */
  constructor(options: NameOptions & { reserved?: Iterable<string> } = {}) {
    this.#maxLength = resolveMaxLength(options);
    this.#options = { maxLength: this.#maxLength, prefix: options.prefix };
    for (const name of options.reserved ?? []) this.#taken.add(name);
  }

  allocate(op: NamedOperation): string {
    const base = toolName(op, this.#options);
    let name = base;
    let counter = this.#counters.get(base) ?? 2;
    while (this.#taken.has(name)) name = withSuffix(base, `_${counter++}`, this.#maxLength);
    if (name !== base) this.#counters.set(base, counter);
    this.#taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.#taken.has(name);
  }
}

type GlobToken =
  | { kind: 'literal'; char: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'class'; negated: boolean; ranges: Array<[string, string]> };

/** Parses `[...]` starting at `start` (the `[`); undefined when unclosed, so the `[` is taken literally. */
function parseClass(chars: string[], start: number): { token: GlobToken; end: number } | undefined {
  let index = start + 1;
  const negated = chars[index] === '!' || chars[index] === '^';
  if (negated) index++;
  const read = (): string => {
    const char = chars[index++]!;
    return char === '\\' && index < chars.length ? chars[index++]! : char;
  };
  const ranges: Array<[string, string]> = [];
  // A `]` right after the opening is a member, as in shell globs.
  let first = true;
  while (index < chars.length && (chars[index] !== ']' || first)) {
    first = false;
    const low = read();
    let high = low;
    if (chars[index] === '-' && index + 1 < chars.length && chars[index + 1] !== ']') {
      index++;
      high = read();
    }
    ranges.push([low, high]);
  }
  if (index >= chars.length) return undefined;
  return { token: { kind: 'class', negated, ranges }, end: index };
}

function parseGlob(glob: string): GlobToken[] {
  const chars = Array.from(glob);
  const tokens: GlobToken[] = [];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '\\' && index + 1 < chars.length) {
      tokens.push({ kind: 'literal', char: chars[++index]! });
    } else if (char === '[') {
      const parsed = parseClass(chars, index);
      if (parsed === undefined) tokens.push({ kind: 'literal', char });
      else {
        tokens.push(parsed.token);
        index = parsed.end;
      }
    } else {
      tokens.push({ kind: 'literal', char });
    }
  }
  return tokens;
}

function matchesToken(token: GlobToken, char: string): boolean {
  switch (token.kind) {
    case 'literal':
      return token.char === char;
    case 'any':
      return true;
    case 'class':
      return token.ranges.some(([low, high]) => char >= low && char <= high) !== token.negated;
    case 'star':
      return false;
  }
}

/**
 * Compiles a glob (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`, `\` escapes) into a case-sensitive, anchored
 * matcher. Matching backtracks only to the last `*`, so it stays linear-ish and never explodes.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  const tokens = parseGlob(glob);
  return (name) => {
    const chars = Array.from(name);
    let t = 0;
    let c = 0;
    let starToken = -1;
    let starChar = 0;
    while (c < chars.length) {
      const token = tokens[t];
      if (token?.kind === 'star') {
        starToken = t++;
        starChar = c;
      } else if (token !== undefined && matchesToken(token, chars[c]!)) {
        t++;
        c++;
      } else if (starToken >= 0) {
        t = starToken + 1;
        c = ++starChar;
      } else {
        return false;
      }
    }
    while (tokens[t]?.kind === 'star') t++;
    return t === tokens.length;
  };
}

export function matchesGlob(name: string, glob: string): boolean {
  return compileGlob(glob)(name);
}
