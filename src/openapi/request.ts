/**
 * The request an operation's tool call sends: base URL, path, query, headers, cookies and body, each
 * serialized as the spec describes. Pure: no network. Arguments are validated before they get here;
 * what validation cannot see (a path that would leave the base path, a header that would inject
 * another) is refused here with a ToolArgumentError.
 */
import { randomBytes } from 'node:crypto';
import { ToolArgumentError, UsageError } from '../errors.js';
import type { BuiltRequest, RequestBody } from './call-types.js';
import {
  isJsonMediaType,
  isPlainObject,
  jsonType,
  percentEncode,
  scalarText,
  serializeCookie,
  serializeHeader,
  serializePath,
  serializeQuery,
} from './serialize.js';
import type { ApiInfo, Catalog, JsonObject, Operation, OperationParameter } from './types.js';

const DEFAULT_ACCEPT = 'application/json, */*;q=0.8';
// Characters a literal part of a path template may keep: RFC 3986 pchar and `/`; `%` only as a
// valid escape (checked apart).
const NOT_PATH_CHAR = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu;
const EXPRESSION = /\{([^{}]+)\}/g;

/**
 * The URL the operation's path is appended to. `override` (from --base-url or the API's `baseUrl`
 * in headroom.yml) wins; else the operation's first server, else the API's, with `{variables}`
 * replaced by their defaults. A trailing slash is stripped from the path.
 */
export function resolveBaseUrl(api: ApiInfo, op: Operation, override?: string): URL {
  const fix = `set --base-url (or baseUrl for '${api.name}' under openapi.apis in headroom.yml) to the API's absolute URL`;
  let text: string;
  let from: string;
  if (override !== undefined && override.trim() !== '') {
    text = override.trim();
    from = 'the configured base URL';
  } else {
    const server = op.servers?.[0] ?? api.servers[0]?.url;
    if (server === undefined) throw new UsageError(`the spec of API '${api.name}' lists no servers; ${fix}`);
    text = substituteVariables(server, api);
    from = op.servers?.[0] === undefined ? "the spec's first server URL" : `the server URL of ${op.name}`;
  }
  const unknown = /\{[^{}]*\}/.exec(text);
  if (unknown) {
    throw new UsageError(
      `${from} '${hideUserinfo(text)}' uses the variable ${unknown[0]}, which has no default in the spec; ${fix}`,
    );
  }
  if (text.startsWith('/') || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) {
    throw new UsageError(`${from} '${hideUserinfo(text)}' is relative, so there is no host to call; ${fix}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${from} '${hideUserinfo(text)}' is not a valid URL; ${fix}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${from} '${hideUserinfo(text)}' uses ${url.protocol.slice(0, -1)}, but only http and https can be called; ${fix}`,
    );
  }
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url;
}

/** `{name}` in a server URL becomes its default; operation servers borrow the API's definitions. */
function substituteVariables(url: string, api: ApiInfo): string {
  return url.replace(EXPRESSION, (whole, name: string) => {
    for (const server of api.servers) {
      const variable = server.variables?.[name];
      if (variable) return variable.default;
    }
    return whole;
  });
}

/** A URL for messages: a password or user name in it is replaced. */
function hideUserinfo(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, '$1***@');
}

export interface BuildOptions {
  /** The catalog's shared definitions: lets a multipart body find which fields are files behind a `$ref`. */
  definitions?: Catalog['definitions'];
}

/**
 * The request for one call of `op`. `args` are validated and hold neither `_fields` nor `_query`.
 * Throws a ToolArgumentError for a missing path parameter or required body, a path value that would
 * leave its segment, or a header value that would inject another header.
 */
