/**
 * Swagger 2.0 to OpenAPI 3.0.3, so everything after loading handles one shape.
 *
 * Pure: the input is never changed and the output shares nothing with it. Whatever OpenAPI 3.0
 * cannot say (a tsv array, a second body) is reported through `warn` with its location rather than
 * dropped quietly, since a missing parameter only shows up later as an API call that fails.
 */
import type { JsonObject } from './types.js';

export type Warn = (message: string) => void;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
const FORM_URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';
const DEFAULT_MEDIA = ['application/json'];

/** Swagger 2.0 parameter fields that describe the value: in OpenAPI 3 they live in `schema`. */
const VALUE_FIELDS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
];
const PARAMETER_FIELDS = new Set([
  ...VALUE_FIELDS,
  'name',
  'in',
  'description',
  'required',
  'schema',
  'allowEmptyValue',
  'collectionFormat',
  '$ref',
  // Not Swagger 2.0, but common in the wild and meaningful in OpenAPI 3.
  'deprecated',
  'example',
]);
const HEADER_FIELDS = new Set([...VALUE_FIELDS, 'description', 'collectionFormat']);
const TOP_LEVEL_FIELDS = new Set([
  'swagger',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'paths',
  'definitions',
  'parameters',
  'responses',
  'securityDefinitions',
  'security',
  'tags',
  'externalDocs',
]);
const OPERATION_FIELDS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'consumes',
  'produces',
  'parameters',
  'responses',
  'schemes',
  'deprecated',
  'security',
]);

interface Context {
  doc: JsonObject;
  warn: Warn;
  consumes: string[];
  produces: string[];
  /** Global parameters by name, as written, to tell body and formData refs from the others. */
  parameters: Record<string, JsonObject>;
  responses: Record<string, JsonObject>;
  host?: string;
  basePath?: string;
  schemes: string[];
}

export function convertSwagger2(doc: JsonObject, warn: Warn): JsonObject {
  const host = typeof doc.host === 'string' && doc.host !== '' ? doc.host : undefined;
  const basePath = typeof doc.basePath === 'string' ? normalizeBasePath(doc.basePath) : undefined;
  const schemes = stringList(doc.schemes);
  // Path-level parameters are converted once per operation; their problems are reported once.
  const reported = new Set<string>();
  const ctx: Context = {
    doc,
    warn: (message) => {
      if (reported.has(message)) return;
      reported.add(message);
      warn(message);
    },
    consumes: mediaList(doc.consumes) ?? DEFAULT_MEDIA,
    produces: mediaList(doc.produces) ?? DEFAULT_MEDIA,
    parameters: objectMap(doc.parameters),
    responses: objectMap(doc.responses),
    host,
    basePath,
    // Swagger's default is the scheme the spec was served with, which a document alone cannot know.
    schemes: schemes.length > 0 ? schemes : ['https'],
  };

  const out: JsonObject = { openapi: '3.0.3' };
  if (doc.info !== undefined) out.info = clone(doc.info);
  else ctx.warn('info: missing; OpenAPI requires it');
  if (doc.externalDocs !== undefined) out.externalDocs = clone(doc.externalDocs);
  const servers = serversFor(ctx, ctx.schemes);
  if (servers) out.servers = servers;
  if (doc.tags !== undefined) out.tags = clone(doc.tags);
  out.paths = convertPaths(ctx);
  const components = convertComponents(ctx);
  if (Object.keys(components).length > 0) out.components = components;
  if (doc.security !== undefined) out.security = clone(doc.security);
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!TOP_LEVEL_FIELDS.has(key)) ctx.warn(`${key}: not a Swagger 2.0 field; dropped`);
  }
  return out;
}

// --- servers ------------------------------------------------------------------------------------

