/**
 * OpenAPI schemas (3.0 dialect or 3.1) to JSON Schema 2020-12, the dialect MCP tool schemas are read
 * in. Each referenced schema is translated once into a shared definition, and `$ref`s become
 * `#/$defs/<key>`; a tool schema then carries only the definitions it reaches. A recursive schema is
 * therefore just a definition that refers to itself: finite, valid, and never expanded.
 * What strict validators reject is repaired or dropped with a warning: OpenAPI-only keywords,
 * `nullable`, boolean exclusive bounds, invalid regular expressions, unknown types.
 */

import { formatCount } from '../util/count.js';
import { isRef, type RefResolver, type RefTarget } from './refs.js';
import type { JsonObject, SchemaDefinition } from './types.js';

/** JSON Schema 2020-12 keywords kept as they are (after their values are checked). */
const KEPT = new Set([
  'type',
  'enum',
  'const',
  'format',
  'title',
  'description',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'contains',
  'items',
  'prefixItems',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'contentEncoding',
  'contentMediaType',
  'unevaluatedProperties',
  'unevaluatedItems',
]);
export const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
export const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
export const SCHEMA_SINGLE = new Set([
  'items',
  'contains',
  'additionalProperties',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
]);
/** Each kept keyword by what it holds: a plain value, or schemas (a map of them, a list, or one). */
const KIND = new Map<string, 'value' | 'map' | 'list' | 'single'>(
  [...KEPT].map((key) => [
    key,
    SCHEMA_MAPS.has(key)
      ? 'map'
      : SCHEMA_LISTS.has(key)
        ? 'list'
        : SCHEMA_SINGLE.has(key)
          ? 'single'
          : 'value',
  ]),
);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Definitions of a cycle of bare refs named in its warning. */
const MAX_CYCLE_SHOWN = 10;
const NUMERIC = new Set(['multipleOf', 'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum']);
const COUNTS = new Set([
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maxProperties',
  'minProperties',
  'maxContains',
  'minContains',
]);

export type Schema = JsonObject | boolean;

export interface TranslateOptions {
  /** `3.0` schemas use `nullable` and boolean exclusive bounds; `3.1` schemas are JSON Schema already. */
  dialect: '3.0' | '3.1';
  /** Inline nesting deeper than this is cut with a marker (refs do not count: they are shared). */
  maxDepth?: number;
  /** Descriptions longer than this keep their first paragraph, clipped; 0 keeps them whole. */
  maxDescriptionLength?: number;
  warn: (message: string) => void;
}

interface Pending {
  key: string;
  doc: string;
  value: unknown;
  where: string;
}

export class SchemaTranslator {
  private readonly resolver: RefResolver;
  private readonly options: Required<TranslateOptions>;
  /** `doc#pointer` -> definition key. */
  private readonly keys = new Map<string, string>();
  /**
   * The same by resolved target: the resolver returns one object per ref, and most refs are met many
   * times, so this saves building and hashing `doc#pointer` for each.
   */
  private readonly keysByTarget = new Map<RefTarget, string>();
  // `__proto__` is no name for a definition: `$defs.__proto__ = ...` sets a prototype instead.
  private readonly taken = new Set<string>(['__proto__']);
  private readonly definitions = new Map<string, { schema: Schema; refs: Set<string> }>();
  // Referenced schemas wait here rather than being translated inside the schema that refers to them,
  // so a chain of thousands of refs cannot overflow the call stack.
  private readonly pending: Pending[] = [];

  constructor(resolver: RefResolver, options: TranslateOptions) {
    this.resolver = resolver;
    this.options = { maxDepth: 64, maxDescriptionLength: 300, ...options };
  }

  /**
   * Translates a schema found in document `doc` at `where` (for messages). Returns the schema and
   * the definition keys it refers to directly.
   */
  translate(schema: unknown, doc: string, where: string): { schema: Schema; refs: Set<string> } {
    const refs = new Set<string>();
    const out = this.node(schema, doc, where, 0, refs);
    this.drain();
    return { schema: out, refs };
  }