export function buildRequest(
  op: Operation,
  args: Record<string, unknown>,
  baseUrl: URL,
  options: BuildOptions = {},
): BuiltRequest {
  const method = op.method.toUpperCase();
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const queryAt = op.path.indexOf('?');
  const template = queryAt < 0 ? op.path : op.path.slice(0, queryAt);
  const path = basePath + buildPath(op, template, args);

  // The base URL's own query (an `api-version=` in --base-url) and one written into the spec's path
  // come first; the parameters follow.
  const query: string[] = [];
  if (baseUrl.search.length > 1) query.push(baseUrl.search.slice(1));
  if (queryAt >= 0 && queryAt < op.path.length - 1) query.push(op.path.slice(queryAt + 1));
  const headers: Record<string, string> = { accept: acceptHeader(op) };
  const cookies: string[] = [];
  for (const param of op.parameters) {
    if (param.in === 'path') continue;
    const value = args[param.argument];
    if (param.required && (value === undefined || value === null)) throw missing(param);
    if (param.in === 'query') query.push(...serializeQuery(param, value));
    else if (param.in === 'cookie') cookies.push(...serializeCookie(param, value));
    else {
      const text = serializeHeader(param, value);
      if (text !== undefined) headers[param.name.toLowerCase()] = text;
    }
  }
  if (cookies.length > 0) headers.cookie = cookies.join('; ');

  const url = new URL(baseUrl.href);
  url.hash = '';
  url.pathname = path;
  url.search = query.length > 0 ? `?${query.join('&')}` : '';
  // The path was encoded so that the URL parser has nothing to change; if it changed anything
  // (resolved a dot segment, say), the request would go somewhere the call did not ask for.
  if (url.origin !== baseUrl.origin || url.pathname !== (path || '/') || !within(url.pathname, basePath)) {
    throw new ToolArgumentError(
      `the path arguments of ${op.name} would change the URL path to '${url.pathname}' rather than '${path}'; ` +
        'pass plain values for path parameters',
    );
  }
  const request: BuiltRequest = { method, url, headers };
  if (method !== 'GET' && method !== 'HEAD' && op.body) {
    const body = buildBody(op, args.body, options.definitions);
    if (body) request.body = body;
  }
  return request;
}

function within(pathname: string, basePath: string): boolean {
  return basePath === '' || pathname === basePath || pathname.startsWith(`${basePath}/`);
}

function missing(param: OperationParameter): ToolArgumentError {
  return new ToolArgumentError(
    `missing required argument '${param.argument}' (the ${param.in} parameter '${param.name}')`,
  );
}

/**
 * The template with each `{name}` replaced, segment by segment. A segment that would come out as
 * `.` or `..` is refused: URL parsers resolve those (even as `%2E`) to "this" or "the parent"
 * directory, so no encoding can send them as a value.
 */
function buildPath(op: Operation, template: string, args: Record<string, unknown>): string {
  const params = new Map<string, OperationParameter>();
  for (const param of op.parameters) if (param.in === 'path') params.set(param.name, param);
  const segments = template.split('/').map((segment) => {
    const used: string[] = [];
    let last = 0;
    let out = '';
    for (const match of segment.matchAll(EXPRESSION)) {
      out += encodeLiteral(segment.slice(last, match.index));
      last = match.index + match[0].length;
      const name = match[1] as string;
      const param = params.get(name);
      const value = param ? args[param.argument] : undefined;
      if (!param || value === undefined || value === null) {
        const argument = param?.argument ?? name;
        throw new ToolArgumentError(
          `missing required argument '${argument}' (the path parameter {${name}} of ${op.method.toUpperCase()} ${op.path})`,
        );
      }
      used.push(param.argument);
      out += serializePath(param, value);
    }
    out += encodeLiteral(segment.slice(last));
    if (used.length > 0 && out === '') {
      throw new ToolArgumentError(
        `path argument ${used.map((a) => `'${a}'`).join(', ')} is empty, which would leave its path segment empty ` +
          `and call another resource than ${op.path}; pass a value`,
      );
    }
    if (used.length > 0 && (out === '.' || out === '..')) {
      throw new ToolArgumentError(
        `path argument ${used.map((a) => `'${a}'`).join(', ')} makes the path segment '${out}', which URLs read as ` +
          `${out === '.' ? 'the current' : 'the parent'} directory even when encoded; it cannot be sent as a value`,
      );
    }
    return out;
  });
  const joined = segments.join('/');
  return joined.startsWith('/') || joined === '' ? joined : `/${joined}`;
}

function encodeLiteral(text: string): string {
  return text.replace(NOT_PATH_CHAR, (char) => percentEncode(char));
}

