/**
 * The tools of `headroom openapi`: one per operation (`all`), or three that search, describe and call
 * operations (`dynamic`), which keeps the tool list small however large the API; `auto` takes `all`
 * for small APIs and `dynamic` otherwise. Tool definitions are built on the first `tools/list`, not at
 * start-up, and kept.
 */
import { ToolArgumentError, UnknownOperationError } from '../errors.js';
import type { PreparedApi } from '../openapi/prepare.js';
import {
  annotationsFor,
  META_PROPERTIES,
  operationTool,
  withMetaArguments,
} from '../openapi/tool-definition.js';
import { operationToolJson, ToolJsonMemo } from '../openapi/tool-json.js';
import { DEFAULT_SCHEMA_BUDGET_BYTES, toolInputSchema } from '../openapi/tool-schema.js';
import type { Operation } from '../openapi/types.js';
import type { ToolCallContext, ToolDefinition, ToolProvider, ToolResult } from './server.js';
import { wireTools } from './wire-tools.js';

export type ToolMode = 'all' | 'dynamic' | 'auto';

/** Runs one operation; the request executor plugs in here. */
export type OperationExecutor = (
  op: Operation,
  args: Record<string, unknown>,
  context: ToolCallContext,
) => Promise<ToolResult>;

/** Reads a page of a result that was cut to fit (`read_result`). */
export type ResultReader = (
  cursor: string,
  offset: number | undefined,
  context: ToolCallContext,
) => Promise<ToolResult>;

export interface OpenApiToolsOptions {
  mode: ToolMode;
  execute: OperationExecutor;
  /** With a reader, `read_result` is listed: answers cut to fit can be read on. */
  readResult?: ResultReader;
  /** Bytes of shared definitions in one listed input schema. */
  schemaBudgetBytes?: number;
  /** `auto` lists one tool per operation up to this many operations... */
  autoMaxTools?: number;
  /** ...and while the tool list stays under this many bytes. */
  autoMaxListBytes?: number;
}

/**
 * Whether a server in `mode` may list all of `count` operations as tools; `auto` then also weighs
 * the size of the list, which takes building them.
 */
export function mayListAll(mode: ToolMode, count: number, autoMaxTools = 100): boolean {
  return mode === 'all' || (mode === 'auto' && count <= autoMaxTools);
}

export const DYNAMIC_TOOLS = ['search_operations', 'describe_operation', 'call_operation'] as const;
export const READ_RESULT = 'read_result';

interface Entry {
  op: Operation;
  api: PreparedApi;
}

export class OpenApiTools implements ToolProvider {
  readonly mode: 'all' | 'dynamic';
  private readonly apis: readonly PreparedApi[];
  private readonly options: OpenApiToolsOptions;
  private named: Map<string, Entry> | undefined;
  private listed: ToolDefinition[] | undefined;

  constructor(apis: readonly PreparedApi[], options: OpenApiToolsOptions) {
    this.apis = apis;
    this.options = options;
    this.mode = options.mode === 'auto' ? this.chooseMode() : options.mode;
  }

  /** The operations, known without building the catalogs (see PreparedApi.operationCount). */
  get operationCount(): number {
    return this.apis.reduce((sum, api) => sum + api.operationCount, 0);
  }

  /**
   * Every operation by tool name. Made on first use: in dynamic mode that is the first tool that
   * needs an operation, and reading the catalogs builds them (see PlannedCatalog).
   */
  private get byName(): Map<string, Entry> {
    if (!this.named) {
      this.named = new Map();
      for (const api of this.apis)
        for (const op of api.catalog.operations) this.named.set(op.name, { op, api });
    }
    return this.named;
  }

  /**
   * One tool per operation, each written as JSON text straight from its catalog: a cold start lists
   * a thousand operations once, and building their tool objects first cost more than writing them.
   * Once the tools are built (a call asked for them), they are listed as they are.
   */
  listTexts(): Iterable<string> | undefined {
    if (this.mode !== 'all' || this.listed) return undefined;
    return { [Symbol.iterator]: () => this.operationToolTexts() };
  }

  /** The names of the tools, in listing order. */
  names(): string[] {
    if (this.mode !== 'all') return this.list().map((tool) => tool.name);
    const names = [...this.byName.keys()];
    if (this.readsResults('all')) names.push(READ_RESULT);
    return names;
  }

