/**
 * buildCatalog: an OpenAPI 3.x document becomes a catalog of operations, each with what it takes to
 * list it as a tool (name, description, input schema) and to call it (parameters with their
 * serialization, body media types, security). Problems in one operation are warnings, not failures:
 * a spec with one broken operation still serves the others. planCatalog does the same on first use.
 */
import { filterOperations, keepsAll, type OperationFilter } from './filter.js';
import { NameAllocator } from './names.js';
import type { RefResolver } from './refs.js';
import { type Schema, SchemaTranslator, setOwn } from './schema.js';
import { LazyPaths, materialize } from './sparse.js';
import type {
  ApiInfo,
  Catalog,
  JsonObject,
  Operation,
  OperationBody,
  OperationParameter,
  OperationResponse,
  ParameterLocation,
} from './types.js';

export interface CatalogOptions {
  /** Short API name; the tool-name prefix when `prefix` is set. */
  apiName: string;
  prefix?: boolean;
  maxNameLength?: number;
  /** Tool descriptions are clipped to this many characters. */
  maxDescriptionLength?: number;
  /** Descriptions inside schemas keep their first paragraph past this many characters. */
  maxSchemaDescriptionLength?: number;
  filter?: OperationFilter;
  /** At most this many warnings are kept; the rest are counted. */
  maxWarnings?: number;
  /** Translate each operation's 2xx JSON response schema too (for structured output). */
  outputSchemas?: boolean;
}

/** The members of a path item that are operations. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const METHOD_NAMES: ReadonlySet<string> = new Set(METHODS);
const LOCATIONS = new Set<ParameterLocation>(['path', 'query', 'header', 'cookie']);
// OpenAPI: header parameters with these names "SHALL be ignored"; they come from elsewhere.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

interface RawOperation {
  method: string;
  path: string;
  operationId?: string;
  tags: string[];
  op: JsonObject;
  pathItem: JsonObject;
  doc: string;
}

export function buildCatalog(document: JsonObject, resolver: RefResolver, options: CatalogOptions): Catalog {
  const planned = planCatalog(document, resolver, options);
  const { operations, definitions, warnings } = planned;
  return { api: planned.api, operations, definitions, warnings };
}

/**
 * A catalog whose operations are built when first read. What it knows before is cheap: the API's
 * title, servers and security, and how many operations the spec declares. A server in dynamic
 * mode lists its three tools from that alone, so its first answers do not wait for the build
 * (nor, with paths kept as text, for their parse): GitHub's cold start in that mode went from 223
 * to 153 ms, Microsoft Graph beta's from 1.19 s to 0.31 s.
 */
export class PlannedCatalog implements Catalog {
  private build: (() => Omit<Catalog, 'api'>) | undefined;
  private made: Omit<Catalog, 'api'> | undefined;
  private failure: unknown;
  private readonly listeners: Array<(catalog: Catalog) => void> = [];
  /** Milliseconds the build took, once built. */
  buildMs = 0;

  constructor(
    readonly api: ApiInfo,
    /**
     * The operations the spec declares that the filter keeps. The built catalog has fewer when one
     * cannot be built (each such is a warning).
     */
    readonly declared: number,
    build: () => Omit<Catalog, 'api'>,
  ) {
    this.build = build;
  }

  get built(): boolean {
    return this.made !== undefined;
  }

  get operations(): Operation[] {
    return this.parts().operations;
  }

  get definitions(): Catalog['definitions'] {
    return this.parts().definitions;
  }

  get warnings(): string[] {
    return this.parts().warnings;
  }

  /** Runs `listener` once the operations are built: now if they are. */
  afterBuild(listener: (catalog: Catalog) => void): void {
    if (this.made) listener(this);
    else this.listeners.push(listener);
  }

  private parts(): Omit<Catalog, 'api'> {
    if (this.made) return this.made;
    // A build that failed fails the same way for every later reader, rather than run again over
    // the half-made state (its warnings) of the first.
    if (this.failure) throw this.failure;
    const build = this.build as () => Omit<Catalog, 'api'>;
    this.build = undefined;
    const started = performance.now();
    try {
      this.made = build();
    } catch (error) {
      this.failure = error;
      throw error;
    }
    this.buildMs = performance.now() - started;
    for (const listener of this.listeners.splice(0)) listener(this);
    return this.made;
  }
}

