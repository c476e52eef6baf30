/**
 * The shapes that flow through the OpenAPI pipeline:
 * load -> (convert Swagger 2.0) -> resolve and build the catalog -> optimize -> cache -> serve.
 */

export type JsonObject = Record<string, unknown>;

/** A specification document as read, before any conversion. */
export interface LoadedSpec {
  /** How the user named it: a path, a URL, or `-` for stdin. For messages. */
  source: string;
  /** The absolute file path, for relative `$ref`s; undefined for URLs and stdin. */
  file?: string;
  /** The base URL for relative `$ref`s when the spec came from a URL. */
  url?: string;
  format: 'json' | 'yaml';
  /** Bytes read. */
  bytes: number;
  /** The bytes' content hash (SpecCache.contentHash), hex: the cache key's main part. */
  hash: string;
  /** The parsed document. */
  document: JsonObject;
  /** `2.0`, `3.0.x` or `3.1.x`, as the document declares it. */
  version: string;
}

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** One operation parameter, as the request builder needs it. */
export interface OperationParameter {
  name: string;
  in: ParameterLocation;
  /** The property name in the tool's arguments (usually `name`; renamed when two locations clash). */
  argument: string;
  required: boolean;
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
  /** For a parameter described by `content`: its media type (the value is serialized as that). */
  contentType?: string;
  /** The JSON Schema of the value, with `$ref`s into the tool schema's `$defs`. */
  schema: JsonObject;
  description?: string;
}

export interface OperationBody {
  required: boolean;
  /** Media types the operation accepts, preferred first. */
  mediaTypes: string[];
  schema: JsonObject;
  description?: string;
}

export interface OperationResponse {
  status: string;
  mediaTypes: string[];
  /** Present when a JSON response has a schema (for structured output). */
  schema?: JsonObject;
}

/** An operation of the API: everything needed to list it as a tool and to call it. */
export interface Operation {
  /** The tool name: sanitized, unique, at most the configured length. */
  name: string;
  /** The API this operation belongs to (its prefix when several are served). */
  api: string;
  method: string;
  path: string;
  operationId?: string;
  title: string;
  summary?: string;
  description?: string;
  tags: string[];
  deprecated: boolean;
  parameters: OperationParameter[];
  body?: OperationBody;
  responses: OperationResponse[];
  /** Security requirements: alternatives, each a set of scheme names (with scopes). */
  security: Array<Record<string, string[]>>;
  /** Server URLs for this operation when it overrides the API's. */
  servers?: string[];
  /**
   * The tool's input schema: always `type: object`. Its `$ref`s point into `#/$defs/`, which is
   * filled from the catalog's shared definitions when the tool is listed (see tool-schema.ts).
   */
  inputSchema: JsonObject;
  /** Keys of the shared definitions the input schema refers to directly. */
  defs: string[];
  /**
   * The schema of the first 2xx JSON response, when output schemas were asked for
   * (`--structured-output`); its `$ref`s point into the shared definitions like the input's.
   */
  outputSchema?: JsonObject | boolean;
  /** Keys of the shared definitions the output schema refers to directly. */
  outputDefs?: string[];
}

/** A shared schema that tool schemas refer to, translated to JSON Schema 2020-12. */
export interface SchemaDefinition {
  schema: JsonObject | boolean;
  /** Keys of the definitions this one refers to directly. */
  refs: string[];
  /** Bytes of its JSON. */
  bytes: number;
}

export interface ApiInfo {
  /** Short name, used as the tool prefix when several APIs are served. */
  name: string;
  title: string;
  version: string;
  description?: string;
  servers: Array<{ url: string; variables?: Record<string, { default: string; enum?: string[] }> }>;
  securitySchemes: Record<string, JsonObject>;
}

/** What a spec becomes: the API and its operations. This is what the cache stores. */
export interface Catalog {
  api: ApiInfo;
  operations: Operation[];
  /** The shared schemas the operations' input schemas refer to, by key. */
  definitions: Record<string, SchemaDefinition>;
  /** Problems that did not stop the build (a dangling `$ref` in one operation, a bad parameter). */
  warnings: string[];
}
