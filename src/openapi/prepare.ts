/**
 * prepareCatalog: the whole spec side for one API, from a source to a catalog. The spec's bytes are
 * read and hashed first; on a cache hit the catalog comes from the cache and the spec is never
 * parsed. On a miss: parse, convert Swagger 2.0, optimize, fetch referenced documents, build, and
 * write the cache in the background (the server does not wait for it).
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SpecCache } from './cache.js';
import { buildCatalog, type CatalogOptions } from './catalog.js';
import { identifySpec, type LoadSpecOptions, parseSpecBytes } from './load.js';
import { type OptimizeOptions, optimizeSpec } from './optimize.js';
import { loadReferencedDocuments, type RefPolicy, RefResolver } from './refs.js';
import { OperationIndex, type OperationIndexJson } from './search.js';
import { readSource } from './source.js';
import { convertSwagger2 } from './swagger2.js';
import type { Catalog, JsonObject } from './types.js';

export interface PrepareOptions {
  load?: LoadSpecOptions;
  refs?: RefPolicy;
  optimize?: OptimizeOptions;
  catalog: CatalogOptions;
  /** Undefined: no cache. */
  cache?: SpecCache;
  /** Headroom's version, part of the cache key. */
  version: string;
  warn?: (message: string) => void;
}

export interface PreparedApi {
  catalog: Catalog;
  index: OperationIndex;
  source: string;
  specBytes: number;
  fromCache: boolean;
  /** Milliseconds per stage, for logs and benchmarks. */
  timings: Record<string, number>;
  /** Resolves when the cache entry is written (or failed to be); undefined when nothing is written. */
  cacheWrite?: Promise<void>;
}

interface CacheEntry {
  catalog: Catalog;
  index: OperationIndexJson;
}

export async function prepareCatalog(source: string, options: PrepareOptions): Promise<PreparedApi> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const read = await readSource(source, options.load ?? {});
  const hash = createHash('sha256').update(read.bytes).digest('hex');
  lap('read');
  const shaping = { refs: options.refs ?? {}, optimize: options.optimize ?? {}, catalog: options.catalog };
  const key = SpecCache.key(hash, shaping, options.version);
  if (options.cache) {
    const cached = options.cache.read<CacheEntry>(key);
    lap('cache');
    if (cached.hit) {
      const index = OperationIndex.fromJSON(cached.value.index);
      return {
        catalog: cached.value.catalog,
        index,
        source,
        specBytes: read.bytes.length,
        fromCache: true,
        timings,
      };
    }
    if (cached.reason !== 'absent') {
      options.warn?.(
        `cache entry for ${source} is ${cached.reason} (${cached.detail ?? 'no detail'}); rebuilding it`,
      );
    }
  }
  const parsed = parseSpecBytes(read.bytes, source, options.load ?? {});
  const identified = identifySpec(parsed.value, source);
  lap('parse');
  let document: JsonObject = identified.document;
  if (identified.version.startsWith('2'))
    document = convertSwagger2(document, (m) => options.warn?.(`${source}: ${m}`));
  lap('convert');
  optimizeSpec(document, options.optimize ?? {});
  lap('optimize');
  const rootUrl = RefResolver.rootUrlFor(read);
  const documents = await loadReferencedDocuments(
    document,
    rootUrl,
    (url) => loadReferenced(url, options),
    options.refs ?? {},
  );
  const catalog = buildCatalog(document, new RefResolver(rootUrl, documents), options.catalog);
  lap('catalog');
  const index = OperationIndex.build(
    catalog.operations.map((op, id) => ({
      id,
      name: op.name,
      method: op.method,
      path: op.path,
      tags: op.tags,
      ...(op.summary ? { summary: op.summary } : {}),
      ...(op.description ? { description: op.description } : {}),
      ...(op.operationId ? { operationId: op.operationId } : {}),
    })),
  );
  lap('index');
  const prepared: PreparedApi = {
    catalog,
    index,
    source,
    specBytes: read.bytes.length,
    fromCache: false,
    timings,
  };
  if (options.cache) {
    const cache = options.cache;
    prepared.cacheWrite = cache
      .write(key, { catalog, index: index.toJSON() } satisfies CacheEntry)
      .catch((error) => {
        options.warn?.(
          `could not write the cache entry for ${source} in ${cache.dir}: ${(error as Error).message}`,
        );
      });
  }
  return prepared;
}

/** Reads a document a `$ref` points to, with the same limits and guards as the spec itself. */
async function loadReferenced(url: URL, options: PrepareOptions): Promise<unknown> {
  const source = url.protocol === 'file:' ? fileURLToPath(url) : url.href;
  const read = await readSource(source, {
    ...options.load,
    allowNetwork: options.refs?.allowRemote === true,
  });
  const parsed = parseSpecBytes(read.bytes, source, options.load ?? {});
  // A referenced Swagger 2.0 document keeps its own `definitions`; refs into it were rewritten to
  // OpenAPI 3 paths by the converter, so give it those paths too.
  const value = parsed.value as JsonObject;
  if (value && typeof value === 'object' && value.swagger === '2.0') return convertSwagger2(value, () => {});
  return value;
}