/** The catalog of `document`, with its operations built on first use (see PlannedCatalog). */
export function planCatalog(
  document: JsonObject,
  resolver: RefResolver,
  options: CatalogOptions,
): PlannedCatalog {
  const warnings: string[] = [];
  const maxWarnings = options.maxWarnings ?? 1000;
  let dropped = 0;
  const warn = (message: string): void => {
    if (warnings.length < maxWarnings) warnings.push(message);
    else dropped++;
  };
  const filter = options.filter ?? {};
  // Paths still kept as text are counted there: listing them as operations parses them.
  const lazy = document.paths instanceof LazyPaths ? document.paths : undefined;
  const counted = lazy && keepsAll(filter) ? lazy.countOperations(METHOD_NAMES) : undefined;
  const list = () => {
    if (lazy) document.paths = lazy.value();
    const found = rawOperations(document, resolver, warn);
    return { found, raw: filterOperations(found, filter) };
  };
  let listed: ReturnType<typeof list> | undefined;
  let declared = counted;
  if (declared === undefined) {
    listed = list();
    declared = listed.raw.length;
  }
  const build = (): Omit<Catalog, 'api'> => {
    listed ??= list();
    const { found, raw } = listed;
    const dialect = String(document.openapi ?? '').startsWith('3.1') ? '3.1' : '3.0';
    const translator = new SchemaTranslator(resolver, {
      dialect,
      warn,
      ...(options.maxSchemaDescriptionLength === undefined
        ? {}
        : { maxDescriptionLength: options.maxSchemaDescriptionLength }),
    });
    const names = new NameAllocator({
      maxLength: options.maxNameLength ?? 64,
      ...(options.prefix ? { prefix: options.apiName } : {}),
    });
    const operations: Operation[] = [];
    const memo: ParameterMemo = new WeakMap();
    for (const item of raw) {
      try {
        operations.push(buildOperation(item, document, resolver, translator, names, options, warn, memo));
      } catch (error) {
        warn(`${item.method.toUpperCase()} ${item.path}: skipped: ${(error as Error).message}`);
      }
    }
    if (dropped > 0) warnings.push(`… and ${dropped} more warnings`);
    // An empty tool list is never what the user wanted: say why, first.
    if (operations.length === 0) warnings.unshift(whyNoOperations(document, found.length, raw.length));
    return { operations, definitions: translator.exportDefinitions(), warnings };
  };
  return new PlannedCatalog(apiInfo(document, resolver, options.apiName), declared, build);
}

/**
 * Reads the responses of every operation (each is read on first use: see buildOperation), after
 * which nothing holds on to the parsed document; answers the warnings that reading them added.
 */
export function settleResponses(catalog: Catalog): string[] {
  const before = catalog.warnings.length;
  for (const op of catalog.operations) void op.responses;
  return catalog.warnings.slice(before);
}

function whyNoOperations(document: JsonObject, found: number, kept: number): string {
  if (found > 0 && kept === 0)
    return `the operation filter matches none of the ${found} operations: no tools to serve`;
  if (found > 0)
    return `every one of the ${found} operations was skipped (see the other warnings): no tools to serve`;
  const webhooks = Object.keys(asObject(document.webhooks) ?? {}).length;
  const hooks =
    webhooks > 0 ? `; its ${webhooks} webhooks are requests the API sends, not operations to call` : '';
  return `the spec defines no operations under paths${hooks}: no tools to serve`;
}

