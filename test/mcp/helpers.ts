/** Shared pieces of the MCP tests: a capturing logger, a small tool catalog, SSE-or-JSON reading. */

import { HeadroomError } from '../../src/errors.js';
import { Logger } from '../../src/log/logger.js';
import { createMcpServer, type ToolDefinition, type ToolProvider } from '../../src/mcp/server.js';

export function captureLogger(level: 'debug' | 'info' | 'warn' = 'debug'): {
  logger: Logger;
  lines: string[];
} {
  const lines: string[] = [];
  return {
    lines,
    logger: new Logger({ level, format: 'json', stream: { write: (line: string) => lines.push(line) } }),
  };
}

/** An input schema the way the OpenAPI layer writes them: `$defs` with `$ref`s into them. */
export const issueSchema: Record<string, unknown> = {
  type: 'object',
  properties: {
    owner: { type: 'string' },
    issue: { $ref: '#/$defs/Issue' },
    labels: { type: 'array', items: { $ref: '#/$defs/Label' } },
  },
  required: ['owner', 'issue'],
  additionalProperties: false,
  $defs: {
    Issue: {
      type: 'object',
      properties: { title: { type: 'string' }, body: { type: 'string' }, labels: { $ref: '#/$defs/Labels' } },
      required: ['title'],
    },
    Label: { type: 'string', enum: ['bug', 'feature'] },
    Labels: { type: 'array', items: { $ref: '#/$defs/Label' } },
  },
};

export const testTools: ToolDefinition[] = [
  {
    name: 'create_issue',
    title: 'Create an issue',
    description: 'Opens an issue in a repository.',
    inputSchema: issueSchema,
    annotations: { destructiveHint: false, openWorldHint: true },
  },
  { name: 'list_issues', description: 'Lists issues.', inputSchema: { type: 'object', properties: {} } },
  { name: 'list_labels', inputSchema: { properties: { owner: { type: 'string' } } } },
  { name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  { name: 'fails_expectedly', inputSchema: { type: 'object' } },
  { name: 'fails_badly', inputSchema: { type: 'object' } },
  { name: 'waits_for_cancel', inputSchema: { type: 'object' } },
];

export interface TestProvider extends ToolProvider {
  /** Resolves with the abort reason once a `waits_for_cancel` call sees its signal fire. */
  cancelled: Promise<unknown>;
  /** Resolves once a `waits_for_cancel` call has started. */
  waiting: Promise<void>;
  calls: Array<{ name: string; args: Record<string, unknown> }>;
}

export function testProvider(tools: ToolDefinition[] = testTools): TestProvider {
  let onCancelled!: (reason: unknown) => void;
  let onWaiting!: () => void;
  const cancelled = new Promise<unknown>((resolve) => (onCancelled = resolve));
  const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
  const calls: TestProvider['calls'] = [];
  return {
    cancelled,
    waiting,
    calls,
    list: () => tools,
    call: async (name, args, { signal }) => {
      calls.push({ name, args });
      switch (name) {
        case 'echo':
          return {
            content: [{ type: 'text', text: String(args.text) }],
            structuredContent: { text: args.text },
          };
        case 'fails_expectedly':
          throw new HeadroomError('HR_TEST', 'GET /issues answered 404: no such repository; check the owner');
        case 'fails_badly':
          throw new TypeError("Cannot read properties of undefined (reading 'id')");
        case 'waits_for_cancel':
          onWaiting();
          return new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              onCancelled(signal.reason);
              reject(new HeadroomError('HR_ABORTED', 'cancelled'));
            });
          });
        default:
          return { content: [{ type: 'text', text: `called ${name}` }] };
      }
    },
  };
}

export function testFactory(provider: ToolProvider, logger = new Logger({ level: 'silent' })) {
  return () =>
    createMcpServer({
      name: 'headroom-test',
      version: '1.2.3',
      instructions: 'Test tools.',
      tools: provider,
      logger,
    });
}

/** A JSON-RPC message as these tests read it off the wire. */
export interface JsonRpcAnswer {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: { tools?: Array<Record<string, unknown>> } & Record<string, unknown>;
  error?: { code: number; message: string };
}

/** Reads a Streamable HTTP answer, which is either one JSON body or an SSE stream of JSON messages. */
export async function readMessages(response: Response): Promise<JsonRpcAnswer[]> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text.length === 0 ? [] : [JSON.parse(text)];
  }
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter((data) => data.length > 0)
    .map((data) => JSON.parse(data));
}
