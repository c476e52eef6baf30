/**
 * The catalog as the cache stores it. Each parameter's and the body's schema is also a property of
 * the operation's input schema, so the stored form drops the copies and reading puts them back:
 * about a third less to decompress and parse on a warm start.
 */
import type { Catalog, JsonObject, Operation } from './types.js';

export function encodeCatalog(catalog: Catalog): Catalog {
  // Field by field: a planned catalog's fields are getters, which a spread would not copy.
  return {
    api: catalog.api,
    operations: catalog.operations.map((op) => ({
      ...op,
      parameters: op.parameters.map(({ schema: _schema, ...rest }) => ({ ...rest, schema: {} })),
      ...(op.body ? { body: { ...op.body, schema: {} } } : {}),
    })),
    definitions: catalog.definitions,
    warnings: catalog.warnings,
  };
}

export function decodeCatalog(catalog: Catalog): Catalog {
  for (const op of catalog.operations) restore(op);
  return catalog;
}

function restore(op: Operation): void {
  const properties = (op.inputSchema.properties ?? {}) as Record<string, JsonObject>;
  for (const p of op.parameters) p.schema = properties[p.argument] ?? {};
  if (op.body) op.body.schema = properties.body ?? {};
}
