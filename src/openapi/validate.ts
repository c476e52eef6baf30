/**
 * Tool arguments checked against the operation's full input schema (JSON Schema 2020-12, Ajv)
 * before a request is built, so a model learns every problem of a call at once, in words it can act
 * on, rather than from an upstream 400. Compiled validators are kept in a bounded LRU: compiling is
 * the expensive part, and most sessions call a few operations many times.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ToolArgumentError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { isPlainObject, jsonType } from './serialize.js';
import { toolOutputSchema } from './tool-definition.js';
import { toolInputSchema } from './tool-schema.js';
import type { Catalog, JsonObject, Operation } from './types.js';

export const DEFAULT_MAX_CACHED_VALIDATORS = 256;
/** Problems listed in one error; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 10;
/**
 * Deepest nesting of arguments accepted, as for specifications (yaml.ts). Validation and the JSON
 * text of a body recurse, so a value nested ten thousand levels deep would overflow the stack.
 */
export const MAX_ARGUMENT_DEPTH = 1000;
/** Allowed values or property names listed in one problem. */
const MAX_LISTED_NAMES = 20;

export interface ArgumentValidatorOptions {
  /** Compiled validators kept (least recently used dropped first); default 256. */
  maxCached?: number;
  /** Told once per operation whose schema cannot be compiled (it is then checked only loosely). */
  warn?: (message: string) => void;
}

export interface ArgumentValidatorStats {
  /** Validators held now. */
  cached: number;
  /** Schemas compiled (or given up on) since the validator was created. */
  compilations: number;
}

type Check = (value: unknown) => string[];

interface Entry {
  op: Operation;
  definitions: Catalog['definitions'];
  check: Check;
}

export class ArgumentValidator {
  private readonly maxCached: number;
  private readonly warn: (message: string) => void;
  private readonly ajv: Ajv2020;
  /** Map order is recency order: the first key is the least recently used. */
  private readonly cache = new Map<string, Entry>();
  private compilations = 0;