  private *operationToolTexts(): Generator<string> {
    const memo = new ToolJsonMemo();
    for (const { op, api } of this.byName.values())
      yield operationToolJson(op, api.catalog.definitions, this.budget(), memo);
    if (this.readsResults('all')) yield JSON.stringify(wireTools([readResultTool()])[0]);
  }

  list(): readonly ToolDefinition[] {
    this.listed ??= this.withReader(
      this.mode === 'all' ? this.operationTools() : dynamicTools(this.apis),
      this.mode,
    );
    return this.listed;
  }

  /**
   * In dynamic mode, builds the operations and the search index while the client reads the tool
   * list, rather than in its first call (Microsoft Graph beta: about a second).
   */
  afterList(): void {
    if (this.mode !== 'dynamic') return;
    try {
      void this.byName;
      for (const api of this.apis) void api.index;
    } catch {
      // A catalog that cannot be built fails the same way for the call that needs it, which says so.
    }
  }

  has(name: string): boolean {
    if (name === READ_RESULT && this.readsResults(this.mode)) return true;
    return this.mode === 'all' ? this.byName.has(name) : (DYNAMIC_TOOLS as readonly string[]).includes(name);
  }

  async call(name: string, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> {
    if (name === READ_RESULT && this.options.readResult) {
      const offset = args.offset;
      if (offset !== undefined && !(Number.isInteger(offset) && (offset as number) >= 0))
        throw new ToolArgumentError(`${READ_RESULT}: 'offset' must be an integer of at least 0`);
      return this.options.readResult(stringArg(args, 'cursor', name), offset as number | undefined, context);
    }
    if (this.mode === 'all') return this.run(name, args, context);
    if (name === 'search_operations') return json(this.search(args));
    if (name === 'describe_operation') return json(this.describe(stringArg(args, 'name', name)));
    const target = stringArg(args, 'name', name);
    const inner = args.arguments ?? {};
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      throw new ToolArgumentError(
        `call_operation: 'arguments' must be an object of the operation's arguments`,
      );
    }
    // _fields and _query may come beside the arguments or inside them.
    const meta = Object.fromEntries(
      Object.keys(META_PROPERTIES)
        .filter((key) => key in args)
        .map((key) => [key, args[key]]),
    );
    return this.run(target, { ...meta, ...(inner as Record<string, unknown>) }, context);
  }

  /** `read_result` is listed when there is a reader and no operation already has that name. */
  private readsResults(mode: 'all' | 'dynamic'): boolean {
    return this.options.readResult !== undefined && !(mode === 'all' && this.byName.has(READ_RESULT));
  }

  private withReader(tools: ToolDefinition[], mode: 'all' | 'dynamic'): ToolDefinition[] {
    return this.readsResults(mode) ? [...tools, readResultTool()] : tools;
  }

