/**
 * One error base with a stable `code` per kind, so callers match on codes rather than on messages.
 * Every message says what went wrong, where, and what to do about it.
 */
export class HeadroomError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A command line that cannot be run: unknown command or option, missing or malformed value. */
export class UsageError extends HeadroomError {
  constructor(message: string) {
    super('HR_USAGE', message);
  }
}

/** A configuration value that fails validation; `setting` is the dotted path, `source` where it came from. */
export class ConfigError extends HeadroomError {
  readonly setting: string;
  readonly source: string;

  constructor(setting: string, source: string, message: string) {
    super('HR_CONFIG_INVALID', message);
    this.setting = setting;
    this.source = source;
  }
}

/** Memory use is over the budget even after a garbage collection, or an admission would exceed it. */
export class BudgetExceededError extends HeadroomError {
  readonly usedBytes: number;
  readonly budgetBytes: number;

  constructor(message: string, usedBytes: number, budgetBytes: number) {
    super('HR_BUDGET_EXCEEDED', message);
    this.usedBytes = usedBytes;
    this.budgetBytes = budgetBytes;
  }
}

/** A circuit breaker is open and rejected the call without running it. */
export class CircuitOpenError extends HeadroomError {
  readonly circuit: string;
  readonly retryAfterMs: number;

