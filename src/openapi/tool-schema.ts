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
  let spent = 0;
  const queue = [...op.defs];
  const depths = op.defs.map(() => 1);
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i] as string;
    const depth = depths[i] as number;
    if (Object.hasOwn($defs, key)) continue;
    const def = definitions[key];
    if (!def) {
      $defs[key] = {};
      continue;
    }
    if ((spent + def.bytes > budgetBytes && spent > 0) || depth > MAX_REF_DEPTH) {
      $defs[key] = { description: `(${key}: omitted to keep this tool's schema small)` };
      continue;
    }
    spent += def.bytes;
    $defs[key] = def.schema;
    for (const next of def.refs) {
      if (Object.hasOwn($defs, next)) continue;
      queue.push(next);
      depths.push(depth + 1);
    }
  }
  return { ...op.inputSchema, $defs };
}