function normalizeBasePath(basePath: string): string {
  let path = basePath.startsWith('/') ? basePath : `/${basePath}`;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

function serversFor(ctx: Context, schemes: string[], where?: string): JsonObject[] | undefined {
  const base = ctx.basePath === '/' ? '' : (ctx.basePath ?? '');
  if (ctx.host === undefined) {
    if (where !== undefined) {
      ctx.warn(
        `${where}: schemes ${schemes.join(', ')} cannot apply without a host; the operation uses the API's servers`,
      );
      return undefined;
    }
    return ctx.basePath === undefined ? undefined : [{ url: ctx.basePath }];
  }
  return schemes.map((scheme) => ({ url: `${scheme}://${ctx.host}${base}` }));
}

// --- components ---------------------------------------------------------------------------------

function convertComponents(ctx: Context): JsonObject {
  const components: JsonObject = {};
  const definitions = objectMap(ctx.doc.definitions);
  if (Object.keys(definitions).length > 0) {
    const schemas: JsonObject = {};
    for (const [name, schema] of Object.entries(definitions)) {
      schemas[name] = convertSchema(ctx, schema, `definitions.${name}`);
    }
    components.schemas = schemas;
  }

  const parameters: JsonObject = {};
  const requestBodies: JsonObject = {};
  for (const [name, param] of Object.entries(ctx.parameters)) {
    const where = `parameters.${name}`;
    if (param.in === 'body') requestBodies[name] = convertBody(ctx, param, ctx.consumes, where);
    // formData parameters become properties of each operation's form body, so they are inlined there.
    else if (param.in !== 'formData') parameters[name] = convertParameter(ctx, param, where);
  }
  if (Object.keys(parameters).length > 0) components.parameters = parameters;
  if (Object.keys(requestBodies).length > 0) components.requestBodies = requestBodies;

  if (Object.keys(ctx.responses).length > 0) {
    const responses: JsonObject = {};
    for (const [name, response] of Object.entries(ctx.responses)) {
      responses[name] = convertResponse(ctx, response, ctx.produces, `responses.${name}`);
    }
    components.responses = responses;
  }

  const definitionsOfSecurity = objectMap(ctx.doc.securityDefinitions);
  if (Object.keys(definitionsOfSecurity).length > 0) {
    const schemes: JsonObject = {};
    for (const [name, scheme] of Object.entries(definitionsOfSecurity)) {
      schemes[name] = convertSecurityScheme(ctx, scheme, `securityDefinitions.${name}`);
    }
    components.securitySchemes = schemes;
  }
  return components;
}

function convertSecurityScheme(ctx: Context, scheme: JsonObject, where: string): JsonObject {
  const out: JsonObject = {};
  const extensions = () => {
    for (const [key, value] of Object.entries(scheme)) if (key.startsWith('x-')) out[key] = clone(value);
  };
  const description = () => {
    if (scheme.description !== undefined) out.description = scheme.description;
  };
  switch (scheme.type) {
    case 'basic':
      out.type = 'http';
      out.scheme = 'basic';
      description();
      break;
    case 'apiKey':
      out.type = 'apiKey';
      out.name = scheme.name;
      out.in = scheme.in;
      description();
      break;
    case 'oauth2': {
      out.type = 'oauth2';
      description();
      const scopes = clone(scheme.scopes ?? {});
      const flows: Record<string, [string, string[]]> = {
        implicit: ['implicit', ['authorizationUrl']],
        password: ['password', ['tokenUrl']],
        application: ['clientCredentials', ['tokenUrl']],
        accessCode: ['authorizationCode', ['authorizationUrl', 'tokenUrl']],
      };
      const flow = typeof scheme.flow === 'string' ? flows[scheme.flow] : undefined;
      if (!flow) {
        ctx.warn(`${where}: unknown oauth2 flow ${JSON.stringify(scheme.flow)}; the scheme has no flows`);
        out.flows = {};
        break;
      }
      const [name, urls] = flow;
      const converted: JsonObject = {};
      for (const url of urls) {
        if (scheme[url] === undefined)
          ctx.warn(`${where}: the ${scheme.flow} flow needs ${url}, which is missing`);
        else converted[url] = scheme[url];
      }
      converted.scopes = scopes;
      out.flows = { [name]: converted };
      break;
    }
    default:
      ctx.warn(`${where}: unknown security scheme type ${JSON.stringify(scheme.type)}; copied as it is`);
      return clone(scheme) as JsonObject;
  }
  extensions();
  return out;
}

// --- paths and operations -----------------------------------------------------------------------

function convertPaths(ctx: Context): JsonObject {
  const out: JsonObject = {};
  const paths = ctx.doc.paths;
  if (!isObject(paths)) {
    if (paths !== undefined) ctx.warn('paths: not an object; dropped');
    return out;
  }
  for (const [path, item] of Object.entries(paths)) {
    if (path.startsWith('x-')) {
      out[path] = clone(item);
      continue;
    }
    if (!isObject(item)) {
      ctx.warn(`paths.${path}: not an object; dropped`);
      continue;
    }
    out[path] = convertPathItem(ctx, item, `paths.${path}`);
  }
  return out;
}

function convertPathItem(ctx: Context, item: JsonObject, where: string): JsonObject {
  const out: JsonObject = {};
  const shared = Array.isArray(item.parameters) ? item.parameters : [];
  for (const [key, value] of Object.entries(item)) {
    if ((METHODS as readonly string[]).includes(key)) {
      if (isObject(value)) out[key] = convertOperation(ctx, value, shared, `${where}.${key}`);
      else ctx.warn(`${where}.${key}: not an object; dropped`);
    } else if (key === '$ref') {
      ctx.warn(
        `${where}.$ref: a path item in another file is kept as a reference but not converted from Swagger 2.0`,
      );
      out.$ref = typeof value === 'string' ? rewriteRef(ctx, value) : clone(value);
    } else if (key.startsWith('x-')) {
      out[key] = clone(value);
    } else if (key !== 'parameters') {
      ctx.warn(`${where}.${key}: not a Swagger 2.0 path item field; dropped`);
    }
  }
  if (item.parameters !== undefined && !Array.isArray(item.parameters)) {
    ctx.warn(`${where}.parameters: not a list; dropped`);
  }
  // Path-level parameters with no operation to carry them would vanish; keep them where they were.
  if (shared.length > 0 && !METHODS.some((method) => isObject(item[method]))) {
    out.parameters = shared.map((param, index) =>
      isObject(param) ? convertParameter(ctx, param, `${where}.parameters[${index}]`) : clone(param),
    );
  }
  return out;
}

interface Located {
  /** As written: possibly a `$ref`. */
  param: JsonObject;
  /** The parameter itself, when it could be found; undefined for a reference into another file. */
  resolved: JsonObject | undefined;
  /** Name of the global parameter, when `param` refers to one in this document. */
  refName?: string;
  where: string;
}

function convertOperation(ctx: Context, op: JsonObject, shared: unknown[], where: string): JsonObject {
  const consumes = mediaList(op.consumes) ?? ctx.consumes;
  const produces = mediaList(op.produces) ?? ctx.produces;
  const pathWhere = where.slice(0, where.lastIndexOf('.'));
  const params = mergeParameters(
    locate(ctx, shared, `${pathWhere}.parameters`),
    locate(ctx, Array.isArray(op.parameters) ? op.parameters : [], `${where}.parameters`),
  );
  if (op.parameters !== undefined && !Array.isArray(op.parameters))
    ctx.warn(`${where}.parameters: not a list; dropped`);

  const parameters: unknown[] = [];
  let requestBody: JsonObject | undefined;
  let bodyWhere = '';
  const form: Located[] = [];
  for (const entry of params) {
    const { param, resolved, where: at } = entry;
    if (!resolved) {
      parameters.push({ $ref: rewriteRef(ctx, String(param.$ref)) });
      continue;
    }
    if (resolved.in === 'body') {
      if (requestBody) {
        ctx.warn(`${at}: a second body parameter; only the first (${bodyWhere}) is kept`);
        continue;
      }
      bodyWhere = at;
      // A shared body was converted with the global consumes; an operation with its own needs its own copy.
      requestBody =
        entry.refName !== undefined && sameList(consumes, ctx.consumes)
          ? { $ref: rewriteRef(ctx, String(entry.param.$ref)) }
          : convertBody(ctx, resolved, consumes, at);
    } else if (resolved.in === 'formData') {
      form.push(entry);
    } else if (entry.refName !== undefined) {
      parameters.push({ $ref: rewriteRef(ctx, String(entry.param.$ref)) });
    } else {
      parameters.push(convertParameter(ctx, resolved, at));
    }
  }
  if (form.length > 0) {
    if (requestBody) {
      const names = form.map((entry) => entry.resolved?.name).join(', ');
      ctx.warn(
        `${where}: has both a body and formData parameters (${names}); the formData parameters are dropped`,
      );
    } else {
      requestBody = convertForm(ctx, form, consumes, where);
    }
  }

  const out: JsonObject = {};
  for (const key of ['tags', 'summary', 'description', 'externalDocs', 'operationId']) {
    if (op[key] !== undefined) out[key] = clone(op[key]);
  }
  if (parameters.length > 0) out.parameters = parameters;
  if (requestBody) out.requestBody = requestBody;
  if (isObject(op.responses)) {
    out.responses = convertResponses(ctx, op.responses, produces, `${where}.responses`);
  } else {
    ctx.warn(`${where}.responses: missing; OpenAPI requires at least one response`);
  }
  if (op.deprecated !== undefined) out.deprecated = op.deprecated;
  if (op.security !== undefined) out.security = clone(op.security);
  const schemes = stringList(op.schemes);
  if (schemes.length > 0 && !sameList(schemes, ctx.schemes)) {
    const servers = serversFor(ctx, schemes, `${where}.schemes`);
    if (servers) out.servers = servers;
  }
  for (const [key, value] of Object.entries(op)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!OPERATION_FIELDS.has(key))
      ctx.warn(`${where}.${key}: not a Swagger 2.0 operation field; dropped`);
  }
  return out;
}

