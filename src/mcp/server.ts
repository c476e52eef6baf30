/**
 * The MCP server for a tool list that is only known at run time (built from an OpenAPI catalog):
 * tools arrive as plain JSON Schema objects, possibly a thousand or more of them.
 *
 * Why the low-level `Server` of the v2 SDK rather than `McpServer`:
 * - `McpServer.registerTool` wants a Standard Schema per tool. Raw JSON Schema goes through
 *   `fromJsonSchema`, which compiles an AJV validator at registration: about 3 s and 24 MB kept
 *   for 1,200 tools with 2 KB schemas, repeated for every new schema object. The HTTP entry builds
 *   a server per request, and `McpServer` also converts every schema back to JSON Schema on each
 *   tools/list (about 12 ms for that catalog).
 * - `McpServer` validates arguments with AJV and answers unknown tools with a bare protocol error;
 *   the catalog owns argument checking, and we want "did you mean" answers that the model sees.
 * - `Server` is marked deprecated "for advanced use cases" but is what both v2 serving entries
 *   (`createMcpHandler`, `serveStdio`) accept next to `McpServer`, and it lists our schemas as
 *   they are: on the server side the SDK neither converts nor validates a tools/list result
 *   (0.2 ms for the catalog above; serializing the 2.6 MiB answer costs more).
 */
import type { CallToolResult, ReadResourceResult, ResourceTemplateType } from '@modelcontextprotocol/server';
import { Server } from '@modelcontextprotocol/server';
import { HeadroomError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ToolCallRecord } from '../observe/types.js';
import { levenshtein } from '../util/suggest.js';
import { inPieces, type RawJson, textOnly, textPieces } from './raw-json.js';
import { wireTools } from './wire-tools.js';

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition {
  name: string;
  title?: string;
  description?: string;
  /** A JSON Schema with `type: 'object'` (added when missing); may use `$defs` and `$ref`. */
  inputSchema: Record<string, unknown>;
  /** A JSON Schema object for `structuredContent`, when the tool returns it. */
  outputSchema?: Record<string, unknown>;
  annotations?: ToolAnnotations;
}

/** What a tool call returns: MCP content blocks, optionally structured content and `isError`. */
export type ToolResult = CallToolResult;

export interface ToolCallContext {
  /** Fires when the client cancels the request or the connection goes away. */
  signal: AbortSignal;
  /**
   * Sends an MCP progress notification when the client asked for them (a `progressToken` in the
   * request's `_meta`); does nothing otherwise. `progress` must grow from call to call.
   */
  progress?: (progress: number, total?: number, message?: string) => void;
}

export interface ToolProvider {
  /**
   * Every tool, in listing order. Called on each `tools/list`, and on `tools/call` when `has` is
   * absent, so it should return a prepared array rather than build one.
   */
  list(): readonly ToolDefinition[];
  /** Whether a tool exists; lets large catalogs answer from an index instead of a scan of `list()`. */
  has?(name: string): boolean;
  /** The wire form of the whole list as JSON text, when the provider has it ready (a warm start). */
  listJson?(): RawJson | undefined;
  /**
   * Each tool's wire form as JSON text, in listing order, when the provider can write it without
   * building the tools (a cold start's thousand operations); may be iterated more than once.
   */
  listTexts?(): Iterable<string> | undefined;
  /**
   * Called after the first `tools/list` is answered: the client reads the list before it calls a
   * tool, and work that the first call would wait for can run meanwhile.
   */
  afterList?(): void;
  /**
   * Runs a tool. Arguments are passed as the client sent them: the SDK does not check them against
   * the input schema, so the provider does. A thrown HeadroomError's message reaches the client.
   */
  call(name: string, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult>;
}

/** Resources addressed by URI templates (results kept for paging, for example). */
export interface ResourceProvider {
  templates: readonly ResourceTemplateType[];
  /** Reads one resource; a thrown HeadroomError's message reaches the client. */
  read(uri: string, context: ToolCallContext): Promise<ReadResourceResult>;
}

export interface McpServerOptions {
  name: string;
  version: string;
  instructions?: string;
  tools: ToolProvider;
  resources?: ResourceProvider;
  logger: Logger;
  /** Told of every finished tool call (the monitor's per-tool figures). */
  onToolCall?: (call: ToolCallRecord) => void;
  /**
   * Set when every answer goes through serveStdio's writer, which can write a list's JSON text
   * itself: tools/list then gives it the text the provider has (`listJson`, `listTexts`) and never
   * builds the tools. Any other transport needs the tools: leave it unset.
   */
  textLists?: boolean;
}

/** How many names an unknown-tool answer suggests. */
const SUGGESTIONS = 3;

/**
 * One server instance for one connection (stdio) or one exchange (stateless HTTP). Cheap to make:
 * nothing is read from the provider until a request arrives, so a factory may call this per request.
 */
export function createMcpServer(options: McpServerOptions): Server {
  const { tools } = options;
  const logger = options.logger.child({ component: 'mcp' });
  const server = new Server(
    { name: options.name, version: options.version },
    {
      // The list is fixed for the life of a server, so no list_changed notifications are promised.
      capabilities: { tools: {}, ...(options.resources ? { resources: {} } : {}) },
      ...(options.instructions !== undefined && { instructions: options.instructions }),
    },
  );
  server.onerror = (error) => logger.warn('MCP protocol error', { error: error.message });

  let listedOnce = false;
  server.setRequestHandler('tools/list', () => {
    // After the answer is on its way: its send runs in promise jobs, before any immediate.
    if (!listedOnce && tools.afterList) {
      listedOnce = true;
      setImmediate(() => tools.afterList?.());
    }
    // Over stdio, a cached list is written as it is, texts as they are made, and other lists an
    // item at a time; other transports serialize the tools themselves.
    if (options.textLists) {
      const ready = tools.listJson?.();
      if (ready) return { tools: textOnly(() => [ready.bytes]) };
      const texts = tools.listTexts?.();
      if (texts) return { tools: textOnly(() => textPieces(texts)) };
    }
    return { tools: inPieces(wireTools(tools.list(), logger)) };
  });

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const known = tools.has ? tools.has(name) : tools.list().some((tool) => tool.name === name);
    // An isError result rather than a JSON-RPC error: hosts show the result text to the model,
    // which can then retry with a suggested name; protocol errors usually stop at the host.
    if (!known) return unknownToolResult(name, tools.list());
    const started = performance.now();
    const heapBefore = options.onToolCall ? process.memoryUsage().heapUsed : 0;
    const record = (result: ToolResult): ToolResult => {
      const ms = performance.now() - started;
      logger.debug('tool call finished', {
        tool: name,
        ms: Math.round(ms),
        isError: result.isError === true,
      });
      options.onToolCall?.({
        tool: name,
        ms,
        ok: result.isError !== true,
        bytesOut: textBytes(result),
        memoryDeltaBytes: process.memoryUsage().heapUsed - heapBefore,
      });
      return result;
    };
    try {
      return record(
        await tools.call(name, args, {
          signal: ctx.mcpReq.signal,
          progress: progressSender(ctx.mcpReq, logger),
        }),
      );
    } catch (error) {
      return record(failedCallResult(name, error, logger, ctx.mcpReq.signal.aborted));
    }
  });

  const resources = options.resources;
  if (resources) {
    // Resources exist only while their results are kept, so none are listed, only their templates.
    server.setRequestHandler('resources/list', () => ({ resources: [] }));
    server.setRequestHandler('resources/templates/list', () => ({
      resourceTemplates: [...resources.templates],
    }));
    server.setRequestHandler('resources/read', (request, ctx) =>
      resources.read(request.params.uri, { signal: ctx.mcpReq.signal }),
    );
  }

  return server;
}