/** The media types of the 2xx responses, JSON first; a JSON-leaning default when there are none. */
export function acceptHeader(op: Operation): string {
  const types = new Set<string>();
  for (const response of op.responses) {
    if (!response.status.startsWith('2')) continue;
    for (const type of response.mediaTypes) types.add(type);
  }
  if (types.size === 0) return DEFAULT_ACCEPT;
  const list = [...types];
  return [...list.filter(isJsonMediaType), ...list.filter((t) => !isJsonMediaType(t))].join(', ');
}

/**
 * The body from the `body` argument, in the first of the operation's media types that can be built
 * (the catalog ranks them JSON first, and the `body` schema describes that first one).
 */
function buildBody(
  op: Operation,
  value: unknown,
  definitions?: Catalog['definitions'],
): RequestBody | undefined {
  const spec = op.body!;
  if (value === undefined) {
    if (!spec.required) return undefined;
    throw new ToolArgumentError(
      `missing required argument 'body' (the request body of ${op.method.toUpperCase()} ${op.path})`,
    );
  }
  const mediaType = spec.mediaTypes.find(isBuildable) ?? spec.mediaTypes[0] ?? 'application/json';
  const base = baseType(mediaType);
  if (isJsonMediaType(base))
    return { contentType: mediaType, data: Buffer.from(JSON.stringify(value), 'utf8') };
  if (base === 'application/x-www-form-urlencoded') return formBody(mediaType, value);
  if (base === 'multipart/form-data') return multipartBody(op, value, definitions);
  if (base.startsWith('text/')) return textBody(mediaType, value);
  const concrete = !base.includes('*');
  if (
    resolveSchema(spec.schema, op, definitions)?.contentEncoding === 'base64' &&
    typeof value === 'string'
  ) {
    return {
      contentType: concrete ? mediaType : 'application/octet-stream',
      data: decodeBase64(value, 'body'),
    };
  }
  if (typeof value === 'string')
    return concrete
      ? { contentType: mediaType, data: Buffer.from(value, 'utf8') }
      : textBody('text/plain', value);
  if (!concrete) return { contentType: 'application/json', data: Buffer.from(JSON.stringify(value), 'utf8') };
  throw new ToolArgumentError(
    `body: ${op.name} sends its body as ${mediaType}, which cannot be built from ${jsonType(value)}; pass the body as a string already in ${mediaType}`,
  );
}

/** A media type this module can encode: any concrete type but a multipart other than form-data. */
function isBuildable(mediaType: string): boolean {
  const base = baseType(mediaType);
  return !base.includes('*') && (!base.startsWith('multipart/') || base === 'multipart/form-data');
}

function baseType(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

function textBody(mediaType: string, value: unknown): RequestBody {
  const contentType = /;\s*charset=/i.test(mediaType) ? mediaType : `${mediaType}; charset=utf-8`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { contentType, data: Buffer.from(text, 'utf8') };
}

/** Form fields: lists repeat their key, nested objects travel as JSON text, null fields are left out. */
function formBody(mediaType: string, value: unknown): RequestBody {
  if (typeof value === 'string') return { contentType: mediaType, data: Buffer.from(value, 'utf8') };
  if (!isPlainObject(value)) {
    throw new ToolArgumentError(
      `body: must be an object of form fields for ${mediaType} (got ${jsonType(value)})`,
    );
  }
  const pairs: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    for (const item of Array.isArray(field) ? field : [field]) {
      if (item === undefined || item === null) continue;
      pairs.push(`${percentEncode(key)}=${percentEncode(scalarText(item))}`);
    }
  }
  return { contentType: mediaType, data: Buffer.from(pairs.join('&'), 'utf8') };
}

/**
 * One part per field: scalars as text, objects and lists as JSON, and fields whose schema says
 * `contentEncoding: base64` (or a list of them) as decoded file parts named after the field.
 */