function locate(ctx: Context, list: unknown[], where: string): Located[] {
  const found: Located[] = [];
  list.forEach((param, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(param)) {
      ctx.warn(`${at}: not an object; dropped`);
      return;
    }
    if (typeof param.$ref !== 'string') {
      found.push({ param, resolved: param, where: at });
      return;
    }
    const local = /^#\/parameters\/(.+)$/.exec(param.$ref);
    if (!local) {
      ctx.warn(
        `${at}: ${param.$ref} is a parameter in another file; kept as a parameter reference, so if it is a body or formData parameter it will not work`,
      );
      found.push({ param, resolved: undefined, where: at });
      return;
    }
    const name = decodePointerToken(local[1]!);
    const target = ctx.parameters[name];
    if (!target) {
      ctx.warn(`${at}: ${param.$ref} does not exist in this document; kept as a dangling reference`);
      found.push({ param, resolved: undefined, where: at });
      return;
    }
    found.push({ param, resolved: target, refName: name, where: at });
  });
  return found;
}

/** Path-level parameters first, each replaced by an operation parameter with the same name and location. */
function mergeParameters(shared: Located[], own: Located[]): Located[] {
  const key = (entry: Located) =>
    entry.resolved
      ? `${String(entry.resolved.in)}\u0000${String(entry.resolved.name)}`
      : `$ref\u0000${String(entry.param.$ref)}`;
  const ownKeys = new Set(own.map(key));
  const merged = shared.filter((entry) => !ownKeys.has(key(entry)));
  return [...merged, ...own];
}

