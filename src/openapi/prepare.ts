/**
 * prepareCatalog: the whole spec side for one API, from a source to a catalog. The spec's bytes are
 * read and hashed first; on a cache hit the catalog comes from the cache and the spec is never
 * parsed. On a miss: parse, convert Swagger 2.0, optimize, fetch referenced documents, build, and
 * write the cache in the background (the server does not wait for it).
 */

import { isUtf8 } from 'node:buffer';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../errors.js';
import { JsonScan } from '../wasm/json-scan.js';
import { SpecCache } from './cache.js';
import { type CatalogOptions, PlannedCatalog, planCatalog, settleResponses } from './catalog.js';
import { decodeCatalog, encodeCatalog } from './catalog-codec.js';
import { identifySpec, type LoadSpecOptions, parseSpecBytes } from './load.js';
import { type OptimizeOptions, optimizeSpec } from './optimize.js';
import { loadReferencedDocuments, type RefPolicy, RefResolver } from './refs.js';
import { OperationIndex, type OperationIndexJson } from './search.js';
import { describeSource, readSource } from './source.js';
import { parseSparse, SparseParseError } from './sparse.js';
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
  /**
   * Keep the paths of a JSON spec as checked text until the operations are first needed
   * (see LazyPaths): for a server in dynamic mode, whose first answers need only their number.
   */
  lazyPaths?: boolean;
  warn?: (message: string) => void;
}

export interface PreparedApi {
  catalog: Catalog;
  /**
   * How many operations the catalog has, read without building it: until it is built, how many the
   * spec declares (see PlannedCatalog).
   */
  readonly operationCount: number;
  /** The search index over the operations, built or decoded on first use. */
  readonly index: OperationIndex;
  source: string;
  specBytes: number;
  fromCache: boolean;
  /** Milliseconds per stage, for logs and benchmarks. */
  timings: Record<string, number>;
  /** Resolves when the cache entry is written (or failed to be); undefined when nothing is written. */
  cacheWrite?: Promise<void>;
}

/** How long after preparing a catalog its responses are read and its cache entry written. */
const SETTLE_DELAY_MS = 1000;
/** Warnings found that late that are reported one by one; the rest are counted. */
const LATE_WARNINGS_SHOWN = 20;

interface CacheEntry {
  catalog: Catalog;
  /**
   * The search index as JSON text inside the entry: parsing the entry then makes one string of it,
   * not hundreds of thousands of numbers, and it is decoded only if a search runs.
   */
  index: string;
}

