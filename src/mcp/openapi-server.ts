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
import type { MemoryLimiter } from '../memory/limiter.js';
import { SpecCache } from '../openapi/cache.js';
import { PlannedCatalog } from '../openapi/catalog.js';
import type { Credential } from '../openapi/execute.js';
import type { OperationFilter } from '../openapi/filter.js';
import type { PrefetchedSpecs } from '../openapi/prefetch.js';
import {
  knownCatalogKey,
  type PreparedApi,
  type PrepareOptions,
  prepareCatalog,
} from '../openapi/prepare.js';
import { META_INSTRUCTIONS } from '../openapi/tool-definition.js';
import type { Catalog } from '../openapi/types.js';
import { formatBytes } from '../util/bytes.js';
import { deferredResources, ListedTools } from './listed-tools.js';
import { type Monitoring, serverMonitoring, startMonitoring } from './monitoring.js';
import { createOpenApiCalls, type OpenApiCalls, RESULT_TEMPLATES } from './openapi-calls.js';
import { mayListAll, OpenApiTools } from './openapi-tools.js';
import type { ResourceProvider, ToolProvider } from './server.js';
import { listingKey, readToolListing, writeToolListing } from './tool-listing.js';
import { wireTools } from './wire-tools.js';

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
  /** Start the monitor and its dashboard (monitoring.enabled, or --dashboard-port given). */
  dashboard?: boolean;
  /** A monitor shared with other servers of this process (headroom demo): used, left running. */
  monitoring?: Monitoring;
  /** Specs whose reading started before the CLI ran; released once the APIs are prepared. */
  prefetched?: PrefetchedSpecs;
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
  cache = specCache(options.config),
): Promise<PreparedApi[]> {
  const { config, logger, cwd } = options;
  const o = config.openapi;
  checkTotalBeforeReading(sources, o.maxTotalSpecSize, cwd);
  const prepared: PreparedApi[] = [];
  try {
    for (const [i, prepare] of prepareOptions(options, sources, cache).entries()) {
      const source = sources[i] as ApiSource;
      const api = await prepareCatalog(source.spec, prepare);
      prepared.push(api);
      logger.info(`${api.fromCache ? 'loaded' : 'prepared'} ${source.spec}`, {
        api: prepare.catalog.apiName,
        operations: api.operationCount,
        spec: formatBytes(api.specBytes),
        fromCache: api.fromCache,
        ms: Math.round(Object.values(api.timings).reduce((a, b) => a + b, 0)),
      });
      logger.debug(`stages of ${source.spec} (ms)`, api.timings);
    }
  } finally {
    // A guess that named no spec served holds its memory until now.
    options.prefetched?.release();
  }
  // A server that lists every operation builds them now; one in dynamic mode when a tool first
  // needs them (or when they are settled, a second on). An API that declares none is built now,
  // which says why.
  const declared = prepared.reduce((sum, api) => sum + api.operationCount, 0);
  const listsAll = mayListAll(o.tools, declared, o.autoMaxTools);
  for (const api of prepared) {
    if (listsAll || api.operationCount === 0) void api.catalog.operations;
    afterBuild(api.catalog, (catalog) => reportBuilt(logger, api.source, catalog));
  }
  if (prepared.every((api) => api.operationCount === 0)) {
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

/** Runs `listener` once the catalog's operations are built: now, unless it is a plan not built yet. */
function afterBuild(catalog: Catalog, listener: (catalog: Catalog) => void): void {
  if (catalog instanceof PlannedCatalog) catalog.afterBuild(listener);
  else listener(catalog);
}

function reportBuilt(logger: Logger, source: string, catalog: Catalog): void {
  if (catalog instanceof PlannedCatalog)
    logger.debug(`built the operations of ${source}`, {
      operations: catalog.operations.length,
      ms: Math.round(catalog.buildMs),
    });
  const { warnings } = catalog;
  for (const warning of warnings.slice(0, 20)) logger.debug(warning);
  if (warnings.length > 0)
    logger.info(`${warnings.length} warnings for ${source}; --log-level debug lists them`);
}

function specCache(config: HeadroomConfig): SpecCache | undefined {
  const o = config.openapi;
  return o.cache
    ? new SpecCache({ ...(o.cacheDir ? { dir: o.cacheDir } : {}), maxBytes: o.maxCacheSize })
    : undefined;
}

/** What `prepareCatalog` is given for each source, in order. */
function prepareOptions(
  options: OpenApiServerOptions,
  sources: readonly ApiSource[],
  cache: SpecCache | undefined,
): PrepareOptions[] {
  const o = options.config.openapi;
  const names = uniqueNames(sources);
  const warn = (message: string): void => options.logger.warn(message);
  return sources.map((source, i) => ({
    load: {
      maxSpecBytes: o.maxSpecSize,
      cwd: options.cwd,
      allowNetwork: /^https?:\/\//i.test(source.spec),
      ...(options.prefetched ? { prefetched: options.prefetched } : {}),
    },
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
    // A server that may serve in dynamic mode may not need the operations before its first answers.
    lazyPaths: o.tools !== 'all',
    warn,
  }));
}

/**
 * The key of this server's tool listing when every spec is a local file whose catalog key is known
 * without reading it; undefined otherwise (a URL, stdin, a changed file, no cache).
 */
function toolListingKey(
  options: OpenApiServerOptions,
  sources: readonly ApiSource[],
  cache: SpecCache | undefined,
): string | undefined {
  if (!cache) return undefined;
  const keys: string[] = [];
  for (const [i, prepare] of prepareOptions(options, sources, cache).entries()) {
    const known = knownCatalogKey((sources[i] as ApiSource).spec, prepare);
    if (!known) return undefined;
    keys.push(known.key);
  }
  const o = options.config.openapi;
  const shaping = {
    mode: o.tools,
    schemaBudget: o.schemaBudget,
    autoMaxTools: o.autoMaxTools,
    autoMaxListSize: o.autoMaxListSize,
    spill: o.spill,
  };
  return listingKey(keys, shaping, options.version);
}

/** What a server serves: its tools and resources, and what its instructions say about them. */
interface Serving {
  tools: ToolProvider;
  resources?: ResourceProvider;
  title: string;
  mode: 'all' | 'dynamic';
  operationCount: number;
}

/** Everything behind a server: the prepared APIs, their calls and tools. */
interface Session {
  serving: Serving;
  /** Cache entries still being written. */
  pending: Promise<unknown>;
  spillStats: OpenApiCalls['spillStats'];
  close(): Promise<void>;
}

/**
 * Prepares the APIs and serves them until stdin closes (stdio), or the signal fires. A warm start
 * with a cached tool listing serves that listing at once and prepares the APIs on the first call.
 */
export async function runOpenApiServer(options: OpenApiServerOptions): Promise<void> {
  const sources = apiSources(options.config, options.specs);
  const cache = specCache(options.config);
  const limiter = limiterFromConfig(options.config);
  const key = toolListingKey(options, sources, cache);
  const listing = key && cache ? readToolListing(cache, key) : undefined;
  let session: Promise<Session> | undefined;
  let opened: Session | undefined;
  const open = () => {
    session ??= openSession(options, sources, cache, limiter, !listing).then((done) => {
      opened = done;
      return done;
    });
    return session;
  };
  // Without a listing, preparing starts first: the spec is read while the MCP SDK loads. With one,
  // a spec read ahead (the loader's guess, prefetch.ts) is not needed now.
  if (!listing) open().catch(() => {});
  else options.prefetched?.release();
  const sdk = loadSdk();
  const monitoring = await serverMonitoring(options, () =>
    startMonitoring(options.config, options.logger, `headroom openapi ${options.specs.join(' ')}`, limiter),
  );
  // What responses being read hold: the limiter's reservations for them, as admitted.
  monitoring?.registerComponent('responses in flight', () => limiter.stats().reservedBytes);
  // Spilled results are on disk, not in memory: 0 bytes of the process, the disk figures as details.
  monitoring?.registerComponent('spill', () => {
    const spill = opened?.spillStats();
    if (!spill) return 0;
    return { bytes: 0, details: { onDisk: spill.bytes, entries: spill.entries, maxBytes: spill.maxBytes } };
  });
  try {
    const serving: Serving = listing
      ? {
          tools: new ListedTools(listing, async () => (await open()).serving.tools),
          ...(options.config.openapi.spill
            ? { resources: deferredResources(RESULT_TEMPLATES, async () => (await open()).serving.resources) }
            : {}),
          title: listing.title,
          mode: listing.mode,
          operationCount: listing.operationCount,
        }
      : (await open()).serving;
    await serve(options, serving, await sdk, monitoring);
  } finally {
    await monitoring?.close();
    if (session) {
      const done = await session;
      await done.close();
      // Lets pending cache entries finish, so a short session still leaves a warm cache behind.
      await done.pending;
    }
    limiter.close();
  }
}

async function openSession(
  options: OpenApiServerOptions,
  sources: readonly ApiSource[],
  cache: SpecCache | undefined,
  limiter: MemoryLimiter,
  writeListing: boolean,
): Promise<Session> {
  const { config, logger } = options;
  const apis = await prepareApis(options, sources, cache);
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
  const tools = new OpenApiTools(apis, {
    mode: config.openapi.tools,
    execute: calls.execute,
    ...(calls.readResult ? { readResult: calls.readResult } : {}),
    schemaBudgetBytes: config.openapi.schemaBudget,
    autoMaxTools: config.openapi.autoMaxTools,
    autoMaxListBytes: config.openapi.autoMaxListSize,
  });
  const serving: Serving = {
    tools,
    ...(calls.resources ? { resources: calls.resources } : {}),
    title: apis.map((api) => api.catalog.api.title).join(', '),
    mode: tools.mode,
    operationCount: tools.operationCount,
  };
  const writes: Array<Promise<unknown> | undefined> = apis.map((api) => api.cacheWrite);
  if (cache && writeListing) {
    // After the catalogs, whose writes record each local spec's content hash, which keys the list;
    // it is built for it then if no client has asked for it yet.
    const listed = Promise.all(writes).then(() => {
      const key = toolListingKey(options, sources, cache);
      if (!key) return;
      return writeToolListing(cache, key, {
        title: serving.title,
        mode: serving.mode,
        operationCount: serving.operationCount,
        names: tools.names(),
        texts: tools.listTexts() ?? wireTools(tools.list(), logger).map((tool) => JSON.stringify(tool)),
      }).catch((error: unknown) =>
        logger.warn(`could not write the tool listing to ${cache.dir}: ${(error as Error).message}`),
      );
    });
    writes.push(listed);
  }
  return {
    serving,
    pending: Promise.all(writes),
    spillStats: () => calls.spillStats(),
    close: () => calls.close(),
  };
}

/**
 * The modules that start the MCP SDK, loaded apart from this one: its start-up (tens of
 * milliseconds of module initialisation) then overlaps a cold start's reading of the spec.
 */
async function loadSdk() {
  const [{ createMcpServer }, { serveMcp }] = await Promise.all([
    import('./server.js'),
    import('./serve.js'),
  ]);
  return { createMcpServer, serveMcp };
}

async function serve(
  options: OpenApiServerOptions,
  serving: Serving,
  { createMcpServer, serveMcp }: Awaited<ReturnType<typeof loadSdk>>,
  monitoring?: Monitoring,
): Promise<void> {
  const { config, logger } = options;
  const { tools, title } = serving;
  logger.info(`serving ${title}`, {
    mode: serving.mode,
    operations: serving.operationCount,
    transport: config.server.transport,
  });
  const factory = (transport: 'stdio' | 'http') =>
    createMcpServer({
      name: 'headroom-openapi',
      version: options.version,
      instructions: `${
        serving.mode === 'dynamic'
          ? `Tools for ${title}. Find an operation with search_operations, read its arguments with describe_operation, then run it with call_operation.`
          : `Tools for ${title}: one tool per API operation.`
      } ${META_INSTRUCTIONS}`,
      tools,
      ...(serving.resources ? { resources: serving.resources } : {}),
      logger,
      ...(monitoring ? { onToolCall: monitoring.recordToolCall } : {}),
      textLists: transport === 'stdio',
    });
  await serveMcp(factory, {
    config,
    logger,
    command: 'openapi <spec>',
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
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
