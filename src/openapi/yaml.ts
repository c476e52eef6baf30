/**
 * YAML for specifications, with guards against documents built to exhaust memory or the stack.
 *
 * js-yaml turns an alias (`*name`) into a second reference to the anchored value, so parsing an
 * alias bomb is cheap, but anything that later walks the result (the Swagger converter, the
 * resolver, JSON.stringify) does the full exponential work. So aliases are counted during the parse,
 * and a document that has any is walked once, with every object's expanded size memoized, to learn
 * what a naive walk would cost before anyone does one.
 */
import yaml from 'js-yaml';
import { SpecError } from '../errors.js';
import { formatCount } from '../util/count.js';
import { describeSource } from './source.js';

export const DEFAULT_MAX_YAML_ALIASES = 10_000;
/** Nodes that alias expansion may add beyond the nodes actually written in the document. */
export const DEFAULT_MAX_YAML_ALIAS_NODES = 5_000_000;
export const DEFAULT_MAX_DEPTH = 1000;

export interface YamlOptions {
  maxYamlAliases?: number;
  maxYamlAliasNodes?: number;
  /** Deepest nesting accepted; js-yaml parses recursively, so this also keeps the stack safe. */
  maxDepth?: number;
}

/**
 * YAML 1.2 JSON-schema scalars, as OpenAPI asks (dates stay strings, no `!!binary`), plus merge
 * keys (`<<: *defaults`), which hand-written specs use.
 */
const SCHEMA = yaml.JSON_SCHEMA.extend({
  // The type definitions leave out `types`, which js-yaml has exported since 4.0.
  implicit: [(yaml as unknown as { types: { merge: yaml.Type } }).types.merge],
});

/** js-yaml 4.3 reads `maxDepth`; its type definitions predate the option. */
type LoadOptions = yaml.LoadOptions & { maxDepth?: number };

class TooManyAliases extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
  ) {
    super('too many aliases');
  }
}

/** Parses one YAML document, throwing SpecError with a location for anything it refuses. */
export function parseYaml(text: string, source: string, options: YamlOptions = {}): unknown {
  const maxAliases = options.maxYamlAliases ?? DEFAULT_MAX_YAML_ALIASES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const where = describeSource(source);
  // Where each alias ends: js-yaml parses some constructs twice (trying a block mapping first), so
  // the same alias can close more than once and must be counted once. Bounded by maxAliases + 1.
  const aliases = new Set<number>();
  const opened: number[] = [];
  const loadOptions: LoadOptions = {
    schema: SCHEMA,
    filename: where,
    maxDepth,
    listener(event, state) {
      // Where each open node started, for the message: at its close the parser is already past it.
      if (event === 'open') {
        opened.push(state.line, state.position - state.lineStart);
        return;
      }
      const column = opened.pop()!;
      const line = opened.pop()!;
      // An alias is the only node that closes with neither a kind nor a tag yet holds a value
      // (an empty node holds null; an alias of a null anchor is harmless and need not count).
      if (state.kind !== null || (state as { tag?: unknown }).tag !== null || state.result === null) return;
      aliases.add(state.position);
      if (aliases.size > maxAliases) throw new TooManyAliases(line + 1, column + 1);
    },
  };
  let value: unknown;
  try {
    value = yaml.load(text, loadOptions);
  } catch (error) {
    throw yamlError(error, source, maxAliases, maxDepth);
  }
  if (aliases.size > 0)
    checkAliasExpansion(value, source, options.maxYamlAliasNodes ?? DEFAULT_MAX_YAML_ALIAS_NODES);
  return value;
}