function rawOperations(
  document: JsonObject,
  resolver: RefResolver,
  warn: (m: string) => void,
): RawOperation[] {
  const out: RawOperation[] = [];
  const paths = asObject(document.paths);
  for (const [path, value] of Object.entries(paths ?? {})) {
    let pathItem: JsonObject | undefined;
    let doc = resolver.rootUrl;
    try {
      const found = resolver.deref(value, doc);
      pathItem = asObject(found.value);
      doc = found.doc;
    } catch (error) {
      warn(`paths.${path}: ${(error as Error).message}`);
      continue;
    }
    if (!pathItem) continue;
    for (const method of METHODS) {
      const op = asObject(pathItem[method]);
      if (!op) continue;
      const tags = Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [];
      const operationId =
        typeof op.operationId === 'string' && op.operationId !== '' ? op.operationId : undefined;
      out.push({ method, path, tags, op, pathItem, doc, ...(operationId ? { operationId } : {}) });
    }
  }
  return out;
}

function buildOperation(
  item: RawOperation,
  document: JsonObject,
  resolver: RefResolver,
  translator: SchemaTranslator,
  names: NameAllocator,
  options: CatalogOptions,
  warn: (m: string) => void,
  memo: ParameterMemo,
): Operation {
  const where = `${item.method.toUpperCase()} ${item.path}`;
  const refs = new Set<string>();
  const parameters = collectParameters(item, resolver, translator, refs, warn, memo);
  const body = requestBody(item, resolver, translator, refs, warn);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  const used = new Set<string>();
  if (body) used.add('body');
  for (let i = 0; i < parameters.length; i++) {
    let p = parameters[i] as OperationParameter;
    // Two parameters with one name in different places (an `id` in the path and in the query).
    // The renamed one can meet a parameter already named so (`query_id`): then it is numbered.
    let argument = used.has(p.name) ? `${p.in}_${p.name}` : p.name;
    for (let n = 2; used.has(argument); n++) argument = `${p.in}_${p.name}_${n}`;
    // The translated parameter is shared by every operation that has it; a renamed one is a copy.
    if (argument !== p.argument) {
      p = { ...p, argument };
      parameters[i] = p;
    }
    used.add(argument);
    setOwn(properties, argument, p.schema);
    if (p.required) required.push(argument);
  }
  if (body) {
    body.schema = withDescription(body.schema, body.description) as JsonObject;
    properties.body = body.schema;
    if (body.required) required.push('body');
  }
  const inputSchema: JsonObject = { type: 'object', properties };
  if (required.length > 0) inputSchema.required = required;
  inputSchema.additionalProperties = false;

  const summary = text(item.op.summary);
  const description = text(item.op.description);
  const security = (
    Array.isArray(item.op.security)
      ? item.op.security
      : Array.isArray(document.security)
        ? document.security
        : []
  ) as Array<Record<string, string[]>>;
  const servers = serverUrls(item.op.servers) ?? serverUrls(item.pathItem.servers);
  const output = options.outputSchemas ? outputSchema(item, resolver, translator, warn, where) : undefined;
  // Field by field rather than with conditional spreads, which cost an object and a copy each for
  // every operation, mostly before V8 optimizes this; the order is the one the cache stores.
  const operation: Omit<Operation, 'responses'> = {
    name: names.allocate(item),
    api: options.apiName,
    method: item.method,
    path: item.path,
  } as Omit<Operation, 'responses'>;
  if (item.operationId) operation.operationId = item.operationId;
  operation.title = summary ?? `${item.method.toUpperCase()} ${item.path}`;
  if (summary) operation.summary = summary;
  if (description) operation.description = clip(description, options.maxDescriptionLength ?? 2000);
  operation.tags = item.tags;
  operation.deprecated = item.op.deprecated === true;
  operation.parameters = parameters;
  if (body) operation.body = body;
  operation.security = security;
  if (servers) operation.servers = servers;
  operation.inputSchema = inputSchema;
  operation.defs = [...refs];
  if (output) {
    operation.outputSchema = output.schema;
    operation.outputDefs = output.refs;
  }
  // Read when the operation is first called (for its Accept header) or the catalog is settled: a
  // sparse parse keeps them as text, and parsing them all would be a fifth of a cold start.
  return withLazyResponses(operation, () => responses(item, resolver, warn, where));
}

/**
 * An operation's responses while not read yet: how to read them. The accessor is one for all
 * operations, so they keep one shape (a getter made per operation would give each its own hidden
 * class, and make every later read of an operation's fields slow).
 */
