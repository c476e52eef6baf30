/**
 * The small typed readers the structure checks are built from. Each reads one value, reports what is
 * wrong with it at its pointer, and returns the value only when it is usable, so the callers read as
 * a description of the format. Template leftovers (already reported) read as absent, silently.
 */

import { didYouMean } from '../../util/suggest.js';
import type { PolicyVersion } from '../policy-types.js';
import { emptyFacts, type NameRef, type PolicyFacts, type RefKind } from './facts.js';
import { escapePointer, isUnresolved } from './intrinsics.js';
import type { IssueList } from './report.js';
import { listNames } from './rules.js';

export type Json = Record<string, unknown>;

export class Context {
  readonly facts: PolicyFacts = emptyFacts();
  version: PolicyVersion | undefined;
  /** Errors from the structure pass: while any, the document is not handed back as a policy. */
  structureErrors = 0;

  constructor(readonly issues: IssueList) {}

  fail(code: string, pointer: string, message: string): void {
    this.structureErrors++;
    this.issues.error(code, pointer, message);
  }

  warn(code: string, pointer: string, message: string): void {
    this.issues.warning(code, pointer, message);
  }

  ref(kind: RefKind, name: string, pointer: string): void {
    this.facts.refs.push({ kind, name, pointer } satisfies NameRef);
  }

  /**
   * Marks `kind` incomplete unless `read` definitions came out of `list` (the section's array, or
   * undefined when it was missing or malformed): one per entry, and at least one where required.
   */
  settle(kind: RefKind, list: unknown[] | undefined, read: number, required: boolean): void {
    if (!list || read < list.length || (required && list.length === 0)) this.facts.incomplete.add(kind);
  }

  /** Reports `feature` when the document declares 2021.12, which predates routing policies. */
  needs2025(pointer: string, feature: string): void {
    if (this.version !== '2021.12') return;
    this.fail(
      'unsupported-in-version',
      pointer,
      `${feature} needs policy version 2025.11, and this document is 2021.12: set "version" to "2025.11" or remove it`,
    );
  }
}

export function child(pointer: string, key: string | number): string {
  return `${pointer}/${typeof key === 'number' ? key : escapePointer(key)}`;
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `an array`, `the number 5`, `the string "x"`, ... for "must be X, not Y" messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `the ${typeof value} ${String(value)}`;
}

export function asObject(ctx: Context, value: unknown, pointer: string, what: string): Json | undefined {
  if (isUnresolved(value)) return undefined;
  if (isObject(value)) return value;
  ctx.fail('invalid-type', pointer, `${what} must be an object, not ${describe(value)}`);
  return undefined;
}

export function asArray(
  ctx: Context,
  value: unknown,
  pointer: string,
  what: string,
  minItems = 0,
): unknown[] | undefined {
  if (isUnresolved(value)) return undefined;
  if (!Array.isArray(value)) {
    ctx.fail('invalid-type', pointer, `${what} must be an array, not ${describe(value)}`);
    return undefined;
  }
  if (value.length < minItems) {
    ctx.fail('too-few-items', pointer, `${what} needs at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  }
  return value;
}

export function asString(ctx: Context, value: unknown, pointer: string, what: string): string | undefined {
  if (isUnresolved(value)) return undefined;
  if (typeof value === 'string') return value;
  ctx.fail('invalid-type', pointer, `${what} must be a string, not ${describe(value)}`);
  return undefined;
}

export function asBoolean(ctx: Context, value: unknown, pointer: string, what: string): boolean | undefined {
  if (isUnresolved(value)) return undefined;
  if (typeof value === 'boolean') return value;
  ctx.fail('invalid-type', pointer, `${what} must be true or false, not ${describe(value)}`);
  return undefined;
}

export function asInteger(
  ctx: Context,
  value: unknown,
  pointer: string,
  what: string,
  min: number,
  max: number,
): number | undefined {
  if (isUnresolved(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    ctx.fail('invalid-type', pointer, `${what} must be a whole number, not ${describe(value)}`);
    return undefined;
  }
  if (value < min || value > max) {
    ctx.fail('out-of-range', pointer, `${what} ${value} is out of range: use ${min} to ${max}`);
    return undefined;
  }
  return value;
}

export function asEnum(
  ctx: Context,
  value: unknown,
  pointer: string,
  what: string,
  allowed: readonly string[],
): string | undefined {
  const text = asString(ctx, value, pointer, what);
  if (text === undefined || allowed.includes(text)) return text;
  ctx.fail(
    'invalid-value',
    pointer,
    `${what} "${text}" is not one of: ${allowed.join(', ')}.${didYouMean(text, allowed)}`.replace(/\.$/, ''),
  );
  return undefined;
}

/** Each usable string of a string array, with its pointer. */
export function asStringList(
  ctx: Context,
  value: unknown,
  pointer: string,
  what: string,
  minItems = 0,
): { text: string; pointer: string }[] {
  const items = asArray(ctx, value, pointer, what, minItems);
  const out: { text: string; pointer: string }[] = [];
  if (!items) return out;
  for (let i = 0; i < items.length; i++) {
    const text = asString(ctx, items[i], child(pointer, i), `${what} entry`);
    if (text !== undefined) out.push({ text, pointer: child(pointer, i) });
  }
  return out;
}

/** `obj[key]`, reporting it as missing when required and absent. */
export function field(
  ctx: Context,
  obj: Json,
  key: string,
  pointer: string,
  what: string,
  required = false,
): unknown {
  const value = obj[key];
  if (value === undefined && required) {
    ctx.fail('missing-field', pointer, `${what} has no "${key}": add it`);
  }
  return value;
}

/**
 * Warns about keys the format does not have (usually typos, which AWS rejects) and keys that exist
 * elsewhere in the format but do nothing here.
 */
export function checkKeys(
  ctx: Context,
  obj: Json,
  pointer: string,
  what: string,
  allowed: readonly string[],
  elsewhere: readonly string[] = [],
): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    if (elsewhere.includes(key)) {
      ctx.warn('unexpected-field', child(pointer, key), `"${key}" is not used in ${what}: remove it`);
    } else {
      ctx.warn(
        'unknown-field',
        child(pointer, key),
        `${what} has no field "${key}" (fields: ${listNames(allowed, 20)}).${didYouMean(key, allowed)}`.replace(
          /\.$/,
          '',
        ),
      );
    }
  }
}

/** Checks an optional free-text field such as `description`. */
export function optionalText(ctx: Context, obj: Json, key: string, pointer: string): void {
  if (obj[key] !== undefined) asString(ctx, obj[key], child(pointer, key), `"${key}"`);
}

/** The strings of an optional string-array field. */
export function optionalList(
  ctx: Context,
  obj: Json,
  key: string,
  pointer: string,
): { text: string; pointer: string }[] {
  if (obj[key] === undefined || isUnresolved(obj[key])) return [];
  return asStringList(ctx, obj[key], child(pointer, key), `"${key}"`);
}
