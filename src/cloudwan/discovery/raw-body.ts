/**
 * Recovers what @aws-sdk/client-networkmanager 3.523 drops while parsing: `NetworkFunctionGroups`
 * of GetCoreNetwork, and `NetworkFunctionGroupName` / `EdgeLocations` (Direct Connect attachments)
 * of ListAttachments. The deserializer consumes the body stream, so a middleware just inside it
 * buffers the body, hands the deserializer the bytes instead, and keeps only those fields; an outer
 * middleware puts them on the command's output under a symbol, where `rawExtras` finds them.
 */

import {
  addMiddleware,
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type MiddlewareStackLike,
  operationOf,
} from './middleware.js';

export interface FunctionGroupExtras {
  name: string;
  /** Absent when the response did not list them. */
  edgeLocations?: string[];
}

export interface AttachmentExtras {
  networkFunctionGroupName?: string;
  edgeLocations?: string[];
}

export interface RawExtras {
  /** GetCoreNetwork: undefined when the response had no `NetworkFunctionGroups` member. */
  networkFunctionGroups?: FunctionGroupExtras[];
  /** ListAttachments: by attachment id, only the attachments that had something to recover. */
  attachments?: Map<string, AttachmentExtras>;
}

const ON_OUTPUT = Symbol('headroom.rawExtras');
const ON_CONTEXT = Symbol('headroom.rawExtrasPending');

/** Only these operations are buffered; the rest stream straight to the deserializer. */
const EXTRACTORS: Record<string, (body: Record<string, unknown>) => RawExtras> = {
  GetCoreNetwork: extractCoreNetwork,
  ListAttachments: extractAttachments,
};

export function addRawBodyMiddleware(stack: MiddlewareStackLike): void {
  addMiddleware(
    stack,
    (next, context) => async (args) => {
      const result = await next(args);
      const extras = context[ON_CONTEXT];
      if (extras !== undefined && typeof result.output === 'object' && result.output !== null) {
        Object.defineProperty(result.output, ON_OUTPUT, { value: extras, enumerable: false });
      }
      return result;
    },
    { step: 'initialize', priority: 'low', name: 'headroomRawExtrasOutput' },
  );
  addMiddleware(stack, (next, context) => (args) => bufferBody(next, context, args), {
    step: 'deserialize',
    priority: 'low',
    name: 'headroomRawBody',
  });
}

/** The fields recovered for a command's output, if it was one of the buffered operations. */
export function rawExtras(output: object): RawExtras | undefined {
  return (output as { [ON_OUTPUT]?: RawExtras })[ON_OUTPUT];
}

async function bufferBody(next: Handler, context: HandlerContext, args: unknown): Promise<HandlerResult> {
  const result = await next(args);
  const extract = EXTRACTORS[operationOf(context)];
  const response = result.response as { statusCode?: number; body?: unknown } | undefined;
  if (!extract || !response || (response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) > 299) {
    return result;
  }
  const bytes = await readAll(response.body);
  // A Uint8Array body is what the SDK's body collector accepts as already read.
  response.body = bytes;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return result; // the deserializer reports the malformed body with its own error
  }
  if (typeof parsed === 'object' && parsed !== null) {
    context[ON_CONTEXT] = extract(parsed as Record<string, unknown>);
  }
  return result;
}

async function readAll(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

function extractCoreNetwork(body: Record<string, unknown>): RawExtras {
  const core = body.CoreNetwork as Record<string, unknown> | undefined;
  const groups = core?.NetworkFunctionGroups;
  if (!Array.isArray(groups)) return {};
  const out: FunctionGroupExtras[] = [];
  for (const group of groups as Array<Record<string, unknown>>) {
    if (typeof group?.Name !== 'string') continue;
    const edges = strings(group.EdgeLocations);
    out.push(edges ? { name: group.Name, edgeLocations: edges } : { name: group.Name });
  }
  return { networkFunctionGroups: out };
}

function extractAttachments(body: Record<string, unknown>): RawExtras {
  const attachments = new Map<string, AttachmentExtras>();
  const list = body.Attachments;
  if (!Array.isArray(list)) return { attachments };
  for (const attachment of list as Array<Record<string, unknown>>) {
    if (typeof attachment?.AttachmentId !== 'string') continue;
    const extras: AttachmentExtras = {};
    if (typeof attachment.NetworkFunctionGroupName === 'string') {
      extras.networkFunctionGroupName = attachment.NetworkFunctionGroupName;
    }
    const edges = strings(attachment.EdgeLocations);
    if (edges) extras.edgeLocations = edges;
    if (extras.networkFunctionGroupName !== undefined || extras.edgeLocations) {
      attachments.set(attachment.AttachmentId, extras);
    }
  }
  return { attachments };
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}
