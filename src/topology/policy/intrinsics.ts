/**
 * Template leftovers: a policy copied out of a CloudFormation template or a Terraform file still holds
 * `{"Ref": ...}`, `{"Fn::Sub": ...}` or `${...}` where a value belongs. AWS would take the placeholder
 * literally (or refuse it), so each one is an error; the checks that follow skip those values rather
 * than report the same leftover again as a bad name or a wrong type.
 */

import type { IssueList } from './report.js';

/** Nesting deeper than this is not a policy; the walk stops there instead of risking the stack. */
export const MAX_POLICY_DEPTH = 64;
/**
 * Nodes visited at most. A YAML alias makes a second reference, not a copy, so a small file can
 * expand into a huge tree; every later pass visits a subset of these nodes, so this bounds them all.
 */
export const MAX_POLICY_NODES = 1_000_000;

/** Whether a value is a CloudFormation or Terraform placeholder rather than a value. */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  return intrinsicKey(value) !== undefined;
}

/** `Ref` or the `Fn::` key that makes an object a CloudFormation intrinsic function. */
function intrinsicKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const key in value) {
    if (key === 'Ref' || key.startsWith('Fn::')) return key;
  }
  return undefined;
}

/**
 * Reports every leftover in the document. Returns false when the document is too deep or too large
 * to check further (the caller then stops, with that reason already reported).
 */
export function findIntrinsics(document: unknown, issues: IssueList): boolean {
  const stack: { value: unknown; pointer: string; depth: number }[] = [
    { value: document, pointer: '', depth: 0 },
  ];
  let visited = 0;
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop()!;
    if (++visited > MAX_POLICY_NODES) {
      issues.error(
        'document-too-large',
        '',
        `the document has more than ${MAX_POLICY_NODES} values (counting YAML aliases as copies); a core network policy is far smaller: check that this is the right file`,
      );
      return false;
    }
    if (typeof value === 'string') {
      if (value.includes('${')) issues.error('intrinsic-function', pointer, substitutionMessage(value));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const key = intrinsicKey(value);
    if (key !== undefined) {
      issues.error(
        'intrinsic-function',
        pointer,
        functionMessage(key, (value as Record<string, unknown>)[key]),
      );
      continue;
    }
    if (depth >= MAX_POLICY_DEPTH) {
      issues.error(
        'document-too-deep',
        pointer,
        `values are nested more than ${MAX_POLICY_DEPTH} levels deep here; a core network policy is much flatter: check that this is the right file`,
      );
      return false;
    }
    // Pushed in reverse so that issues come out in document order.
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i]!;
      stack.push({ value: v, pointer: `${pointer}/${escapePointer(k)}`, depth: depth + 1 });
    }
  }
  return true;
}

function functionMessage(key: string, argument: unknown): string {
  const shown = `{"${key}": ${preview(argument)}}`;
  const kind = key === 'Ref' ? 'CloudFormation reference' : 'CloudFormation intrinsic function';
  return `${kind} ${shown} left in the policy: resolve it to a value before loading (deploy through CloudFormation, or put the real value in its place)`;
}

function substitutionMessage(text: string): string {
  return `template substitution in ${preview(text)} left in the policy (Terraform or CloudFormation Fn::Sub): resolve it to a value before loading`;
}

/** A short, bounded rendering of a value for a message (an argument may be a large structure). */
function preview(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) return value.length === 0 ? '[]' : '[...]';
  if (value !== null && typeof value === 'object') return '{...}';
  return String(value);
}

/** RFC 6901: `~` and `/` in a key are escaped so that the pointer splits back into the same keys. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