// --- parameters ---------------------------------------------------------------------------------

function convertParameter(ctx: Context, param: JsonObject, where: string): JsonObject {
  if (typeof param.$ref === 'string') return { $ref: rewriteRef(ctx, param.$ref) };
  const location = param.in;
  const out: JsonObject = { name: param.name, in: location };
  if (param.description !== undefined) out.description = param.description;
  if (location === 'path') out.required = true;
  else if (param.required !== undefined) out.required = param.required;
  if (param.deprecated !== undefined) out.deprecated = param.deprecated;
  if (param.allowEmptyValue !== undefined) {
    if (location === 'query') out.allowEmptyValue = param.allowEmptyValue;
    else ctx.warn(`${where}: allowEmptyValue applies only to query parameters in OpenAPI 3; dropped`);
  }
  if (!['query', 'path', 'header'].includes(String(location))) {
    ctx.warn(`${where}: unknown parameter location ${JSON.stringify(location)}; kept as it is`);
  }
  const schema = valueSchema(ctx, param, where);
  if (schema.type === 'array') {
    Object.assign(out, arrayStyle(ctx, param.collectionFormat, String(location), where));
  }
  out.schema = schema;
  if (param.example !== undefined) out.example = clone(param.example);
  for (const [key, value] of Object.entries(param)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!PARAMETER_FIELDS.has(key))
      ctx.warn(`${where}.${key}: not a Swagger 2.0 parameter field; dropped`);
  }
  return out;
}

