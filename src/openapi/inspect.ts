/**
 * `headroom spec inspect`: what a specification holds and what each optimization saves, measured
 * on the document itself (bytes of its JSON before and after each step), plus what serving it
 * would list: operations, shared schemas, and the size of `tools/list` in each tool mode.
 */
import { describeCredentials } from './auth.js';
import { buildCatalog, METHODS } from './catalog.js';
import { identifySpec, type LoadSpecOptions, parseSpecBytes } from './load.js';
import { type OptimizeOptions, type OptimizeReport, optimizeSpec } from './optimize.js';
import { resolverFor } from './prepare.js';
import type { RefPolicy } from './refs.js';
import { readSource } from './source.js';
import { convertSwagger2 } from './swagger2.js';
import { operationTool } from './tool-definition.js';
import { DEFAULT_SCHEMA_BUDGET_BYTES } from './tool-schema.js';
import type { JsonObject } from './types.js';

export interface InspectReport {
  source: string;
  version: string;
  format: 'json' | 'yaml';
  fileBytes: number;
  title: string;
  paths: number;
  operations: number;
  operationsByMethod: Record<string, number>;
  tags: number;
  componentSchemas: number;
  optimization: OptimizeReport;
  catalog: {
    operations: number;
    sharedSchemas: number;
    /** Bytes of the tools/list tools in `all` mode, with the schema budget applied. */
    allModeListBytes: number;
    warnings: number;
  };
  /** The security schemes and the environment variables that carry their secrets. */
  credentials: ReturnType<typeof describeCredentials>;
  ms: number;
}

export interface InspectOptions {
  load?: LoadSpecOptions;
  refs?: RefPolicy;
  optimize?: OptimizeOptions;
  schemaBudgetBytes?: number;
}

export async function inspectSpec(source: string, options: InspectOptions = {}): Promise<InspectReport> {
  const start = performance.now();
  const read = await readSource(source, options.load ?? {});
  const parsed = parseSpecBytes(read.bytes, source, options.load ?? {});
  const identified = identifySpec(parsed.value, source);
  let document: JsonObject = identified.document;
  if (identified.version.startsWith('2')) document = convertSwagger2(document, () => {});
  const counts = countOperations(document);
  const componentSchemas = Object.keys(asObject(asObject(document.components)?.schemas) ?? {}).length;
  const resolver = await resolverFor(document, read, parsed.format, options);
  const catalog = buildCatalog(document, resolver, { apiName: 'api' });
  const budget = options.schemaBudgetBytes ?? DEFAULT_SCHEMA_BUDGET_BYTES;
  let allModeListBytes = 0;
  for (const op of catalog.operations) {
    allModeListBytes += Buffer.byteLength(JSON.stringify(operationTool(op, catalog.definitions, budget)));
  }
  // Last, because optimizing changes the document: the sizes above are what serving it lists.
  const optimization = optimizeSpec(document, { ...options.optimize, measure: true });
  return {
    source,
    version: identified.version,
    format: parsed.format,
    fileBytes: read.bytes.length,
    title: String(asObject(document.info)?.title ?? ''),
    paths: Object.keys(asObject(document.paths) ?? {}).length,
    operations: counts.total,
    operationsByMethod: counts.byMethod,
    tags: Array.isArray(document.tags) ? document.tags.length : 0,
    componentSchemas,
    optimization,
    catalog: {
      operations: catalog.operations.length,
      sharedSchemas: Object.keys(catalog.definitions).length,
      allModeListBytes,
      warnings: catalog.warnings.length,
    },
    credentials: describeCredentials(catalog.api.securitySchemes),
    ms: Math.round(performance.now() - start),
  };
}

function countOperations(document: JsonObject): { total: number; byMethod: Record<string, number> } {
  const byMethod: Record<string, number> = {};
  let total = 0;
  for (const item of Object.values(asObject(document.paths) ?? {})) {
    for (const method of METHODS) {
      if (!asObject(asObject(item)?.[method])) continue;
      byMethod[method.toUpperCase()] = (byMethod[method.toUpperCase()] ?? 0) + 1;
      total++;
    }
  }
  return { total, byMethod };
}

function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}
