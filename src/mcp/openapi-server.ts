/**
 * `headroom openapi`: prepares every API (from the command line and the configuration file), checks
 * the spec budgets, builds the tool provider and serves it over stdio or Streamable HTTP until the
 * input closes or the signal fires. Prepared catalogs are cached, so a second start skips parsing.
 */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { limiterFromConfig } from '../config/limiter.js';
import type { HeadroomConfig } from '../config/schema.js';
import { SpecError, SpecTooLargeError, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { SpecCache } from '../openapi/cache.js';
import type { Credential } from '../openapi/execute.js';
import type { OperationFilter } from '../openapi/filter.js';
import { type PreparedApi, prepareCatalog } from '../openapi/prepare.js';
import { META_INSTRUCTIONS } from '../openapi/tool-definition.js';
import { formatBytes } from '../util/bytes.js';
import { createOpenApiCalls } from './openapi-calls.js';
import { OpenApiTools } from './openapi-tools.js';
import { createMcpServer } from './server.js';
import { serveStdio } from './stdio.js';

export interface ApiSource {
  spec: string;
  name?: string;
  baseUrl?: string;
  auth?: Record<string, Credential>;
  filter: OperationFilter;
}

export interface OpenApiServerOptions {
  config: HeadroomConfig;
  /** Specs named on the command line; the configuration's `openapi.apis` come after them. */
  specs: readonly string[];
  logger: Logger;
  version: string;
  cwd: string;
  /** Where credentials are read from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The APIs to serve, each with its filter; names are settled in `prepareApis`. */
export function apiSources(config: HeadroomConfig, specs: readonly string[]): ApiSource[] {
  const o = config.openapi;
  const globalFilter: OperationFilter = {
    ...(o.includeTags ? { includeTags: o.includeTags } : {}),
    ...(o.excludeTags ? { excludeTags: o.excludeTags } : {}),
    ...(o.includeOperations ? { includeOperations: o.includeOperations } : {}),
    ...(o.excludeOperations ? { excludeOperations: o.excludeOperations } : {}),
    ...(o.methods ? { methods: o.methods } : {}),
    ...(o.pathPrefixes ? { pathPrefixes: o.pathPrefixes } : {}),
    ...(o.readOnly ? { readOnly: true } : {}),
  };
  const shared = {
    ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
    ...(Object.keys(o.auth).length > 0 ? { auth: o.auth } : {}),
  };
  const sources: ApiSource[] = specs.map((spec) => ({ spec, ...shared, filter: globalFilter }));
  for (const api of o.apis) {
    const { spec, name, baseUrl, auth, ...own } = api;
    sources.push({
      spec,
      ...(name ? { name } : {}),
      ...shared,
      ...(baseUrl ? { baseUrl } : {}),
      ...(auth ? { auth: { ...o.auth, ...auth } } : {}),
      filter: { ...globalFilter, ...own },
    });
  }
  if (sources.length === 0) {
    throw new UsageError(
      'no specification given: name one or more (a file, an http(s) URL, or - for stdin), or list them under openapi.apis in headroom.yml',
    );
  }
  return sources;
}

/** Prepares every API, in the order of `sources`, within the per-spec and total size budgets. */
export async function prepareApis(
  options: OpenApiServerOptions,
  sources: readonly ApiSource[],
): Promise<PreparedApi[]> {
  const { config, logger, cwd } = options;
  const o = config.openapi;
  checkTotalBeforeReading(sources, o.maxTotalSpecSize, cwd);
  const names = uniqueNames(sources);
  const cache = o.cache
    ? new SpecCache({ ...(o.cacheDir ? { dir: o.cacheDir } : {}), maxBytes: o.maxCacheSize })
    : undefined;
  const warn = (message: string): void => logger.warn(message);
  const prepared: PreparedApi[] = [];
  for (const [i, source] of sources.entries()) {
    const api = await prepareCatalog(source.spec, {
      load: { maxSpecBytes: o.maxSpecSize, cwd, allowNetwork: /^https?:\/\//i.test(source.spec) },
      refs: { allowRemote: o.allowRemoteRefs, allowOutsideFolder: o.allowExternalRefs },
      catalog: {
        apiName: names[i] as string,
        prefix: sources.length > 1,
        maxNameLength: o.maxNameLength,
        filter: source.filter,
        ...(o.structuredOutput ? { outputSchemas: true } : {}),
      },
      ...(cache ? { cache } : {}),
      version: options.version,
      warn,
    });
    prepared.push(api);
    const { operations, warnings } = api.catalog;
    logger.info(`${api.fromCache ? 'loaded' : 'prepared'} ${source.spec}`, {
      api: names[i],
      operations: operations.length,
      spec: formatBytes(api.specBytes),
      fromCache: api.fromCache,
      ms: Math.round(Object.values(api.timings).reduce((a, b) => a + b, 0)),
    });
    for (const warning of warnings.slice(0, 20)) logger.debug(warning);
    if (warnings.length > 0)
      logger.info(`${warnings.length} warnings for ${source.spec}; --log-level debug lists them`);
  }
  if (prepared.every((api) => api.catalog.operations.length === 0)) {
    const why = prepared
      .map((api) => `${api.source}: ${api.catalog.warnings[0] ?? 'no operations'}`)
      .join('; ');
    throw new SpecError(prepared[0]?.source ?? '', `nothing to serve: ${why}`);
  }
  const total = prepared.reduce((sum, api) => sum + api.specBytes, 0);
  if (total > o.maxTotalSpecSize)
    throw totalError(
      prepared.map((api) => [api.source, api.specBytes]),
      o.maxTotalSpecSize,
    );
  return prepared;
}

/** Prepares the APIs and serves them until stdin closes (stdio), or the signal fires. */
export async function runOpenApiServer(options: OpenApiServerOptions): Promise<void> {
  const { config, logger } = options;
  const sources = apiSources(config, options.specs);
  const apis = await prepareApis(options, sources);
  const limiter = limiterFromConfig(config);
  const calls = createOpenApiCalls({
    config,
    apis: apis.map((api, i) => ({
      catalog: api.catalog,
      ...(sources[i]?.baseUrl ? { baseUrl: sources[i].baseUrl } : {}),
      ...(sources[i]?.auth ? { auth: sources[i].auth } : {}),
    })),
    logger,
    limiter,
    ...(options.env ? { env: options.env } : {}),
  });
  try {
    await serve(options, apis, calls);
  } finally {
    await calls.close();
    limiter.close();
  }
}

async function serve(
  options: OpenApiServerOptions,
  apis: PreparedApi[],
  calls: ReturnType<typeof createOpenApiCalls>,
): Promise<void> {
  const { config, logger } = options;
  const tools = new OpenApiTools(apis, {
    mode: config.openapi.tools,
    execute: calls.execute,
    ...(calls.readResult ? { readResult: calls.readResult } : {}),
    schemaBudgetBytes: config.openapi.schemaBudget,
    autoMaxTools: config.openapi.autoMaxTools,
    autoMaxListBytes: config.openapi.autoMaxListSize,
  });
  const title = apis.map((api) => api.catalog.api.title).join(', ');
  logger.info(`serving ${title}`, {
    mode: tools.mode,
    operations: tools.operationCount,
    transport: config.server.transport,
  });
  const factory = () =>
    createMcpServer({
      name: 'headroom-openapi',
      version: options.version,
      instructions: `${
        tools.mode === 'dynamic'
          ? `Tools for ${title}. Find an operation with search_operations, read its arguments with describe_operation, then run it with call_operation.`
          : `Tools for ${title}: one tool per API operation.`
      } ${META_INSTRUCTIONS}`,
      tools,
      ...(calls.resources ? { resources: calls.resources } : {}),
      logger,
    });
  if (config.server.transport === 'stdio') {
    const stdin = (options.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
    if (stdin.isTTY) {
      logger.info(
        'waiting for an MCP client on stdin/stdout (JSON-RPC). Connect one, for example ' +
          '`npx @modelcontextprotocol/inspector node dist/cli.js openapi <spec>`, or use --transport http; Ctrl-D stops.',
      );
    }
    await serveStdio(factory, {
      ...(options.stdin ? { stdin: options.stdin as never } : {}),
      ...(options.stdout ? { stdout: options.stdout as never } : {}),
      logger,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await cacheWrites(apis);
    return;
  }
  const s = config.server;
  // Loaded only here: the HTTP side pulls in modules that a stdio server never needs.
  const { serveHttp } = await import('./http.js');
  const handle = await serveHttp(factory, {
    host: s.host,
    port: s.port,
    path: s.path,
    mode: s.httpMode,
    ...(s.token ? { token: s.token } : {}),
    allowedHosts: s.allowedHosts,
    allowedOrigins: s.allowedOrigins,
    maxBodyBytes: s.maxBodySize,
    maxSessions: s.maxSessions,
    logger,
  });
  logger.info(`MCP over Streamable HTTP at ${handle.url}`);
  await new Promise<void>((resolveWait) => {
    if (options.signal?.aborted) return resolveWait();
    options.signal?.addEventListener('abort', () => resolveWait(), { once: true });
  });
  await handle.close();
  await cacheWrites(apis);
}

/** Lets pending cache entries finish, so a short session still leaves a warm cache behind. */
async function cacheWrites(apis: PreparedApi[]): Promise<void> {
  await Promise.all(apis.map((api) => api.cacheWrite));
}

function checkTotalBeforeReading(sources: readonly ApiSource[], limit: number, cwd: string): void {
  const sizes: Array<[string, number]> = [];
  for (const { spec } of sources) {
    if (spec === '-' || /^https?:\/\//i.test(spec)) continue;
    try {
      sizes.push([spec, statSync(resolve(cwd, spec)).size]);
    } catch {
      // A missing file is reported, with its name, when it is read.
    }
  }
  if (sizes.reduce((sum, [, size]) => sum + size, 0) > limit) throw totalError(sizes, limit);
}

function totalError(sizes: Array<[string, number]>, limit: number): SpecTooLargeError {
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  const list = sizes.map(([spec, size]) => `${spec} (${formatBytes(size)})`).join(', ');
  return new SpecTooLargeError(
    sizes.map(([spec]) => spec).join(', '),
    `the specifications together are ${formatBytes(total)}, over the ${formatBytes(limit)} total limit: ${list}. ` +
      'Serve fewer at once, or raise --max-total-spec-size (HEADROOM_OPENAPI_MAX_TOTAL_SPEC_SIZE).',
    total,
    limit,
  );
}

/** Short, unique API names: the given name, else the spec's file name without its extension. */
function uniqueNames(sources: readonly ApiSource[]): string[] {
  const taken = new Set<string>();
  return sources.map(({ spec, name }) => {
    const base =
      name ??
      (spec === '-'
        ? 'stdin'
        : basename(spec.replace(/[?#].*$/, ''))
            .replace(/\.(json|ya?ml)$/i, '')
            .replace(/[^A-Za-z0-9]+/g, '_')
            .replace(/^_+|_+$/g, '') || 'api');
    let unique = base;
    for (let n = 2; taken.has(unique); n++) unique = `${base}${n}`;
    taken.add(unique);
    return unique;
  });
}