export async function prepareCatalog(source: string, options: PrepareOptions): Promise<PreparedApi> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const known = knownCatalogKey(source, options);
  if (known && options.cache) {
    const cached = options.cache.read<CacheEntry>(known.key);
    lap('cache');
    if (cached.hit) {
      const { catalog, index } = cached.value;
      return new LazyIndexApi(decodeCatalog(catalog), source, known.specBytes, true, timings, index);
    }
  }
  // A local file is read straight into the memory that the sparse parse scans.
  let scan: JsonScan | undefined;
  const allocate = (size: number, memory?: WebAssembly.Memory) => {
    scan = JsonScan.empty(size, memory);
    return scan?.bytes ?? Buffer.allocUnsafeSlow(size);
  };
  const read = await readSource(source, { ...options.load, allocate });
  const { cache, version } = options;
  const shaping = shapingOf(options);
  const file = localFile(source, options.load?.cwd);
  // The content hash keys the cache. A spec of a size never stored cannot be in it, so hashing
  // waits until its entry is written, after the first answers: 20-30 ms of a cold start.
  let hash: string | undefined;
  if (cache?.sizeSeen(read.bytes.length, shaping, version)) {
    hash = SpecCache.contentHash(read.bytes);
    if (file) cache.rememberHash(file, hash);
  }
  lap('read');
  if (cache && hash) {
    const key = SpecCache.key(hash, shaping, version);
    const cached = cache.read<CacheEntry>(key);
    lap('cache');
    if (cached.hit) {
      const { catalog, index } = cached.value;
      return new LazyIndexApi(decodeCatalog(catalog), source, read.bytes.length, true, timings, index);
    }
    if (cached.reason !== 'absent') {
      options.warn?.(
        `cache entry for ${source} is ${cached.reason} (${cached.detail ?? 'no detail'}); rebuilding it`,
      );
    }
  }
  // Optimizing walks the whole document, so it needs the whole document parsed.
  const sparse = options.optimize
    ? undefined
    : sparseParse(read.bytes, scan?.bytes === read.bytes ? scan : undefined, options.lazyPaths === true);
  // Held by the closure above, which lives as long as the cache write: let it go now.
  scan = undefined;
  const parsed = sparse ?? parseSpecBytes(read.bytes, source, options.load ?? {});
  const identified = identifySpec(parsed.value, source);
  lap('parse');
  let document: JsonObject = identified.document;
  if (identified.version.startsWith('2'))
    document = withinStack(source, 'convert it from Swagger 2.0', () =>
      convertSwagger2(identified.document, (m) => options.warn?.(`${source}: ${m}`)),
    );
  lap('convert');
  // Optimizing walks the whole document; the catalog only translates what the operations use and
  // drops examples and extensions as it goes, so serving skips it unless asked.
  if (options.optimize) {
    withinStack(source, 'optimize it', () => optimizeSpec(document, options.optimize));
    lap('optimize');
  }
  // Its operations are built when first read: a server that lists them reads them at once, one in
  // dynamic mode after its first answers (OpenApiTools.afterList), or when they are settled below.
  const catalog = planCatalog(
    document,
    // A sparse parse has already found no refs into other documents: no need to search again.
    await resolverFor(document, read, parsed.format, options, sparse ? false : undefined),
    options.catalog,
  );
  lap('catalog');
  const prepared = new LazyIndexApi(catalog, source, read.bytes.length, false, timings);
  // Later, so as not to delay the first answers: the operations' responses (read on first use, see
  // catalog.ts) are all read, which lets the parsed document go, and the cache entry is written. The
  // entry includes the search index, which is built then rather than now.
  // Without a cache entry to write, the timer does not keep the process alive.
  const later = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, SETTLE_DELAY_MS);
    if (!cache) timer.unref();
  })
    .then(() => reportLate(source, settleResponses(catalog), options.warn))
    .catch((error) =>
      options.warn?.(`${source}: reading its operations' responses failed: ${(error as Error).message}`),
    );
  if (cache) {
    // The bytes are kept only until they are hashed, before the index is built.
    let bytes: Uint8Array | undefined = hash ? undefined : read.bytes;
    const specBytes = read.bytes.length;
    // The timer holds the process open until the entry is written.
    prepared.cacheWrite = later
      .then(() => {
        hash ??= SpecCache.contentHash(bytes as Uint8Array);
        bytes = undefined;
        if (file) cache.rememberHash(file, hash);
        cache.rememberSize(specBytes, shaping, version);
        return cache.write(SpecCache.key(hash, shaping, version), {
          catalog: encodeCatalog(catalog),
          index: JSON.stringify(prepared.index.toJSON()),
        } satisfies CacheEntry);
      })
      .catch((error) => {
        options.warn?.(
          `could not write the cache entry for ${source} in ${cache.dir}: ${(error as Error).message}`,
        );
      });
  }
  return prepared;
}

/** Warnings found after the catalog was first served (its responses: see settleResponses). */
function reportLate(source: string, late: string[], warn: ((message: string) => void) | undefined): void {
  for (const warning of late.slice(0, LATE_WARNINGS_SHOWN)) warn?.(`${source}: ${warning}`);
  if (late.length > LATE_WARNINGS_SHOWN) {
    warn?.(`${source}: ${late.length - LATE_WARNINGS_SHOWN} more warnings about its operations' responses`);
  }
}

/**
 * The cache key of a local spec file whose content hash is already known (its state unchanged since
 * it was last hashed), without reading it; undefined otherwise, or when the file is over the size cap.
 */
export function knownCatalogKey(
  source: string,
  options: PrepareOptions,
): { key: string; specBytes: number } | undefined {
  const file = localFile(source, options.load?.cwd);
  const hash = file && options.cache?.knownHash(file);
  if (!file || !hash) return undefined;
  const specBytes = statSync(file).size;
  const maxBytes = options.load?.maxSpecBytes;
  if (maxBytes !== undefined && specBytes > maxBytes) return undefined;
  return { key: SpecCache.key(hash, shapingOf(options), options.version), specBytes };
}