  constructor(options: ArgumentValidatorOptions = {}) {
    const maxCached = options.maxCached ?? DEFAULT_MAX_CACHED_VALIDATORS;
    if (!Number.isInteger(maxCached) || maxCached < 1) {
      throw new RangeError(`ArgumentValidator: maxCached must be an integer of at least 1, got ${maxCached}`);
    }
    this.maxCached = maxCached;
    this.warn = options.warn ?? (() => {});
    // Formats are hints in real specs (`int64`, `uuid`, vendor formats), not rules worth a refused call.
    // verbose keeps each error's data and parent schema, which the messages need. The schemas come
    // from the translator, which already checks keyword values; checking them again against the
    // meta-schema would cost ~75 ms on the first call, and code generation still throws on what
    // it cannot compile (an unknown type, a bad pattern, a dangling $ref).
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      validateFormats: false,
      verbose: true,
      validateSchema: false,
      logger: false,
    });
  }

  /** Throws a ToolArgumentError listing every problem with `args` (the first ten, then a count). */
  validate(op: Operation, definitions: Catalog['definitions'], args: Record<string, unknown>): void {
    checkDepth(args);
    const problems = this.problems(op, definitions, args);
    if (problems.length === 0) return;
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `- ${p}`);
    if (problems.length > MAX_LISTED_PROBLEMS)
      listed.push(`- and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    throw new ToolArgumentError(`invalid arguments:\n${listed.join('\n')}`);
  }

  /** Every problem with `args`, in words; empty when they are valid. */
  problems(op: Operation, definitions: Catalog['definitions'], args: Record<string, unknown>): string[] {
    return this.checkFor('input', op, definitions)(args);
  }

  /**
   * Every problem of `structured` against the operation's output envelope: structured content that
   * does not match the declared output schema makes SDK clients reject the whole result.
   */
  outputProblems(op: Operation, definitions: Catalog['definitions'], structured: unknown): string[] {
    return this.checkFor('output', op, definitions)(structured);
  }

  get stats(): ArgumentValidatorStats {
    return { cached: this.cache.size, compilations: this.compilations };
  }

  private checkFor(side: 'input' | 'output', op: Operation, definitions: Catalog['definitions']): Check {
    const key = `${side}\u0000${op.api}\u0000${op.name}`;
    const entry = this.cache.get(key);
    // A reloaded catalog brings new objects under the same names: their schemas may differ.
    if (entry && entry.op === op && entry.definitions === definitions) {
      this.cache.delete(key);
      this.cache.set(key, entry);
      return entry.check;
    }
    const check = this.compile(side, op, definitions);
    this.cache.delete(key);
    this.cache.set(key, { op, definitions, check });
    while (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
    return check;
  }

  private compile(side: 'input' | 'output', op: Operation, definitions: Catalog['definitions']): Check {
    this.compilations++;
    // The full closure of definitions: a listed schema may stub the far ones to stay small, but a
    // stub would let anything through.
    const schema =
      side === 'input'
        ? toolInputSchema(op, definitions, Number.POSITIVE_INFINITY)
        : toolOutputSchema(op, definitions, Number.POSITIVE_INFINITY);
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(schema);
    } catch (error) {
      if (side === 'output') {
        const problem = `its output schema cannot be compiled (${(error as Error).message})`;
        return () => [problem];
      }
      this.warn(
        `${op.name}: its input schema cannot be compiled (${(error as Error).message}); ` +
          'only required and unknown arguments are checked',
      );
      return looseCheck(op.inputSchema);
    } finally {
      // Ajv keeps every compiled schema by identity; the LRU, not Ajv, decides what stays.
      this.ajv.removeSchema(schema);
    }
    return (args) => (validate(args) ? [] : describeErrors(validate.errors ?? [], schema));
  }
}

/** What can be checked without a validator: required arguments present, no unknown ones. */
function looseCheck(inputSchema: JsonObject): Check {
  const properties = isPlainObject(inputSchema.properties) ? Object.keys(inputSchema.properties) : [];
  const required = Array.isArray(inputSchema.required) ? inputSchema.required.map(String) : [];
  return (value) => {
    const args = value as Record<string, unknown>;
    const out: string[] = [];
    for (const name of required)
      if (args[name] === undefined) out.push(`missing required argument '${name}'`);
    for (const name of Object.keys(args)) {
      if (!properties.includes(name)) out.push(unknownArgument(name, properties));
    }
    return out;
  };
}

/** Ajv's errors as sentences: one per problem, the most specific ones, without duplicates. */
function describeErrors(errors: ErrorObject[], root: JsonObject): string[] {
  const out = new Set<string>();
  for (const error of relevant(errors)) {
    const message = describe(error, root);
    if (message !== undefined) out.add(message);
  }
  return [...out];
}

/**
 * Drops the noise of `allErrors`: inside a failed anyOf/oneOf only the closest alternative's
 * problems are kept (the one with the fewest), and the `if` keyword's summary is dropped since the
 * `then`/`else` errors under it say what is wrong.
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const choices = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  const merged = new Map<ErrorObject, ErrorObject>();
  for (const choice of choices) {
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (!error.schemaPath.startsWith(`${choice.schemaPath}/`)) continue;
      const branch = error.schemaPath.slice(choice.schemaPath.length + 1).split('/')[0] as string;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const lists = [...branches.values()];
    // `anyOf: [{type: string}, {type: integer}]` given a boolean: one sentence says it all.
    const types = lists.every(
      (list) =>
        list.length === 1 && list[0]!.keyword === 'type' && list[0]!.instancePath === choice.instancePath,
    );
    if (types && lists.length > 0) {
      const allowed = lists.flatMap((list) => String((list[0]!.params as { type: unknown }).type).split(','));
      merged.set(choice, { ...choice, keyword: 'type', params: { type: [...new Set(allowed)] } });
    }
    let best: ErrorObject[] | undefined;
    for (const list of lists) if (!best || list.length < best.length) best = list;
    for (const list of lists) if (list !== best || types) for (const error of list) dropped.add(error);
  }
  return errors.filter((e) => !dropped.has(e) && e.keyword !== 'if').map((e) => merged.get(e) ?? e);
}

function describe(error: ErrorObject, root: JsonObject): string | undefined {
  const path = displayPath(error.instancePath);
  const at = path === '' ? 'arguments' : path;
  const params = error.params as Record<string, unknown>;
  const parent = isPlainObject(error.parentSchema) ? error.parentSchema : {};
  switch (error.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      // A readOnly property is the server's to fill: a shared schema lists it as required for
      // responses, and a request cannot supply it.
      if (isReadOnly(propertySchema(parent, name), root)) return undefined;
      return path === ''
        ? `missing required argument '${name}'`
        : `${path}: missing required property '${name}'`;
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(params.additionalProperty ?? params.unevaluatedProperty);
      const known = isPlainObject(parent.properties) ? Object.keys(parent.properties) : [];
      if (path === '') return unknownArgument(name, known);
      const list = known.length === 0 ? 'no other properties are allowed' : `properties: ${names(known)}`;
      return `${path}: unknown property '${name}' (${list})${suggestion(name, known)}`;
    }
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(',');
      return `${at}: must be ${types.join(' or ')} (got ${jsonType(error.data)})`;
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `${at}: must be one of ${names(allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))}`;
    }
    case 'const':
      return `${at}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'anyOf':
    case 'oneOf': {
      const count = Array.isArray(error.schema) ? error.schema.length : 0;
      if (error.keyword === 'oneOf' && Array.isArray(params.passingSchemas))
        return `${at}: matches more than one of its ${count} alternatives (oneOf); it must match exactly one`;
      return `${at}: matches none of its ${count} alternatives (${error.keyword})`;
    }
    case 'not':
      return `${at}: must not match the schema under 'not'`;
    default:
      return `${at}: ${error.message ?? `fails ${error.keyword}`}`;
  }
}

