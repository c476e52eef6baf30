/**
 * A tool's input schema as it is listed: the operation's schema plus the `$defs` it reaches, within
 * a byte budget. Large APIs share big, interlinked schemas (one Microsoft Graph entity reaches
 * hundreds of others), so a full closure per tool would make the tool list larger than any
 * model's context. Definitions are taken breadth-first, nearest first; those past the budget are
 * listed as open stubs, which keeps every `$ref` valid and the schema finite. Chains of references
 * are cut the same way past `MAX_REF_DEPTH` steps: validators compile refs recursively, and a chain
 * of a few hundred small definitions fits any byte budget but overflows their stack.
 */
import type { Catalog, JsonObject, Operation } from './types.js';

export const DEFAULT_SCHEMA_BUDGET_BYTES = 32 * 1024;
export const MAX_REF_DEPTH = 64;

export function toolInputSchema(
  op: Operation,
  definitions: Catalog['definitions'],
  budgetBytes = DEFAULT_SCHEMA_BUDGET_BYTES,
): JsonObject {
  if (op.defs.length === 0) return op.inputSchema;
  const $defs: Record<string, unknown> = {};
  for (const [key, schema] of listedDefinitions(op.defs, definitions, budgetBytes)) $defs[key] = schema;
  return { ...op.inputSchema, $defs };
}

/**
 * The `$defs` of a listed schema whose own refs are `roots`, in order: each definition reached,
 * breadth-first, as its schema, or as a stub past the budget or the depth, or when it is missing.
 */
export function listedDefinitions(
  roots: readonly string[],
  definitions: Catalog['definitions'],
  budgetBytes: number,
): Array<[string, unknown]> {
  const listed: Array<[string, unknown]> = [];
  const seen = new Set<string>();
  let spent = 0;
  const queue = [...roots];
  const depths = roots.map(() => 1);
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i] as string;
    const depth = depths[i] as number;
    if (seen.has(key)) continue;
    seen.add(key);
    const def = Object.hasOwn(definitions, key) ? definitions[key] : undefined;
    if (!def) {
      listed.push([key, {}]);
      continue;
    }
    if ((spent + def.bytes > budgetBytes && spent > 0) || depth > MAX_REF_DEPTH) {
      listed.push([key, { description: `(${key}: omitted to keep this tool's schema small)` }]);
      continue;
    }
    spent += def.bytes;
    listed.push([key, def.schema]);
    for (const next of def.refs) {
      if (seen.has(next)) continue;
      queue.push(next);
      depths.push(depth + 1);
    }
  }
  return listed;
}
