/**
 * The settings table, read from the schema itself: every leaf with its dotted path, environment
 * variable, description, allowed values and default. Help text, the README and the loader all use
 * this, so there is no second list of settings to keep in step with the schema.
 */
import { z } from 'zod';
import type { LeafKind } from './leaves.js';
import { configSchema, defaultConfig, type HeadroomConfig } from './schema.js';

export interface SettingInfo {
  /** Dotted path such as `memory.gc.minIntervalMs`. */
  path: string;
  /** The environment variable; empty for settings only the configuration file can give. */
  env: string;
  description: string;
  /** What values are allowed, e.g. `one of: rss, heap`. */
  expects: string;
  kind: LeafKind;
  /** The default value; undefined when the setting has none (see `defaultText`). */
  default: unknown;
  /** Words for an absent default, such as `derived from the V8 heap limit`. */
  defaultText?: string;
}

/** Metadata may sit on any wrapper (`.default()`, `.optional()`) or on the leaf inside it. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; meta: Record<string, unknown> } {
  let inner = schema;
  let meta: Record<string, unknown> = {};
  for (;;) {
    meta = { ...inner.meta(), ...meta };
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, meta };
    }
  }
}

/** `memory.gc.minIntervalMs` -> `HEADROOM_MEMORY_GC_MIN_INTERVAL_MS`. */
export function conventionalEnvName(path: string): string {
  return `HEADROOM_${path
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/\./g, '_')
    .toUpperCase()}`;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

function collect(schema: z.ZodType, path: string[], defaults: () => unknown, into: SettingInfo[]): void {
  const { inner, meta } = unwrap(schema);
  if (inner instanceof z.ZodObject && meta.fileOnly !== true) {
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      collect(child, [...path, key], defaults, into);
    }
    return;
  }
  const dotted = path.join('.');
  const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : undefined);
  const expects = text('expects');
  if (expects === undefined) throw new Error(`setting ${dotted} is not built from a leaf helper`);
  const info: SettingInfo = {
    path: dotted,
    // File-only settings have no variable: a list of objects does not fit in one string.
    env: meta.fileOnly === true ? '' : (text('env') ?? conventionalEnvName(dotted)),
    description: text('description') ?? '',
    expects,
    kind: meta.kind as LeafKind,
    // Read when asked (help, the README): a start reads the table for its variables only, and
    // working the defaults out parses the whole schema.
    get default() {
      return valueAt(defaults(), path);
    },
  };
  const defaultText = text('defaultText');
  if (defaultText !== undefined) info.defaultText = defaultText;
  into.push(info);
}

/**
 * Every setting in schema order. Read from the schema once per process (the schema never changes
 * while running): the loader needs it twice on every start, and each walk parses the defaults.
 */
export const settingsTable: () => readonly SettingInfo[] = (() => {
  let table: readonly SettingInfo[] | undefined;
  return () => {
    if (table === undefined) {
      const rows: SettingInfo[] = [];
      let defaults: HeadroomConfig | undefined;
      collect(configSchema, [], () => (defaults ??= defaultConfig()), rows);
      table = Object.freeze(rows.map((row) => Object.freeze(row)));
    }
    return table;
  };
})();

/**
 * The keys allowed in the section at `path` (`[]` is the top level), or undefined when `path` is
 * not a section; used to list the valid keys next to an unknown one.
 */
export function sectionKeys(path: readonly string[]): string[] | undefined {
  let schema: z.ZodType = configSchema;
  for (const key of path) {
    const { inner } = unwrap(schema);
    if (!(inner instanceof z.ZodObject)) return undefined;
    const child = (inner.shape as Record<string, z.ZodType | undefined>)[key];
    if (child === undefined) return undefined;
    schema = child;
  }
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : undefined;
}