  /** Every definition translated so far, with its direct refs and size. */
  exportDefinitions(): Record<string, SchemaDefinition> {
    this.breakBareCycles();
    const out: Record<string, SchemaDefinition> = {};
    for (const [key, def] of this.definitions) {
      out[key] = { schema: def.schema, refs: [...def.refs], bytes: JSON.stringify(def.schema).length };
    }
    return out;
  }

  /**
   * `A: {$ref: B}, B: {$ref: A}` says nothing and sends validators into endless recursion: such a
   * cycle of definitions that are nothing but refs becomes an open schema, with a warning. Bare refs
   * point at one definition each, so each chain is walked once, with every definition on it marked
   * done: a spec with a chain of 10,000 refs costs 10,000 steps rather than 10,000 squared.
   */
  private breakBareCycles(): void {
    const bareTarget = (schema: Schema): string | undefined => {
      if (typeof schema !== 'object' || typeof schema.$ref !== 'string') return undefined;
      if (Object.keys(schema).some((k) => k !== '$ref' && k !== 'description')) return undefined;
      return schema.$ref.startsWith('#/$defs/') ? schema.$ref.slice(8) : undefined;
    };
    const done = new Set<string>();
    for (const key of this.definitions.keys()) {
      if (done.has(key)) continue;
      // The chain from `key` up to a definition already walked, one that is not a bare ref, or a
      // definition on this same chain (a cycle).
      const path: string[] = [];
      const onPath = new Set<string>();
      let next: string | undefined = key;
      while (next !== undefined && !done.has(next) && !onPath.has(next)) {
        path.push(next);
        onPath.add(next);
        const def = this.definitions.get(next);
        next = def ? bareTarget(def.schema) : undefined;
      }
      if (next !== undefined && onPath.has(next)) {
        const cycle = path.slice(path.indexOf(next));
        // A generated cycle can run through thousands of definitions: the warning names the first few.
        const shown =
          cycle.length <= MAX_CYCLE_SHOWN
            ? cycle.join(' -> ')
            : `${cycle.slice(0, MAX_CYCLE_SHOWN).join(' -> ')} -> ... (${formatCount(cycle.length)} definitions)`;
        this.options.warn(
          `${next}: a cycle of references with no schema in it (${shown} -> ${next}); any value is accepted`,
        );
        const def = this.definitions.get(next) as { schema: Schema; refs: Set<string> };
        def.schema = { description: '(circular reference without a schema)' };
        def.refs.clear();
      }
      for (const walked of path) done.add(walked);
    }
  }

  private drain(): void {
    for (let next = this.pending.pop(); next; next = this.pending.pop()) {
      const def = this.definitions.get(next.key) as { schema: Schema; refs: Set<string> };
      def.schema = this.node(next.value, next.doc, next.where, 0, def.refs);
    }
  }

  get definitionCount(): number {
    return this.definitions.size;
  }

