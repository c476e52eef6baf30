/**
 * The call side of `headroom openapi`, built from the configuration: one HTTP client (a pool per
 * origin), one spill store for answers cut to fit, the memory limiter, and the OperationCaller
 * that ties them together; plus `read_result` and the result resources over the spill store.
 * Built on the first call: undici and its builtins (http, tls, dns, ...) cost tens of milliseconds
 * to load, which a start that only lists tools should not pay.
 */

import { join } from 'node:path';
import type { HeadroomConfig } from '../config/schema.js';
import { CursorError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { MemoryLimiter } from '../memory/limiter.js';
import type { CallerApi, OperationCaller } from '../openapi/execute.js';
import type { HttpClient } from '../openapi/http-client.js';
import type { SpillPage, SpillStore } from '../openapi/spill.js';
import { headroomCacheDir } from '../util/cache-dir.js';
import type { OperationExecutor, ResultReader } from './openapi-tools.js';
import type { ResourceProvider, ToolCallContext, ToolResult } from './server.js';

/** Bytes of text a token stands for, when budgets are given in tokens. */
export const BYTES_PER_TOKEN = 4;

export interface OpenApiCalls {
  execute: OperationExecutor;
  readResult?: ResultReader;
  /** The same pages as `read_result`, as MCP resources `headroom://results/{cursor}?offset=N`. */
  resources?: ResourceProvider;
  /** The spill store's figures, once the call side is built and when results are kept. */
  spillStats(): ReturnType<SpillStore['stats']> | undefined;
  close(): Promise<void>;
}

export interface OpenApiCallsOptions {
  config: HeadroomConfig;
  apis: readonly CallerApi[];
  logger: Logger;
  limiter?: MemoryLimiter;
  env?: Readonly<Record<string, string | undefined>>;
}

interface Parts {
  caller: OperationCaller;
  client: HttpClient;
  spill?: SpillStore;
}

export function createOpenApiCalls(options: OpenApiCallsOptions): OpenApiCalls {
  const o = options.config.openapi;
  const budgetBytes = o.responseBudget * BYTES_PER_TOKEN;
  let parts: Promise<Parts> | undefined;
  let built: Parts | undefined;
  const load = () => {
    parts ??= build(options, budgetBytes).then((done) => {
      built = done;
      return done;
    });
    return parts;
  };
  const page = async (cursor: string, offset: number | undefined, context: ToolCallContext) => {
    const { spill } = await load();
    if (!spill) throw new CursorError('results are not kept (--no-spill)');
    return spill.read(cursor, offset, budgetBytes, { signal: context.signal });
  };
  // Registered secrets (credentials in every form they are sent) never reach the model, even when
  // an API echoes the request back in its answer or its error.
  const { logger } = options;
  const execute: OperationExecutor = async (op, args, context) => {
    try {
      return scrubResult((await (await load()).caller.call(op, args, context.signal)) as ToolResult, logger);
    } catch (error) {
      if (error instanceof Error) error.message = logger.scrub(error.message);
      throw error;
    }
  };
  const readResult: ResultReader = async (cursor, offset, context) => {
    const read = await page(cursor, offset, context);
    return {
      content: [
        { type: 'text', text: logger.scrub(read.text) },
        { type: 'text', text: pageNote(cursor, read) },
      ],
    };
  };
  const resources: ResourceProvider = {
    templates: RESULT_TEMPLATES,
    async read(uri, context) {
      const { cursor, offset } = parseResultUri(uri);
      const read = await page(cursor, offset, context);
      return {
        contents: [
          { uri, mimeType: 'text/plain', text: `${logger.scrub(read.text)}\n\n${pageNote(cursor, read)}` },
        ],
      };
    },
  };
  return {
    execute,
    ...(o.spill ? { readResult, resources } : {}),
    spillStats: () => built?.spill?.stats(),
    async close() {
      if (!parts) return;
      const { caller, client, spill } = await parts;
      await caller.close();
      await client.close();
      await spill?.close();
    },
  };
}

async function build(options: OpenApiCallsOptions, budgetBytes: number): Promise<Parts> {
  const [{ OperationCaller }, { HttpClient }, { SpillStore }] = await Promise.all([
    import('../openapi/execute.js'),
    import('../openapi/http-client.js'),
    import('../openapi/spill.js'),
  ]);
  const { logger } = options;
  const o = options.config.openapi;
  const env = options.env ?? process.env;
  const client = new HttpClient({
    connectTimeoutMs: o.connectTimeoutMs,
    headersTimeoutMs: o.headersTimeoutMs,
    bodyTimeoutMs: o.bodyTimeoutMs,
    maxRetries: o.maxRetries,
    allowCrossOriginRedirects: o.allowCrossOriginRedirects,
    maxResponseBytes: o.maxResponseBytes,
    maxDecompressionRatio: o.maxDecompressionRatio,
    connectionsPerOrigin: o.connectionsPerOrigin,
  });
  const spill = o.spill
    ? new SpillStore({
        dir: o.spillDir ?? join(headroomCacheDir(env), 'spill'),
        maxBytes: o.maxSpillSize,
        ttlMs: o.spillTtl * 1000,
      })
    : undefined;
  const caller = new OperationCaller(options.apis, {
    client,
    budgetBytes,
    maxParseBytes: o.maxParseBytes,
    callMemoryBytes: o.callMemory,
    ...(options.limiter ? { limiter: options.limiter } : {}),
    ...(spill ? { spill } : {}),
    env,
    onSecret: (value) => logger.addSecret(value),
    logger,
  });
  return { caller, client, ...(spill ? { spill } : {}) };
}

const RESULT_SCHEME = 'headroom://results/';

/** The result resources' templates, known before anything is built (a warm start lists them). */
export const RESULT_TEMPLATES: ResourceProvider['templates'] = [
  {
    uriTemplate: `${RESULT_SCHEME}{cursor}{?offset}`,
    name: 'result',
    title: 'A tool result kept for paging',
    description: 'The rest of a tool result that was cut to fit; offset as in read_result.',
  },
];

function parseResultUri(uri: string): { cursor: string; offset?: number } {
  const match = /^headroom:\/\/results\/([A-Za-z0-9_-]+)(?:\?offset=(\d+))?$/.exec(uri);
  if (!match)
    throw new CursorError(
      `not a result URI: ${uri.slice(0, 200)}; expected ${RESULT_SCHEME}<cursor>?offset=N`,
    );
  return { cursor: match[1] as string, ...(match[2] === undefined ? {} : { offset: Number(match[2]) }) };
}

/** Where the page ends and how to go on, in words. */
function pageNote(cursor: string, page: SpillPage): string {
  const parts: string[] = [];
  if (page.nextOffset === undefined) parts.push(`From offset ${page.offset} to the end of the result.`);
  else {
    const of =
      page.total === undefined ? (page.complete ? '' : ' (more still arriving)') : ` of ${page.total}`;
    parts.push(
      `Offsets ${page.offset} to ${page.nextOffset - 1}${of}. Next: read_result with ${JSON.stringify({ cursor, offset: page.nextOffset })}.`,
    );
  }
  if (page.error) parts.push(page.error);
  return parts.join(' ');
}

/** The result with registered secrets replaced in its text and structured content. */
function scrubResult(result: ToolResult, logger: Logger): ToolResult {
  const content = result.content.map((block) =>
    block.type === 'text' ? { ...block, text: logger.scrub(block.text) } : block,
  );
  const structured = result.structuredContent;
  return {
    ...result,
    content,
    ...(structured ? { structuredContent: JSON.parse(logger.scrub(JSON.stringify(structured))) } : {}),
  };
}