const pendingResponses = new WeakMap<object, OperationResponse[] | (() => OperationResponse[])>();
const RESPONSES: PropertyDescriptor = {
  get(this: Operation): OperationResponse[] {
    let value = pendingResponses.get(this) ?? [];
    if (typeof value === 'function') {
      value = value();
      pendingResponses.set(this, value);
    }
    return value;
  },
  set(this: Operation, value: OperationResponse[]): void {
    pendingResponses.set(this, value);
  },
  enumerable: true,
  configurable: true,
};

/** The operation with `responses` that `read` reads on first use. */
function withLazyResponses<T extends object>(
  operation: T,
  read: () => OperationResponse[],
): T & { responses: OperationResponse[] } {
  pendingResponses.set(operation, read);
  return Object.defineProperty(operation, 'responses', RESPONSES) as T & { responses: OperationResponse[] };
}

/**
 * A parameter as translated once: a large API refers to a few shared parameters (`owner`, `repo`,
 * `per_page`) from hundreds of operations, and translating each again was a third of the catalog.
 */
interface TranslatedParameter {
  param: OperationParameter;
  refs: ReadonlySet<string>;
  /** `in:name`, which an operation's own parameter shares with the path-level one it replaces. */
  key: string;
}

/** Translated parameters by their resolved object, shared by the operations that have them. */
export type ParameterMemo = WeakMap<object, TranslatedParameter>;

function collectParameters(
  item: RawOperation,
  resolver: RefResolver,
  translator: SchemaTranslator,
  refs: Set<string>,
  warn: (m: string) => void,
  memo: ParameterMemo,
): OperationParameter[] {
  const byKey = new Map<string, OperationParameter>();
  // Path-level parameters first, so the operation's own replace them (matched by name and location).
  // Indexed loops, and the location for messages built only for a message or a first translation:
  // this runs for every parameter of every operation, mostly before V8 optimizes it.
  const lists = [item.pathItem.parameters, item.op.parameters];
  for (let l = 0; l < lists.length; l++) {
    const list = lists[l];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      let found: { value: unknown; doc: string };
      try {
        found = resolver.deref(list[i], item.doc);
      } catch (error) {
        warn(`${parameterAt(item, i)}: ${(error as Error).message}`);
        continue;
      }
      const p = asObject(found.value);
      const translated = p
        ? (memo.get(p) ?? translateParameter(p, found.doc, parameterAt(item, i), translator, warn))
        : undefined;
      if (!p)
        warn(
          `${parameterAt(item, i)}: not a parameter (needs a name and in: path, query, header or cookie); skipped`,
        );
      if (!p || !translated) continue;
      memo.set(p, translated);
      for (const ref of translated.refs) refs.add(ref);
      byKey.set(translated.key, translated.param);
    }
  }
  return [...byKey.values()];
}

function parameterAt(item: RawOperation, i: number): string {
  return `${item.method.toUpperCase()} ${item.path} parameters[${i}]`;
}

/**
 * The parameter `p` translated, with its description on its schema too (as its tool property);
 * undefined, with a warning, when it is not a parameter; null when it is one that is not an argument.
 */