  private run(name: string, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> {
    const entry = this.entry(name);
    return this.options.execute(entry.op, args, context);
  }

  private entry(name: string): Entry {
    const entry = this.byName.get(name);
    if (entry) return entry;
    const hint = this.mode === 'dynamic' ? ' Use search_operations to find operation names.' : '';
    throw new UnknownOperationError(`unknown operation '${name}'.${hint}`);
  }

  private search(args: Record<string, unknown>): unknown {
    const query = stringArg(args, 'query', 'search_operations');
    const limit = typeof args.limit === 'number' ? Math.min(50, Math.max(1, Math.floor(args.limit))) : 10;
    const tags = typeof args.tag === 'string' ? [args.tag] : undefined;
    const methods = typeof args.method === 'string' ? [args.method] : undefined;
    const hits: Array<{ score: number; op: Operation }> = [];
    for (const api of this.apis) {
      const found = api.index.search(query, {
        limit,
        ...(tags ? { tags } : {}),
        ...(methods ? { methods } : {}),
      });
      for (const hit of found)
        hits.push({ score: hit.score, op: api.catalog.operations[hit.id] as Operation });
    }
    hits.sort((a, b) => b.score - a.score);
    return {
      query,
      results: hits.slice(0, limit).map(({ op, score }) => ({
        name: op.name,
        method: op.method.toUpperCase(),
        path: op.path,
        summary: op.summary ?? '',
        ...(this.apis.length > 1 ? { api: op.api } : {}),
        score: Math.round(score * 100) / 100,
      })),
      hint: 'describe_operation shows an operation’s arguments; call_operation runs it.',
    };
  }

  private describe(name: string): unknown {
    const { op, api } = this.entry(name);
    return {
      name: op.name,
      method: op.method.toUpperCase(),
      path: op.path,
      ...(op.summary ? { summary: op.summary } : {}),
      ...(op.description ? { description: op.description } : {}),
      ...(op.tags.length > 0 ? { tags: op.tags } : {}),
      ...(op.deprecated ? { deprecated: true } : {}),
      annotations: annotationsFor(op),
      // Describing one operation can afford more of its schema than a listing of all of them.
      inputSchema: withMetaArguments(toolInputSchema(op, api.catalog.definitions, 4 * this.budget())),
    };
  }

  private operationTools(): ToolDefinition[] {
    const tools: ToolDefinition[] = [];
    for (const { op, api } of this.byName.values())
      tools.push(operationTool(op, api.catalog.definitions, this.budget()));
    return tools;
  }

  private budget(): number {
    return this.options.schemaBudgetBytes ?? DEFAULT_SCHEMA_BUDGET_BYTES;
  }

  /** `all` when the API is small enough to list whole, else `dynamic`. */
  private chooseMode(): 'all' | 'dynamic' {
    if (!mayListAll('auto', this.operationCount, this.options.autoMaxTools)) return 'dynamic';
    const tools = this.operationTools();
    const bytes = Buffer.byteLength(JSON.stringify(tools));
    if (bytes > (this.options.autoMaxListBytes ?? 100 * 1024)) return 'dynamic';
    this.listed = this.withReader(tools, 'all');
    return 'all';
  }
}

function dynamicTools(apis: readonly PreparedApi[]): ToolDefinition[] {
  const names = apis.map((api) => api.catalog.api.title).join(', ');
  const count = apis.reduce((sum, api) => sum + api.operationCount, 0);
  return [
    {
      name: 'search_operations',
      title: 'Search API operations',
      description: `Finds operations of ${names} (${count} operations) by what they do. Returns names, methods, paths and summaries, best match first.`,
      inputSchema: {
        type: 'object',
        properties: {
          query: {
            type: 'string',
            description: 'What you want to do, in words: "create an issue", "list repositories of a user".',
          },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
          tag: { type: 'string', description: 'Only operations with this tag.' },
          method: { type: 'string', description: 'Only operations with this HTTP method.' },
        },
        required: ['query'],
        additionalProperties: false,
      },
      annotations: { title: 'Search API operations', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'describe_operation',
      title: 'Describe an API operation',
      description:
        'Shows an operation’s description and the JSON Schema of its arguments. Call it before call_operation.',
      inputSchema: {
        type: 'object',
        properties: { name: { type: 'string', description: 'The operation name from search_operations.' } },
        required: ['name'],
        additionalProperties: false,
      },
      annotations: { title: 'Describe an API operation', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'call_operation',
      title: 'Call an API operation',
      description:
        'Calls an operation of the API with arguments that match its schema (see describe_operation).',
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'The operation name.' },
          arguments: { type: 'object', description: 'The operation’s arguments.' },
          ...META_PROPERTIES,
        },
        required: ['name'],
        additionalProperties: false,
      },
      annotations: { title: 'Call an API operation', openWorldHint: true },
    },
  ];
}

function readResultTool(): ToolDefinition {
  return {
    name: READ_RESULT,
    title: 'Read more of a cut result',
    description:
      'Reads on in a tool result that was cut to fit: pass the cursor and offset that the result’s note gives. ' +
      'Offsets count items for JSON arrays and bytes otherwise.',
    inputSchema: {
      type: 'object',
      properties: {
        cursor: { type: 'string', description: 'The cursor from the cut result.' },
        offset: { type: 'integer', minimum: 0, description: 'Where to go on from (the note’s next offset).' },
      },
      required: ['cursor'],
      additionalProperties: false,
    },
    annotations: { title: 'Read more of a cut result', readOnlyHint: true, openWorldHint: false },
  };
}

function stringArg(args: Record<string, unknown>, key: string, tool: string): string {
  const value = args[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new ToolArgumentError(`${tool}: '${key}' must be a non-empty string`);
}

function json(value: unknown): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}
