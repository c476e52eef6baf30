/**
 * Turns schema issues into one ConfigError that says which setting, where its value came from,
 * what the value was and what is allowed, because "Invalid input" helps nobody fix a config.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { sectionKeys } from './settings.js';
import { describeSource, type SettingSource } from './sources.js';

/** How many issues one error lists; the rest are counted so the user knows to look again. */
const SHOWN = 3;

export interface IssueContext {
  /** The merged input that was validated. */
  input: unknown;
  /** Where the value (or, for unknown keys, the key) at a dotted path came from. */
  sourceOf(path: string, of: 'key' | 'value'): SettingSource;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function where(source: SettingSource): string {
  return source.kind === 'file' ? `in ${describeSource(source)}` : `from ${describeSource(source)}`;
}

function describe(
  issue: z.core.$ZodIssue,
  context: IssueContext,
): { setting: string; source: string; text: string } {
  const section = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const setting = [...section, key].join('.');
    const source = context.sourceOf(setting, 'key');
    const valid = sectionKeys(section) ?? [];
    const scope = section.length === 0 ? 'Valid sections' : `Valid keys in ${section.join('.')}`;
    const text = `unknown setting '${setting}' ${where(source)}.${didYouMean(key, valid)} ${scope}: ${valid.join(', ')}`;
    return { setting, source: describeSource(source), text };
  }
  const setting = section.join('.');
  const source = context.sourceOf(setting, 'value');
  const value = show(valueAt(context.input, issue.path));
  const keys = sectionKeys(section);
  const expected =
    issue.code === 'custom'
      ? issue.message
      : keys
        ? `a mapping with keys such as ${keys.join(', ')}`
        : issue.message;
  const text = `invalid value ${value} for ${setting} (${where(source)}): expected ${expected}`;
  return { setting, source: describeSource(source), text };
}

/** A ConfigError for the first issue, listing the next few too so one run finds most mistakes. */
export function toConfigError(issues: readonly z.core.$ZodIssue[], context: IssueContext): ConfigError {
  const described = issues.slice(0, SHOWN).map((issue) => describe(issue, context));
  const first = described[0] ?? { setting: '', source: '', text: 'invalid configuration' };
  const more = issues.length > SHOWN ? [`  and ${issues.length - SHOWN} more`] : [];
  const message = [first.text, ...described.slice(1).map((entry) => `  also: ${entry.text}`), ...more];
  return new ConfigError(first.setting, first.source, message.join('\n'));
}