function translateParameter(
  p: JsonObject,
  doc: string,
  at: string,
  translator: SchemaTranslator,
  warn: (m: string) => void,
): TranslatedParameter | undefined | null {
  const name = p.name;
  const location = p.in as ParameterLocation;
  if (typeof name !== 'string' || !LOCATIONS.has(location)) {
    if (p.in !== 'body' && p.in !== 'formData')
      warn(`${at}: not a parameter (needs a name and in: path, query, header or cookie); skipped`);
    return undefined;
  }
  if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) return null;
  let schemaSource: unknown = p.schema;
  const content = asObject(p.content);
  const contentType = schemaSource === undefined && content ? Object.keys(content)[0] : undefined;
  if (contentType !== undefined && content) schemaSource = asObject(content[contentType])?.schema;
  const translated =
    schemaSource === undefined
      ? { schema: {} as Schema, refs: new Set<string>() }
      : translator.translate(schemaSource, doc, `${at}.schema`);
  const description = text(p.description);
  const schema = translated.schema === true || translated.schema === false ? {} : translated.schema;
  const param: OperationParameter = {
    name,
    in: location,
    argument: name,
    required: location === 'path' || p.required === true,
    // The parameter and its property share one schema, which is how the cache stores and restores it.
    schema: withDescription(schema, description) as JsonObject,
  };
  if (typeof p.style === 'string') param.style = p.style;
  if (typeof p.explode === 'boolean') param.explode = p.explode;
  if (p.allowReserved === true) param.allowReserved = true;
  // Serialized as this media type (usually JSON) rather than by style.
  if (contentType !== undefined) param.contentType = contentType;
  if (description) param.description = description;
  return { param, refs: translated.refs, key: `${location}:${name}` };
}

const BODY_PREFERENCE = [
  (t: string) => t === 'application/json',
  (t: string) => /[/+]json(;|$)/.test(t),
  (t: string) => t === 'application/x-www-form-urlencoded',
  (t: string) => t === 'multipart/form-data',
  (t: string) => t.startsWith('text/'),
  (t: string) => t === 'application/octet-stream',
];

function requestBody(
  item: RawOperation,
  resolver: RefResolver,
  translator: SchemaTranslator,
  refs: Set<string>,
  warn: (m: string) => void,
): OperationBody | undefined {
  if (item.op.requestBody === undefined) return undefined;
  const where = `${item.method.toUpperCase()} ${item.path} requestBody`;
  let found: { value: unknown; doc: string };
  try {
    found = resolver.deref(item.op.requestBody, item.doc);
  } catch (error) {
    warn(`${where}: ${(error as Error).message}`);
    return undefined;
  }
  const body = asObject(found.value);
  const content = asObject(body?.content);
  if (!body || !content || Object.keys(content).length === 0) return undefined;
  const mediaTypes = rankMediaTypes(Object.keys(content));
  const chosen = mediaTypes[0] as string;
  const mediaType = asObject(content[chosen]);
  let schema: Schema;
  const base = chosen.toLowerCase();
  if (base.startsWith('text/')) schema = { type: 'string' };
  else if (!/json|form/.test(base) && mediaType?.schema === undefined)
    schema = { type: 'string', contentEncoding: 'base64' };
  else if (mediaType?.schema === undefined) schema = {};
  else {
    const translated = translator.translate(mediaType.schema, found.doc, `${where}.content.${chosen}.schema`);
    for (const ref of translated.refs) refs.add(ref);
    schema = translated.schema;
    const raw = safeDeref(resolver, mediaType.schema, found.doc);
    if ((isBinary(schema) || isBinary(raw)) && !/json|form/.test(base))
      schema = { type: 'string', contentEncoding: 'base64' };
  }
  const out: OperationBody = {
    required: body.required === true,
    mediaTypes,
    schema: typeof schema === 'boolean' ? {} : schema,
  };
  const description = text(body.description);
  if (description) out.description = description;
  return out;
}

function responses(
  item: RawOperation,
  resolver: RefResolver,
  warn: (m: string) => void,
  where: string,
): OperationResponse[] {
  const out: OperationResponse[] = [];
  for (const [status, value] of Object.entries(operationResponses(item, warn, where) ?? {})) {
    try {
      const response = asObject(resolver.deref(value, item.doc).value);
      out.push({ status, mediaTypes: Object.keys(asObject(response?.content) ?? {}) });
    } catch (error) {
      warn(`${where} responses.${status}: ${(error as Error).message}`);
    }
  }
  return out;
}

/**
 * The operation's `responses` object. A sparse parse keeps it as text checked only for closed
 * strings and brackets, so it may turn out not to be JSON: a warning, as for a dangling ref.
 */
function operationResponses(
  item: RawOperation,
  warn: (m: string) => void,
  where: string,
): JsonObject | undefined {
  try {
    return asObject(materialize(item.op.responses));
  } catch (error) {
    warn(`${where} responses: not valid JSON (${(error as Error).message}); none are known`);
    return undefined;
  }
}