/**
 * How an array is serialized. Swagger's default is csv, which for a query string is OpenAPI's
 * `form` with `explode: false`, not OpenAPI's own default (`explode: true`), so it is always written out.
 */
function arrayStyle(ctx: Context, format: unknown, location: string, where: string): JsonObject {
  let collection = format === undefined ? 'csv' : String(format);
  if (collection === 'tsv') {
    ctx.warn(`${where}: collectionFormat tsv is not supported; treated as csv`);
    collection = 'csv';
  }
  const query = location === 'query';
  const simple = { style: 'simple', explode: false };
  switch (collection) {
    case 'csv':
      return query ? { style: 'form', explode: false } : simple;
    case 'multi':
      if (query) return { style: 'form', explode: true };
      break;
    case 'ssv':
      if (query) return { style: 'spaceDelimited', explode: false };
      break;
    case 'pipes':
      if (query) return { style: 'pipeDelimited', explode: false };
      break;
    default:
      ctx.warn(`${where}: unknown collectionFormat ${JSON.stringify(format)}; treated as csv`);
      return query ? { style: 'form', explode: false } : simple;
  }
  ctx.warn(
    `${where}: collectionFormat ${collection} is not supported in a ${location} parameter; treated as csv`,
  );
  return simple;
}

/** The `schema` of a non-body parameter or header: its value fields, as a schema. */
function valueSchema(ctx: Context, source: JsonObject, where: string): JsonObject {
  const schema: JsonObject = {};
  for (const field of VALUE_FIELDS) {
    if (source[field] === undefined) continue;
    if (field === 'items') schema.items = itemsSchema(ctx, source.items, `${where}.items`);
    else schema[field] = clone(source[field]);
  }
  if (schema.type === 'file') {
    schema.type = 'string';
    schema.format = 'binary';
  }
  return schema;
}

function itemsSchema(ctx: Context, items: unknown, where: string): unknown {
  if (!isObject(items)) return clone(items);
  if (typeof items.$ref === 'string') return { $ref: rewriteRef(ctx, items.$ref) };
  const schema = valueSchema(ctx, items, where);
  if (items.collectionFormat !== undefined && schema.type === 'array') {
    ctx.warn(
      `${where}: collectionFormat ${String(items.collectionFormat)} for nested arrays cannot be expressed in OpenAPI 3; the inner arrays use the default`,
    );
  }
  for (const [key, value] of Object.entries(items)) if (key.startsWith('x-')) schema[key] = clone(value);
  return schema;
}

function convertBody(ctx: Context, param: JsonObject, consumes: string[], where: string): JsonObject {
  const out: JsonObject = {};
  if (param.description !== undefined) out.description = param.description;
  let schema: unknown;
  if (param.schema === undefined) {
    ctx.warn(`${where}: body parameter without a schema; any value is accepted`);
    schema = {};
  } else {
    schema = convertSchema(ctx, param.schema, `${where}.schema`);
  }
  const content: JsonObject = {};
  for (const media of consumes) content[media] = { schema: clone(schema) };
  out.content = content;
  if (param.required !== undefined) out.required = param.required;
  // The body's name has no meaning in HTTP but code generators use it; this is the usual extension.
  if (typeof param.name === 'string') out['x-codegen-request-body-name'] = param.name;
  for (const [key, value] of Object.entries(param)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!PARAMETER_FIELDS.has(key))
      ctx.warn(`${where}.${key}: not a Swagger 2.0 parameter field; dropped`);
  }
  return out;
}