  constructor(circuit: string, message: string, retryAfterMs: number, cause?: unknown) {
    super('HR_CIRCUIT_OPEN', message, { cause });
    this.circuit = circuit;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Work refused by a breaker because memory pressure is at or above its threshold. */
export class MemoryPressureError extends HeadroomError {
  constructor(message: string) {
    super('HR_MEMORY_PRESSURE', message);
  }
}

/** A bounded pool has every item in use. */
export class PoolExhaustedError extends HeadroomError {
  constructor(message: string) {
    super('HR_POOL_EXHAUSTED', message);
  }
}

/** Malformed JSON in a stream; `byteOffset` is counted from the first byte of the stream. */
export class JsonStreamError extends HeadroomError {
  readonly byteOffset: number;

  constructor(message: string, byteOffset: number, cause?: unknown) {
    super('HR_JSON_INVALID', message, { cause });
    this.byteOffset = byteOffset;
  }
}

/** A single streamed item is larger than the configured cap. */
export class ItemTooLargeError extends HeadroomError {
  readonly byteOffset: number;
  readonly limitBytes: number;

  constructor(message: string, byteOffset: number, limitBytes: number) {
    super('HR_ITEM_TOO_LARGE', message);
    this.byteOffset = byteOffset;
    this.limitBytes = limitBytes;
  }
}

/** A batch of `processInBatches` failed; `batchIndex` is zero-based. */
export class BatchError extends HeadroomError {
  readonly batchIndex: number;

  constructor(message: string, batchIndex: number, cause: unknown) {
    super('HR_BATCH_FAILED', message, { cause });
    this.batchIndex = batchIndex;
  }
}

/** Work stopped because its AbortSignal fired. */
export class AbortedError extends HeadroomError {
  constructor(message: string, cause?: unknown) {
    super('HR_ABORTED', message, { cause });
  }
}

/** Throws an AbortedError naming `what` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled`, signal.reason);
}

/** Where in a specification a problem is: 1-based line and column, or a JSON pointer into the document. */
export interface SpecLocation {
  line?: number;
  column?: number;
  pointer?: string;
}

/**
 * A specification that cannot be read, parsed or used. `source` is how the user named it (path, URL
 * or `-`); the location, when known, is also in the message, for people, and here, for tools.
 */
export class SpecError extends HeadroomError {
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
  readonly pointer?: string;

  constructor(source: string, message: string, location: SpecLocation = {}, cause?: unknown) {
    super('HR_SPEC_INVALID', message, { cause });
    this.source = source;
    this.line = location.line;
    this.column = location.column;
    this.pointer = location.pointer;
  }
}

/**
 * A specification larger than the configured cap. For a stream, `sizeBytes` is what had arrived when
 * reading stopped: the real size is at least that.
 */
export class SpecTooLargeError extends HeadroomError {
  readonly source: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(source: string, message: string, sizeBytes: number, limitBytes: number) {
    super('HR_SPEC_TOO_LARGE', message);
    this.source = source;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** Tool arguments that do not fit the tool (a missing or mistyped argument). */
export class ToolArgumentError extends HeadroomError {
  constructor(message: string) {
    super('HR_TOOL_ARGUMENTS', message);
  }
}

/** A tool call named an operation the catalog does not have. */
export class UnknownOperationError extends HeadroomError {
  constructor(message: string) {
    super('HR_UNKNOWN_OPERATION', message);
  }
}

/** A capability that this version does not have yet (calling the upstream API, until issue 4). */
export class NotImplementedError extends HeadroomError {
  constructor(message: string) {
    super('HR_NOT_IMPLEMENTED', message);
  }
}

/** A cached search index that cannot be used; the caller rebuilds it. */
export class SearchIndexError extends HeadroomError {
  constructor(message: string) {
    super('HR_SEARCH_INDEX_INVALID', message);
  }
}

/** The HTTP transport could not listen on its address. */
export class ListenError extends HeadroomError {
  constructor(message: string, cause?: unknown) {
    super('HR_LISTEN_FAILED', message, { cause });
  }
}

/**
 * The upstream API could not be used: connection refused or reset, a timeout, a refused redirect,
 * a response over a limit. `code` tells which; the message says what to do.
 */
export class UpstreamError extends HeadroomError {
  /** The HTTP status when one arrived. */
  readonly status?: number;

  constructor(code: UpstreamErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

export type UpstreamErrorCode =
  | 'HR_UPSTREAM_UNREACHABLE'
  | 'HR_UPSTREAM_TIMEOUT'
  | 'HR_UPSTREAM_REDIRECT_REFUSED'
  | 'HR_RESPONSE_TOO_LARGE'
  | 'HR_DECOMPRESSION_RATIO';

/** A credential a call needs is not configured (the message names the environment variable). */
export class AuthMissingError extends HeadroomError {
  constructor(message: string) {
    super('HR_AUTH_MISSING', message);
  }
}

/** A credential could not be obtained (an OAuth2 token endpoint refused or failed). */
export class AuthFailedError extends HeadroomError {
  constructor(message: string, cause?: unknown) {
    super('HR_AUTH_FAILED', message, { cause });
  }
}

/** `_query` is not a valid JMESPath expression, or needs more of the response than may be held. */
export class QueryError extends HeadroomError {
  constructor(message: string) {
    super('HR_QUERY_INVALID', message);
  }
}

/** `read_result` named a cursor that does not exist or has expired. */
export class CursorError extends HeadroomError {
  constructor(message: string) {
    super('HR_CURSOR_UNKNOWN', message);
  }
}

/** The spill store's disk budget is used up; the part of a response beyond it was not kept. */
export class SpillFullError extends HeadroomError {
  constructor(message: string) {
    super('HR_SPILL_FULL', message);
  }
}

/**
 * A topology input that cannot be used: a snapshot line, a record field, a generator option.
 * `source` names the file (or `generator`); `line` is 1-based for NDJSON, `pointer` a JSON pointer.
 */
export class TopologyError extends HeadroomError {
  readonly source: string;
  readonly line?: number;
  readonly pointer?: string;

  constructor(source: string, message: string, location: { line?: number; pointer?: string } = {}) {
    super('HR_TOPOLOGY_INVALID', message);
    this.source = source;
    this.line = location.line;
    this.pointer = location.pointer;
  }
}

/** A Cloud WAN core network policy that fails structural validation; `pointer` is where. */
export class PolicyError extends HeadroomError {
  readonly source: string;
  readonly pointer?: string;

  constructor(source: string, message: string, pointer?: string) {
    super('HR_POLICY_INVALID', message);
    this.source = source;
    this.pointer = pointer;
  }
}

/**
 * A Cloud WAN question that cannot be answered as asked: an unknown id, an address outside every
 * CIDR, a discovery that found no core network. The message says what was looked for and what exists.
 */
export class CloudWanError extends HeadroomError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('HR_CLOUDWAN', message, options);
  }
}