function unknownArgument(name: string, known: string[]): string {
  const list = known.length === 0 ? 'this tool takes no arguments' : `arguments: ${names(known)}`;
  return `unknown argument '${name}' (${list})${suggestion(name, known)}`;
}

function suggestion(name: string, known: string[]): string {
  const match = closest(name, known);
  return match === undefined ? '' : `; did you mean '${match}'?`;
}

function names(list: readonly string[]): string {
  if (list.length <= MAX_LISTED_NAMES) return list.join(', ');
  return `${list.slice(0, MAX_LISTED_NAMES).join(', ')}, … (${list.length - MAX_LISTED_NAMES} more)`;
}

/** Throws a ToolArgumentError when `args` nest deeper than MAX_ARGUMENT_DEPTH. Iterative. */
function checkDepth(args: Record<string, unknown>): void {
  const stack: Array<{ value: object; depth: number; pointer: string }> = [
    { value: args, depth: 0, pointer: '' },
  ];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, depth, pointer } = next;
    if (depth > MAX_ARGUMENT_DEPTH) {
      const path = displayPath(pointer);
      throw new ToolArgumentError(
        `the arguments nest more than ${MAX_ARGUMENT_DEPTH} levels deep (at ${path.length > 80 ? `${path.slice(0, 80)}...` : path}), ` +
          'the limit for one call; an API call needs at most a few dozen levels: send flatter values',
      );
    }
    for (const [key, child] of Object.entries(value)) {
      if (child !== null && typeof child === 'object') {
        const escaped = key.replace(/~/g, '~0').replace(/\//g, '~1');
        stack.push({ value: child, depth: depth + 1, pointer: `${pointer}/${escaped}` });
      }
    }
  }
}

/** `/body/items/0/name` as `body.items[0].name`; keys that are not identifiers are quoted. */
export function displayPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

function propertySchema(parent: JsonObject, name: string): unknown {
  const properties = parent.properties;
  return isPlainObject(properties) && Object.hasOwn(properties, name) ? properties[name] : undefined;
}

/** Whether a schema (or the `$defs` entry it refers to) is marked readOnly. */
function isReadOnly(schema: unknown, root: JsonObject): boolean {
  if (!isPlainObject(schema)) return false;
  if (schema.readOnly === true) return true;
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return false;
  const defs = root.$defs;
  const key = ref.slice(8).replace(/~1/g, '/').replace(/~0/g, '~');
  const target = isPlainObject(defs) && Object.hasOwn(defs, key) ? defs[key] : undefined;
  return isPlainObject(target) && target.readOnly === true;
}