function convertForm(ctx: Context, fields: Located[], consumes: string[], where: string): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  const encoding: JsonObject = {};
  let hasFile = false;
  for (const { resolved, where: at } of fields) {
    const field = resolved!;
    const name = String(field.name);
    const schema = valueSchema(ctx, field, at);
    if (field.type === 'file') hasFile = true;
    if (field.description !== undefined) schema.description = field.description;
    if (field.example !== undefined) schema.example = clone(field.example);
    for (const [key, value] of Object.entries(field)) {
      if (key.startsWith('x-')) schema[key] = clone(value);
      else if (!PARAMETER_FIELDS.has(key))
        ctx.warn(`${at}.${key}: not a Swagger 2.0 parameter field; dropped`);
    }
    if (field.allowEmptyValue !== undefined) {
      ctx.warn(`${at}: allowEmptyValue cannot be expressed for a form field in OpenAPI 3; dropped`);
    }
    properties[name] = schema;
    if (field.required === true) required.push(name);
    if (schema.type === 'array') encoding[name] = arrayStyle(ctx, field.collectionFormat, 'query', at);
  }

  let media = consumes.filter((type) => type === FORM_URLENCODED || type === MULTIPART);
  if (media.length === 0) {
    media = [hasFile ? MULTIPART : FORM_URLENCODED];
  } else if (hasFile && !media.includes(MULTIPART)) {
    ctx.warn(`${where}: uploads a file but consumes only ${FORM_URLENCODED}; using ${MULTIPART}`);
    media = [MULTIPART];
  }

  const schema: JsonObject = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  const content: JsonObject = {};
  for (const type of media) {
    const entry: JsonObject = { schema: clone(schema) };
    // multipart sends each array item as its own part, so the style is only meaningful for urlencoded.
    if (type === FORM_URLENCODED && Object.keys(encoding).length > 0) entry.encoding = clone(encoding);
    content[type] = entry;
  }
  const body: JsonObject = { content };
  if (required.length > 0) body.required = true;
  return body;
}

// --- responses ----------------------------------------------------------------------------------

function convertResponses(
  ctx: Context,
  responses: JsonObject,
  produces: string[],
  where: string,
): JsonObject {
  const out: JsonObject = {};
  for (const [code, response] of Object.entries(responses)) {
    const at = `${where}.${code}`;
    if (code.startsWith('x-')) {
      out[code] = clone(response);
    } else if (!isObject(response)) {
      ctx.warn(`${at}: not an object; dropped`);
    } else if (typeof response.$ref === 'string') {
      const local = /^#\/responses\/(.+)$/.exec(response.$ref);
      const target = local ? ctx.responses[decodePointerToken(local[1]!)] : undefined;
      if (local && !target)
        ctx.warn(`${at}: ${response.$ref} does not exist in this document; kept as a dangling reference`);
      // As for bodies: a shared response was converted with the global produces.
      out[code] =
        target && !sameList(produces, ctx.produces)
          ? convertResponse(ctx, target, produces, at)
          : { $ref: rewriteRef(ctx, response.$ref) };
    } else {
      out[code] = convertResponse(ctx, response, produces, at);
    }
  }
  return out;
}

function convertResponse(ctx: Context, response: JsonObject, produces: string[], where: string): JsonObject {
  if (typeof response.$ref === 'string') return { $ref: rewriteRef(ctx, response.$ref) };
  const out: JsonObject = {};
  if (typeof response.description === 'string') out.description = response.description;
  else {
    ctx.warn(`${where}: missing description, which OpenAPI requires; left empty`);
    out.description = '';
  }
  if (isObject(response.headers)) {
    const headers: JsonObject = {};
    for (const [name, header] of Object.entries(response.headers)) {
      if (isObject(header)) headers[name] = convertHeader(ctx, header, `${where}.headers.${name}`);
    }
    out.headers = headers;
  }
  const examples = isObject(response.examples) ? response.examples : {};
  if (response.schema !== undefined || Object.keys(examples).length > 0) {
    const schema =
      response.schema === undefined ? undefined : convertSchema(ctx, response.schema, `${where}.schema`);
    const types = [...produces];
    for (const type of Object.keys(examples)) if (!types.includes(type)) types.push(type);
    const content: JsonObject = {};
    for (const type of types) {
      const entry: JsonObject = {};
      if (schema !== undefined) entry.schema = clone(schema);
      if (examples[type] !== undefined) entry.example = clone(examples[type]);
      content[type] = entry;
    }
    out.content = content;
  }
  for (const [key, value] of Object.entries(response)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!['description', 'headers', 'schema', 'examples'].includes(key)) {
      ctx.warn(`${where}.${key}: not a Swagger 2.0 response field; dropped`);
    }
  }
  return out;
}

