/**
 * Which operations of a spec to serve. Every include list that is set must match (a list matches when
 * any of its entries does), and any exclude match removes the operation whatever the includes say.
 * Empty lists count as unset, so a configuration that defaults to `[]` filters nothing.
 */
import { compileGlob, toolName } from './names.js';

export interface OperationFilter {
  includeTags?: string[];
  excludeTags?: string[];
  /** Globs on the operationId (on the `method_path` name when an operation has none). */
  includeOperations?: string[];
  excludeOperations?: string[];
  /** HTTP methods, case-insensitive. */
  methods?: string[];
  /** Path prefixes that match whole segments: `/repos` matches `/repos/{owner}`, not `/repositories`. */
  pathPrefixes?: string[];
  /** Only GET and HEAD, for a server that must not change anything. */
  readOnly?: boolean;
}

export interface FilterableOperation {
  operationId?: string;
  method: string;
  path: string;
  tags: string[];
}

type Predicate = (op: FilterableOperation) => boolean;

const READ_ONLY_METHODS = new Set(['get', 'head']);

function present(list: string[] | undefined): list is string[] {
  return list !== undefined && list.length > 0;
}

function lowerSet(list: string[]): Set<string> {
  return new Set(list.map((entry) => entry.trim().toLowerCase()));
}

function hasTag(tags: Set<string>): Predicate {
  return (op) => op.tags.some((tag) => tags.has(tag.trim().toLowerCase()));
}

function matchesAnyGlob(globs: string[]): Predicate {
  const matchers = globs.map(compileGlob);
  return (op) => {
    // Without an operationId the name a user sees (and would write a glob for) is `method_path`.
    const id = op.operationId ?? toolName(op, { maxLength: Number.MAX_SAFE_INTEGER });
    return matchers.some((matches) => matches(id));
  };
}

function underAnyPrefix(prefixes: string[]): Predicate {
  const normalized = prefixes.map((prefix) => {
    const rooted = prefix.startsWith('/') ? prefix : `/${prefix}`;
    return rooted.length > 1 ? rooted.replace(/\/+$/, '') : rooted;
  });
  return (op) =>
    normalized.some((prefix) => prefix === '/' || op.path === prefix || op.path.startsWith(`${prefix}/`));
}

/**
 * Compiles a filter once, for use over many operations; undefined when it keeps every operation,
 * so that a start without a filter does not test each of thousands of operations.
 */
function compileFilter(filter: OperationFilter): Predicate | undefined {
  const includes: Predicate[] = [];
  const excludes: Predicate[] = [];
  if (present(filter.includeTags)) includes.push(hasTag(lowerSet(filter.includeTags)));
  if (present(filter.includeOperations)) includes.push(matchesAnyGlob(filter.includeOperations));
  if (present(filter.methods)) {
    const methods = lowerSet(filter.methods);
    includes.push((op) => methods.has(op.method.toLowerCase()));
  }
  if (present(filter.pathPrefixes)) includes.push(underAnyPrefix(filter.pathPrefixes));
  if (filter.readOnly === true) includes.push((op) => READ_ONLY_METHODS.has(op.method.toLowerCase()));
  if (present(filter.excludeTags)) excludes.push(hasTag(lowerSet(filter.excludeTags)));
  if (present(filter.excludeOperations)) excludes.push(matchesAnyGlob(filter.excludeOperations));
  if (includes.length === 0 && excludes.length === 0) return undefined;
  return (op) => includes.every((test) => test(op)) && !excludes.some((test) => test(op));
}

/** Whether `filter` keeps every operation. */
export function keepsAll(filter: OperationFilter): boolean {
  return compileFilter(filter) === undefined;
}

/** The operations the filter keeps, in their original order. */
export function filterOperations<T extends FilterableOperation>(ops: T[], filter: OperationFilter): T[] {
  const keep = compileFilter(filter);
  return keep ? ops.filter(keep) : ops;
}

/** One line for the log, e.g. `tags pets, store; not operations delete*; read-only`. */
export function describeFilter(filter: OperationFilter): string {
  const parts: string[] = [];
  const list = (label: string, entries: string[] | undefined) => {
    if (present(entries)) parts.push(`${label} ${entries.join(', ')}`);
  };
  list('tags', filter.includeTags);
  list('not tags', filter.excludeTags);
  list('operations', filter.includeOperations);
  list('not operations', filter.excludeOperations);
  list(
    'methods',
    filter.methods?.map((method) => method.toUpperCase()),
  );
  list('paths under', filter.pathPrefixes);
  if (filter.readOnly === true) parts.push('read-only');
  return parts.length === 0 ? 'all operations' : parts.join('; ');
}
