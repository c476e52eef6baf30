/**
 * An operation as an MCP tool definition: name, title, description, input schema (with its shared
 * definitions within the byte budget) and annotations. Listing and `spec inspect` both use this,
 * so the sizes inspect reports are the sizes a client receives.
 */
import { clip } from './catalog.js';
import { toolInputSchema } from './tool-schema.js';
import type { Catalog, JsonObject, Operation } from './types.js';

export interface OperationTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonObject;
  /** With structured output: what `structuredContent` holds (see `outputEnvelope`). */
  outputSchema?: JsonObject;
  annotations: {
    title: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
}

export function operationTool(
  op: Operation,
  definitions: Catalog['definitions'],
  budgetBytes: number,
): OperationTool {
  return {
    name: op.name,
    title: op.title,
    description: describeOperation(op),
    inputSchema: withMetaArguments(toolInputSchema(op, definitions, budgetBytes)),
    ...(op.outputSchema === undefined
      ? {}
      : { outputSchema: toolOutputSchema(op, definitions, budgetBytes) }),
    annotations: annotationsFor(op),
  };
}

/**
 * The output schema of an operation with structured output. MCP wants an object, and an answer may
 * be cut to fit, so the response goes under `result`, which is left out when what could be shown
 * would not match the response schema (an object with cut branches, a `_query` result).
 */
export function outputEnvelope(schema: JsonObject | boolean): JsonObject {
  return {
    type: 'object',
    properties: {
      result: schema,
      truncated: { type: 'boolean', description: 'Whether the answer was cut to fit.' },
      cursor: { type: 'string', description: 'Where read_result goes on, when cut.' },
      note: { type: 'string' },
    },
    required: ['truncated'],
  };
}

/** The output envelope with the `$defs` its response schema reaches, within the byte budget. */
export function toolOutputSchema(
  op: Operation,
  definitions: Catalog['definitions'],
  budgetBytes: number,
): JsonObject {
  const envelope = outputEnvelope(op.outputSchema ?? {});
  return toolInputSchema(
    { ...op, inputSchema: envelope, defs: op.outputDefs ?? [] },
    definitions,
    budgetBytes,
  );
}

/**
 * The two arguments every operation tool takes besides its own: they shape the answer before the
 * model sees it, so a large response costs only what the model asked for.
 */
// Short, since every tool repeats them (1,223 times for GitHub); the server's instructions explain
// them once, with examples.
export const META_PROPERTIES: Readonly<Record<'_fields' | '_query', JsonObject>> = {
  _fields: { type: 'array', items: { type: 'string' }, description: 'Only these fields of the answer' },
  _query: { type: 'string', description: 'JMESPath over the answer' },
};

/** What the meta arguments do, for the server's instructions. */
export const META_INSTRUCTIONS =
  'Every operation also takes _fields (dot paths to keep, e.g. ["id", "user.login"]) and _query (JMESPath, e.g. [?state==\'open\'].{id: id, title: title}), ' +
  'which shape the answer before you see it. An answer cut to fit ends with a note: call read_result with its cursor and offset to read on.';

/** `schema` with the meta arguments added, unless the operation has arguments of those names. */
export function withMetaArguments(schema: JsonObject): JsonObject {
  const properties = (schema.properties ?? {}) as JsonObject;
  const meta = Object.fromEntries(
    Object.entries(META_PROPERTIES).filter(([key]) => !Object.hasOwn(properties, key)),
  );
  return { ...schema, properties: { ...properties, ...meta } };
}

/** The tool description: the summary, the description, and where the operation lives. */
export function describeOperation(op: Operation): string {
  const parts: string[] = [];
  if (op.deprecated) parts.push('Deprecated.');
  if (op.summary) parts.push(op.summary);
  if (op.description && op.description !== op.summary) parts.push(clip(op.description, 1000));
  parts.push(`${op.method.toUpperCase()} ${op.path}`);
  return parts.join('\n\n');
}

export function annotationsFor(op: Operation): OperationTool['annotations'] {
  const method = op.method.toLowerCase();
  const readOnly = method === 'get' || method === 'head' || method === 'options';
  return {
    title: op.title,
    readOnlyHint: readOnly,
    destructiveHint: method === 'delete',
    idempotentHint: readOnly || method === 'put' || method === 'delete',
    openWorldHint: true,
  };
}