type RequestContext = {
  _meta?: { progressToken?: string | number };
  notify: (notification: {
    method: 'notifications/progress';
    params: Record<string, unknown>;
  }) => Promise<void>;
};

function progressSender(request: RequestContext, logger: Logger): ToolCallContext['progress'] {
  const token = request._meta?.progressToken;
  if (token === undefined) return () => {};
  return (progress, total, message) => {
    const params = {
      progressToken: token,
      progress,
      ...(total !== undefined && { total }),
      ...(message !== undefined && { message }),
    };
    // A lost progress notification is not worth failing the call for.
    request.notify({ method: 'notifications/progress', params }).catch((error: Error) => {
      logger.debug('progress notification not sent', { error: error.message });
    });
  };
}

/** UTF-8 bytes of a result's text blocks (what the model reads). */
function textBytes(result: ToolResult): number {
  let bytes = 0;
  // A result spliced in as raw JSON (a cached page) has no array to measure here.
  if (!Array.isArray(result.content)) return 0;
  for (const block of result.content) if (block.type === 'text') bytes += Buffer.byteLength(block.text);
  return bytes;
}

function textResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function unknownToolResult(name: string, definitions: readonly ToolDefinition[]): ToolResult {
  const names = closestNames(
    name,
    definitions.map((tool) => tool.name),
    SUGGESTIONS,
  );
  const hint =
    names.length === 0
      ? ' Call tools/list to see the available tools.'
      : ` Closest tools: ${names.map((candidate) => `'${candidate}'`).join(', ')}.`;
  return textResult(`unknown tool '${name}'.${hint}`);
}

/** The `count` names closest to `name`: prefix matches first, then by edit distance. */
export function closestNames(name: string, candidates: readonly string[], count: number): string[] {
  const needle = name.toLowerCase();
  const scored = candidates.map((candidate) => {
    const lower = candidate.toLowerCase();
    const prefix = needle.length >= 3 && (lower.startsWith(needle) || needle.startsWith(lower));
    return { candidate, score: prefix ? -1 : levenshtein(needle, lower) };
  });
  // A third of the letters may differ before a name stops looking like a typo of another.
  const limit = Math.max(2, Math.ceil(needle.length / 3));
  return scored
    .filter((entry) => entry.score <= limit)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, count)
    .map((entry) => entry.candidate);
}

function failedCallResult(name: string, error: unknown, logger: Logger, cancelled: boolean): ToolResult {
  if (error instanceof HeadroomError) {
    // Expected failures (the API said no, a budget was hit, the call was cancelled): the message
    // was written for the user and says what to do.
    logger.info('tool call failed', { tool: name, code: error.code, error: error.message, cancelled });
    return textResult(error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error('tool call failed unexpectedly', {
    tool: name,
    error: message,
    ...(error instanceof Error && error.stack !== undefined && { stack: error.stack }),
  });
  return textResult(`internal error: ${message}`);
}