function convertHeader(ctx: Context, header: JsonObject, where: string): JsonObject {
  const out: JsonObject = {};
  if (header.description !== undefined) out.description = header.description;
  const schema = valueSchema(ctx, header, where);
  if (schema.type === 'array') {
    const style = arrayStyle(ctx, header.collectionFormat, 'header', where);
    out.style = style.style;
    out.explode = style.explode;
  }
  out.schema = schema;
  for (const [key, value] of Object.entries(header)) {
    if (key.startsWith('x-')) out[key] = clone(value);
    else if (!HEADER_FIELDS.has(key)) ctx.warn(`${where}.${key}: not a Swagger 2.0 header field; dropped`);
  }
  return out;
}

// --- schemas ------------------------------------------------------------------------------------

const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * A Swagger 2.0 schema is nearly an OpenAPI 3.0 one. The differences: `$ref` targets move, the
 * discriminator becomes an object, `type: file` becomes binary string, and the popular
 * `x-nullable` gains its standard spelling. Literal values (examples, defaults, enums) are copied,
 * never searched for `$ref`.
 */
function convertSchema(ctx: Context, schema: unknown, where: string): unknown {
  if (!isObject(schema)) return clone(schema);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = rewriteRef(ctx, value);
    } else if (key === 'properties' && isObject(value)) {
      const properties: JsonObject = {};
      for (const [name, property] of Object.entries(value)) {
        properties[name] = convertSchema(ctx, property, `${where}.properties.${name}`);
      }
      out.properties = properties;
    } else if ((key === 'items' || key === 'not' || key === 'additionalProperties') && isObject(value)) {
      out[key] = convertSchema(ctx, value, `${where}.${key}`);
    } else if (key === 'items' && Array.isArray(value)) {
      ctx.warn(`${where}.items: a list of schemas (tuple) is not valid in OpenAPI 3.0; kept as it is`);
      out.items = value.map((item, index) => convertSchema(ctx, item, `${where}.items[${index}]`));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((item, index) => convertSchema(ctx, item, `${where}.${key}[${index}]`));
    } else if (key === 'discriminator' && typeof value === 'string') {
      out.discriminator = { propertyName: value };
    } else if (key === 'type' && value === 'file') {
      out.type = 'string';
      out.format = 'binary';
    } else if (key === 'format' && schema.type === 'file') {
      // The binary format set above wins.
    } else if (key === 'x-nullable') {
      out[key] = value;
      if (value === true) out.nullable = true;
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

/** Rewrites a `$ref`'s fragment to where Swagger 2.0 content lives in OpenAPI 3; the file part stays. */
function rewriteRef(ctx: Context, ref: string): string {
  const hash = ref.indexOf('#');
  if (hash < 0) return ref;
  const file = ref.slice(0, hash);
  const fragment = ref.slice(hash + 1);
  const move = (from: string, to: string) => `${file}#${to}${fragment.slice(from.length)}`;
  if (fragment.startsWith('/definitions/')) return move('/definitions/', '/components/schemas/');
  if (fragment.startsWith('/responses/')) return move('/responses/', '/components/responses/');
  if (fragment.startsWith('/securityDefinitions/')) {
    return move('/securityDefinitions/', '/components/securitySchemes/');
  }
  if (fragment.startsWith('/parameters/')) {
    const name = decodePointerToken(fragment.slice('/parameters/'.length).split('/')[0]!);
    // Only this document's parameters can be looked at; another file's are assumed not to be bodies.
    const body = file === '' && ctx.parameters[name]?.in === 'body';
    return move('/parameters/', body ? '/components/requestBodies/' : '/components/parameters/');
  }
  return ref;
}

// --- helpers ------------------------------------------------------------------------------------

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function objectMap(value: unknown): Record<string, JsonObject> {
  if (!isObject(value)) return {};
  const out: Record<string, JsonObject> = {};
  for (const [key, entry] of Object.entries(value)) if (isObject(entry)) out[key] = entry;
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function mediaList(value: unknown): string[] | undefined {
  const list = stringList(value);
  return list.length > 0 ? list : undefined;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function decodePointerToken(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // A stray % is taken literally.
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

function clone<T>(value: T): T {
  return value === null || typeof value !== 'object' ? value : structuredClone(value);
}