function multipartBody(op: Operation, value: unknown, definitions?: Catalog['definitions']): RequestBody {
  if (!isPlainObject(value)) {
    throw new ToolArgumentError(
      `body: must be an object of form fields for multipart/form-data (got ${jsonType(value)})`,
    );
  }
  const boundary = `headroom-${randomBytes(16).toString('hex')}`;
  const properties = bodyProperties(op, definitions);
  const chunks: Buffer[] = [];
  const part = (field: string, data: Buffer, contentType?: string, file?: boolean): void => {
    const name = quoteFieldName(field);
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
    if (file) head += `; filename="${name}"`;
    if (contentType) head += `\r\nContent-Type: ${contentType}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), data, Buffer.from('\r\n', 'utf8'));
  };
  for (const [field, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    const schema = resolveSchema(properties[field], op, definitions);
    const itemSchema = resolveSchema(schema?.items, op, definitions);
    if (isFileSchema(schema) && typeof item === 'string') {
      part(field, fileData(schema!, item, `body.${field}`), fileType(schema!), true);
    } else if (isFileSchema(itemSchema) && Array.isArray(item) && item.every((i) => typeof i === 'string')) {
      for (const [n, file] of item.entries()) {
        part(
          field,
          fileData(itemSchema!, file as string, `body.${field}[${n}]`),
          fileType(itemSchema!),
          true,
        );
      }
    } else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      part(field, Buffer.from(String(item), 'utf8'));
    } else {
      part(field, Buffer.from(JSON.stringify(item), 'utf8'), 'application/json');
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/form-data; boundary=${boundary}`, data: Buffer.concat(chunks) };
}

// As browsers do (WHATWG multipart/form-data encoding): a quote or line break cannot end the header.
function quoteFieldName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A file field: base64 text (`contentEncoding: base64`) or, for OpenAPI 3.0's `format: binary`, raw text. */
function isFileSchema(schema: JsonObject | undefined): boolean {
  return schema !== undefined && (schema.contentEncoding === 'base64' || schema.format === 'binary');
}

function fileData(schema: JsonObject, text: string, what: string): Buffer {
  return schema.contentEncoding === 'base64' ? decodeBase64(text, what) : Buffer.from(text, 'utf8');
}

function fileType(schema: JsonObject): string {
  const type = schema.contentMediaType;
  return typeof type === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'application/octet-stream';
}

/** The body schema's properties, through `$ref`s and one level of `allOf`. */
function bodyProperties(op: Operation, definitions?: Catalog['definitions']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const schema = resolveSchema(op.body?.schema, op, definitions);
  const members = [schema, ...(Array.isArray(schema?.allOf) ? schema.allOf : [])];
  for (const member of members) {
    const properties = resolveSchema(member, op, definitions)?.properties;
    if (isPlainObject(properties)) Object.assign(out, properties);
  }
  return out;
}

const MAX_REF_HOPS = 16;

/**
 * Follows `#/$defs/<key>` refs into the operation's own `$defs`, then the catalog's definitions when
 * given; undefined for anything else (the field is then sent as text or JSON).
 */
function resolveSchema(
  schema: unknown,
  op: Operation,
  definitions?: Catalog['definitions'],
): JsonObject | undefined {
  let current = schema;
  for (let hop = 0; hop < MAX_REF_HOPS && isPlainObject(current) && typeof current.$ref === 'string'; hop++) {
    const ref = current.$ref;
    if (!ref.startsWith('#/$defs/')) return undefined;
    const key = ref.slice(8).replace(/~1/g, '/').replace(/~0/g, '~');
    const local = op.inputSchema.$defs;
    current =
      isPlainObject(local) && Object.hasOwn(local, key)
        ? local[key]
        : definitions && Object.hasOwn(definitions, key)
          ? definitions[key]?.schema
          : undefined;
  }
  return isPlainObject(current) && typeof current.$ref !== 'string' ? current : undefined;
}

/**
 * Base64 (standard or URL-safe, padded or not, line breaks allowed; a `data:...;base64,` prefix is
 * dropped) to bytes. Anything else is refused: decoding it leniently would send corrupt bytes.
 */
export function decodeBase64(text: string, what: string): Buffer {
  let data = text.trim();
  const prefix = /^data:[^,]*;base64,/i.exec(data);
  if (prefix) data = data.slice(prefix[0].length);
  data = data.replace(/\s+/g, '');
  const bad = /[^A-Za-z0-9+/\-_=]/.exec(data);
  const unpadded = data.replace(/={1,2}$/, '');
  if (bad || unpadded.includes('=') || unpadded.length % 4 === 1) {
    const where = bad
      ? `: '${bad[0]}' at position ${bad.index} is not a base64 character`
      : ': its length is not that of base64';
    throw new ToolArgumentError(
      `${what}: must be base64-encoded bytes${where}; encode the content as base64`,
    );
  }
  return Buffer.from(unpadded, 'base64');
}