/** The translated schema of the first 2xx response with a JSON media type and a schema. */
function outputSchema(
  item: RawOperation,
  resolver: RefResolver,
  translator: SchemaTranslator,
  warn: (m: string) => void,
  where: string,
): { schema: Schema; refs: string[] } | undefined {
  const all = operationResponses(item, warn, where);
  const statuses = Object.keys(all ?? {})
    .filter((status) => /^2(\d\d|XX)$/i.test(status))
    .sort();
  for (const status of statuses) {
    try {
      const found = resolver.deref(all?.[status], item.doc);
      const content = asObject(asObject(found.value)?.content) ?? {};
      const type = Object.keys(content).find((t) => /json/i.test(t));
      const media = type ? asObject(content[type]) : undefined;
      if (!media || media.schema === undefined) continue;
      const translated = translator.translate(media.schema, found.doc, `${where}.responses.${status}.schema`);
      return { schema: translated.schema, refs: [...translated.refs] };
    } catch (error) {
      warn(`${where} responses.${status}: ${(error as Error).message}`);
    }
  }
  return undefined;
}

function apiInfo(document: JsonObject, resolver: RefResolver, name: string): ApiInfo {
  const info = asObject(document.info) ?? {};
  const servers: ApiInfo['servers'] = [];
  for (const server of Array.isArray(document.servers) ? document.servers : []) {
    const s = asObject(server);
    if (!s || typeof s.url !== 'string') continue;
    const variables: Record<string, { default: string; enum?: string[] }> = {};
    for (const [key, v] of Object.entries(asObject(s.variables) ?? {})) {
      const variable = asObject(v);
      if (!variable) continue;
      variables[key] = {
        default: String(variable.default ?? ''),
        ...(Array.isArray(variable.enum) ? { enum: variable.enum.map(String) } : {}),
      };
    }
    servers.push(Object.keys(variables).length > 0 ? { url: s.url, variables } : { url: s.url });
  }
  const securitySchemes: Record<string, JsonObject> = {};
  for (const [key, value] of Object.entries(asObject(asObject(document.components)?.securitySchemes) ?? {})) {
    try {
      const scheme = asObject(resolver.deref(value, resolver.rootUrl).value);
      if (scheme) securitySchemes[key] = scheme;
    } catch {
      // A dangling security scheme only matters to calls that need it; the executor reports it then.
    }
  }
  const description = text(info.description);
  return {
    name,
    title: text(info.title) ?? name,
    version: text(info.version) ?? '',
    ...(description ? { description: clip(description, 2000) } : {}),
    servers,
    securitySchemes,
  };
}

function rankMediaTypes(types: string[]): string[] {
  const rank = (t: string): number => {
    const i = BODY_PREFERENCE.findIndex((test) => test(t.toLowerCase()));
    return i < 0 ? BODY_PREFERENCE.length : i;
  };
  return [...types].sort((a, b) => rank(a) - rank(b));
}

function isBinary(schema: Schema): boolean {
  return typeof schema === 'object' && schema.type === 'string' && schema.format === 'binary';
}

function withDescription(schema: Schema, description: string | undefined): Schema {
  if (!description || typeof schema === 'boolean') return schema;
  if (typeof schema.description === 'string') return schema;
  return { ...schema, description };
}

function serverUrls(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const urls = value.map((s) => asObject(s)?.url).filter((u): u is string => typeof u === 'string');
  return urls.length > 0 ? urls : undefined;
}

function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Cuts `value` to `max` characters at a word boundary, marking the cut. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.lastIndexOf(' ', max - 1);
  return `${value.slice(0, cut > max * 0.6 ? cut : max - 1)}…`;
}

/** The schema a `$ref` leads to, as written; undefined when it dangles (the translator warned). */
function safeDeref(resolver: RefResolver, value: unknown, doc: string): Schema {
  try {
    const found = asObject(resolver.deref(value, doc).value);
    return found ?? {};
  } catch {
    return {};
  }
}