function shapingOf(options: PrepareOptions): unknown {
  return { refs: options.refs ?? {}, optimize: options.optimize ?? {}, catalog: options.catalog };
}

/** A prepared API whose search index is built (or decoded from the cache) on first use. */
class LazyIndexApi implements PreparedApi {
  cacheWrite?: Promise<void>;
  private built: OperationIndex | undefined;

  constructor(
    readonly catalog: Catalog,
    readonly source: string,
    readonly specBytes: number,
    readonly fromCache: boolean,
    readonly timings: Record<string, number>,
    private readonly cachedIndex?: string,
  ) {}

  get operationCount(): number {
    const { catalog } = this;
    return catalog instanceof PlannedCatalog && !catalog.built ? catalog.declared : catalog.operations.length;
  }

  get index(): OperationIndex {
    this.built ??= this.cachedIndex
      ? OperationIndex.fromJSON(JSON.parse(this.cachedIndex) as OperationIndexJson)
      : buildIndex(this.catalog);
    return this.built;
  }
}

function buildIndex(catalog: Catalog): OperationIndex {
  return OperationIndex.build(
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
}

/**
 * Whether JSON text holds a `$ref` into another document (`"$ref": "common.yaml#/..."`). Searching
 * the bytes (src/wasm/json-scan.wat) is far cheaper than walking a parsed 45 MB document for the
 * common case of none. Without WebAssembly the answer is yes, and the walk finds out.
 */
export function hasExternalRef(text: Uint8Array | JsonScan): boolean {
  const scan = text instanceof JsonScan ? text : JsonScan.of(text);
  return scan ? scan.externalRef() !== -1 : true;
}

/**
 * A resolver over the spec and every document its refs reach. For JSON without external refs (the
 * common case) nothing else is fetched and the document is not walked.
 */
export async function resolverFor(
  document: JsonObject,
  read: { file?: string; url?: string; bytes: Uint8Array },
  format: 'json' | 'yaml',
  options: Pick<PrepareOptions, 'load' | 'refs'>,
  externalRefs = format === 'yaml' || hasExternalRef(read.bytes),
): Promise<RefResolver> {
  const rootUrl = RefResolver.rootUrlFor(read);
  const documents = !externalRefs
    ? new Map<string, unknown>([[rootUrl, document]])
    : await loadReferencedDocuments(
        document,
        rootUrl,
        (url) => loadReferenced(url, options),
        options.refs ?? {},
      );
  return new RefResolver(rootUrl, documents);
}

/** Reads a document a `$ref` points to, with the same limits and guards as the spec itself. */
async function loadReferenced(url: URL, options: Pick<PrepareOptions, 'load' | 'refs'>): Promise<unknown> {
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

/**
 * Runs a step that recurses over the document. A document nested thousands of levels deep (no real
 * specification is) would overflow the stack: that becomes a clear error instead of a crash.
 */
function withinStack<T>(source: string, step: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
    throw new SpecError(
      source,
      `${describeSource(source)} nests too deeply to ${step}; check that this is the right file`,
    );
  }
}

/** The absolute path when `source` names a local file (not a URL, not stdin) that exists. */
function localFile(source: string, cwd = process.cwd()): string | undefined {
  if (source === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return undefined;
  const file = resolve(cwd, source);
  return existsSync(file) ? file : undefined;
}

/**
 * The sparse parse (see sparse.ts) for the common large case: an OpenAPI 3 document in valid UTF-8
 * JSON with no refs into other documents. Anything else, or anything odd, takes the full parse,
 * which also gives the located error messages.
 */
function sparseParse(
  bytes: Uint8Array,
  scanned: JsonScan | undefined,
  lazyPaths: boolean,
): { format: 'json'; value: unknown } | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) return undefined;
  const head = buffer
    .toString('utf8', 0, 256)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!head.startsWith('{')) return undefined;
  // Read from a URL or standard input, the text is copied into the scan's memory.
  const scan = scanned ?? JsonScan.of(bytes);
  if (!scan || hasExternalRef(scan)) return undefined;
  try {
    const value = parseSparse(scan, { lazyPaths });
    return typeof value.openapi === 'string' && value.openapi.startsWith('3')
      ? { format: 'json', value }
      : undefined;
  } catch (error) {
    if (error instanceof SparseParseError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