  private node(value: unknown, doc: string, where: string, depth: number, refs: Set<string>): Schema {
    if (typeof value === 'boolean') return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.options.warn(
        `${where}: a schema must be an object, found ${Array.isArray(value) ? 'an array' : typeof value}; accepted any value instead`,
      );
      return {};
    }
    if (depth > this.options.maxDepth) {
      this.options.warn(`${where}: nested deeper than ${this.options.maxDepth} levels; cut there`);
      return { description: `(schema nested deeper than ${this.options.maxDepth} levels is not shown)` };
    }
    const source = value as JsonObject;
    if (isRef(source)) {
      const key = this.define(source.$ref, doc, where);
      if (key === undefined) return { description: `(unresolved reference ${source.$ref})` };
      refs.add(key);
      const ref: JsonObject = { $ref: `#/$defs/${key}` };
      // 3.0 ignores a ref's siblings; 3.1 keeps them, and a description there is worth keeping.
      const sibling = (source as JsonObject).description;
      if (this.options.dialect === '3.1' && typeof sibling === 'string') ref.description = sibling;
      return ref;
    }
    const out: JsonObject = {};
    // for-in rather than Object.entries, and the path for messages built only where it is passed
    // on: this runs for every schema node of the spec (hundreds of thousands in a large one).
    for (const key in source) {
      const kind = KIND.get(key);
      if (kind === undefined || !Object.hasOwn(source, key)) continue;
      const child = source[key];
      if (kind === 'value') {
        this.keyword(key, child, out, where);
        continue;
      }
      const at = `${where}.${key}`;
      if (kind === 'map') {
        if (child === null || typeof child !== 'object' || Array.isArray(child)) continue;
        const map: JsonObject = {};
        for (const name in child) {
          if (!Object.hasOwn(child, name)) continue;
          const sub = (child as JsonObject)[name];
          // patternProperties' names are regular expressions, compiled by validators like `pattern`.
          if (key === 'patternProperties' && !isValidPattern(name)) {
            this.options.warn(
              `${at}: pattern ${JSON.stringify(name)} is not a valid regular expression here; dropped`,
            );
            continue;
          }
          setOwn(map, name, this.node(sub, doc, `${at}.${name}`, depth + 1, refs));
        }
        out[key] = map;
      } else if (kind === 'list') {
        if (!Array.isArray(child) || child.length === 0) continue;
        out[key] = child.map((sub, i) => this.node(sub, doc, `${at}[${i}]`, depth + 1, refs));
      } else {
        if (key === 'items' && Array.isArray(child)) {
          // Draft-4 tuple form.
          out.prefixItems = child.map((sub, i) => this.node(sub, doc, `${at}[${i}]`, depth + 1, refs));
        } else if (child !== undefined) {
          out[key] = this.node(child, doc, at, depth + 1, refs);
        }
      }
    }
    this.dialectFixes(source, out);
    return out;
  }

  /** Copies one non-schema keyword of the schema at `parent` when its value is valid for a strict validator. */
  private keyword(key: string, value: unknown, out: JsonObject, parent: string): void {
    const warn = this.options.warn;
    if (key === 'type') {
      // The usual case, one valid type, without the arrays of the general one.
      if (typeof value === 'string' && value !== 'file' && TYPES.has(value)) {
        out.type = value;
        return;
      }
      const types = (Array.isArray(value) ? value : [value]).map((t) => (t === 'file' ? 'string' : t));
      const valid = types.filter((t): t is string => typeof t === 'string' && TYPES.has(t));
      if (valid.length < types.length)
        warn(`${parent}.${key}: unknown type ${JSON.stringify(value)} dropped`);
      if (valid.length > 0) out.type = valid.length === 1 ? valid[0] : [...new Set(valid)];
    } else if (key === 'required') {
      if (!Array.isArray(value)) return;
      const names = [...new Set(value.filter((n): n is string => typeof n === 'string'))];
      if (names.length > 0) out.required = names;
    } else if (key === 'enum') {
      if (Array.isArray(value) && value.length > 0) out.enum = value;
    } else if (key === 'pattern') {
      if (typeof value !== 'string') return;
      if (isValidPattern(value)) out.pattern = value;
      else
        warn(
          `${parent}.${key}: pattern ${JSON.stringify(value)} is not a valid regular expression here; dropped`,
        );
    } else if (key === 'multipleOf') {
      // JSON Schema requires a number above 0; a tiny one can also parse as 0 (`1e-400`).
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[key] = value;
      else warn(`${parent}.${key}: multipleOf ${JSON.stringify(value)} is not a number above 0; dropped`);
    } else if (NUMERIC.has(key)) {
      if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
      // Boolean exclusive bounds (OpenAPI 3.0) are handled in dialectFixes.
    } else if (COUNTS.has(key)) {
      if (Number.isInteger(value) && (value as number) >= 0) out[key] = value;
    } else if (key === 'description') {
      if (typeof value === 'string') out[key] = trimDescription(value, this.options.maxDescriptionLength);
    } else if (
      key === 'format' ||
      key === 'title' ||
      key === 'contentEncoding' ||
      key === 'contentMediaType'
    ) {
      if (typeof value === 'string') out[key] = value;
    } else if (key === 'uniqueItems' || key === 'deprecated' || key === 'readOnly' || key === 'writeOnly') {
      if (typeof value === 'boolean') out[key] = value;
    } else if (key === 'dependentRequired') {
      // A map from a property name to the (unique) names it requires.
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const map: JsonObject = {};
      for (const [name, list] of Object.entries(value)) {
        if (!Array.isArray(list)) continue;
        setOwn(map, name, [...new Set(list.filter((n): n is string => typeof n === 'string'))]);
      }
      if (Object.keys(map).length > 0) out[key] = map;
    } else {
      out[key] = value;
    }
  }

  /** OpenAPI 3.0 spells some things differently from JSON Schema 2020-12. */
  private dialectFixes(source: JsonObject, out: JsonObject): void {
    // Spelled out rather than a loop over the pairs: this runs for every schema node, mostly before
    // V8 optimizes it, where a for-of with destructuring costs two iterators a node.
    if (source.exclusiveMinimum === true && typeof source.minimum === 'number') {
      out.exclusiveMinimum = source.minimum;
      delete out.minimum;
    }
    if (source.exclusiveMaximum === true && typeof source.maximum === 'number') {
      out.exclusiveMaximum = source.maximum;
      delete out.maximum;
    }
    if (source.nullable === true && this.options.dialect === '3.0') {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    if (out.type === 'string' && source.type === 'file' && out.format === undefined) out.format = 'binary';
  }

  /** Registers (and on first sight translates) the definition a ref points to; its key. */
  private define(ref: string, doc: string, where: string): string | undefined {
    let target: RefTarget;
    try {
      target = this.resolver.resolve(ref, doc);
    } catch (error) {
      this.options.warn(`${where}: ${(error as Error).message}`);
      return undefined;
    }
    const seen = this.keysByTarget.get(target);
    if (seen !== undefined) return seen;
    // Two refs can name one place (`#/a` and `spec.json#/a`): they share the definition.
    const id = `${target.doc}#${target.pointer}`;
    const known = this.keys.get(id);
    if (known !== undefined) {
      this.keysByTarget.set(target, known);
      return known;
    }
    const key = this.uniqueKey(target.doc, target.pointer);
    this.keys.set(id, key);
    this.keysByTarget.set(target, key);
    this.definitions.set(key, { schema: {}, refs: new Set() });
    this.pending.push({ key, doc: target.doc, value: target.value, where: ref });
    return key;
  }

  private uniqueKey(doc: string, pointer: string): string {
    const segments = pointer
      .split('/')
      .filter(Boolean)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    // `#/components/schemas/Pet` -> `Pet`; deeper or other pointers keep their tail.
    const tail =
      segments[0] === 'components' && segments.length === 3 ? [segments[2] as string] : segments.slice(-2);
    let base = tail.join('_').replace(/[^A-Za-z0-9_.-]+/g, '_') || 'schema';
    if (doc !== this.resolver.rootUrl) {
      const file =
        doc
          .replace(/[?#].*$/, '')
          .split('/')
          .pop() ?? 'external';
      base = `${file.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_')}.${base}`;
    }
    let key = base;
    for (let n = 2; this.taken.has(key); n++) key = `${base}_${n}`;
    this.taken.add(key);
    return key;
  }
}

/** Whether validators can compile `pattern`: JSON Schema validators use Unicode mode, like Ajv. */
function isValidPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * `object[key] = value`, also for the key `__proto__` (a property name that specs do use), which
 * plain assignment would turn into a prototype change, losing the property.
 */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Keeps the first paragraph of a long description, clipped at a word boundary and marked. */
export function trimDescription(text: string, max: number): string {
  if (max <= 0 || text.length <= max) return text;
  const first = text.split(/\n\s*\n/, 1)[0]?.trim() ?? '';
  if (first.length <= max) return first.length < text.length ? `${first}…` : first;
  const cut = first.lastIndexOf(' ', max - 1);
  return `${first.slice(0, cut > max * 0.6 ? cut : max - 1)}…`;
}