function yamlError(error: unknown, source: string, maxAliases: number, maxDepth: number): SpecError {
  const where = describeSource(source);
  if (error instanceof TooManyAliases) {
    return new SpecError(
      source,
      `${where}:${error.line}:${error.column}: the YAML uses more than ${maxAliases} aliases (*name); ` +
        'a specification rarely needs more than a few hundred, and this many can expand to an enormous document. ' +
        'Convert it to JSON, or replace the aliases with $ref',
      { line: error.line, column: error.column },
    );
  }
  if (error instanceof RangeError) {
    return new SpecError(
      source,
      `${where}: the YAML nests too deeply to parse (${error.message}); ` +
        'a specification needs at most a few dozen levels: check that this is the right file',
      {},
      error,
    );
  }
  if (error instanceof yaml.YAMLException) {
    const mark = error.mark as { line?: number; column?: number; snippet?: string } | undefined;
    const line = mark?.line === undefined ? undefined : mark.line + 1;
    const column = mark?.column === undefined ? undefined : mark.column + 1;
    const at = line === undefined ? where : `${where}:${line}:${column}`;
    const deep = /exceeded maxDepth/.test(error.reason);
    const advice = deep
      ? `the document nests more than ${maxDepth} levels deep, the limit for YAML; a specification needs at most a few dozen: ` +
        'check that this is the right file, or convert it to JSON, which has no such limit'
      : `invalid YAML: ${error.reason}; fix the document there`;
    const snippet = mark?.snippet ? `\n${mark.snippet}` : '';
    return new SpecError(source, `${at}: ${advice}${snippet}`, { line, column }, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SpecError(source, `${where}: cannot parse the YAML: ${reason}`, {}, error);
}

interface Frame {
  value: object;
  keys: string[] | undefined;
  index: number;
  length: number;
  total: number;
  key: string;
}

/**
 * Walks the parsed document once, iteratively, memoizing each object's expanded node count so a
 * shared subtree costs one visit however often it is referenced. Rejects a cycle (js-yaml lets an
 * alias point at an enclosing anchor, which JSON cannot represent) and a document whose aliases
 * would add more than `maxAddedNodes` nodes when expanded.
 */
export function checkAliasExpansion(root: unknown, source: string, maxAddedNodes: number): void {
  if (root === null || typeof root !== 'object') return;
  const where = describeSource(source);
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  let written = 0;
  const stack: Frame[] = [];
  const enter = (value: object, key: string) => {
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    const length = keys ? keys.length : (value as unknown[]).length;
    stack.push({ value, keys, index: 0, length, total: 1, key });
    onPath.add(value);
    written += 1;
  };
  enter(root, '');
  let expanded = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index < frame.length) {
      const key = frame.keys ? frame.keys[frame.index]! : String(frame.index);
      const child = frame.keys
        ? (frame.value as Record<string, unknown>)[key]
        : (frame.value as unknown[])[frame.index];
      frame.index++;
      if (child === null || typeof child !== 'object') {
        frame.total += 1;
        written += 1;
        continue;
      }
      const known = sizes.get(child);
      if (known !== undefined) {
        frame.total += known;
        continue;
      }
      if (onPath.has(child)) {
        const pointer = `${stack.map((f) => escapePointer(f.key)).join('/')}/${escapePointer(key)}`;
        throw new SpecError(
          source,
          `${where}: the YAML alias at ${pointer} refers to a node that contains it, which makes the document ` +
            'infinitely deep; replace that alias with a $ref',
          { pointer },
        );
      }
      enter(child, key);
      continue;
    }
    stack.pop();
    onPath.delete(frame.value);
    sizes.set(frame.value, frame.total);
    const parent = stack[stack.length - 1];
    if (parent) parent.total += frame.total;
    else expanded = frame.total;
  }
  const added = expanded - written;
  if (added > maxAddedNodes) {
    throw new SpecError(
      source,
      `${where}: the YAML aliases (*name) expand the document from ${formatCount(written)} to about ` +
        `${roughCount(expanded)} nodes, more than the ${formatCount(maxAddedNodes)} extra nodes allowed; ` +
        'this looks like an alias bomb. If the document is genuine, replace the aliases with $ref',
    );
  }
}

function roughCount(count: number): string {
  return count < 1e12 ? formatCount(Math.round(count)) : count.toExponential(1);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
