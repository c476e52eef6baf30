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
    inputSchema: toolInputSchema(op, definitions, budgetBytes),
    annotations: annotationsFor(op),
  };
}

/** The tool description: the summary, the description, and where the operation lives. */
function describeOperation(op: Operation): string {
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
