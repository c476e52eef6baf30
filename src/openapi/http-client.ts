/**
 * Sends the built requests of `headroom openapi` tool calls: one bounded keep-alive undici Pool per
 * origin, retries of idempotent calls, redirects followed by hand (so that credentials never follow
 * one to another origin), and a response body that is pulled from the socket as it is read, decoded
 * and guarded by the size and decompression-ratio limits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, Pool } from 'undici';
import { AbortedError, UpstreamError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { formatCount } from '../util/count.js';
import type { BuiltRequest, UpstreamResponse } from './call-types.js';
import { decodeBody, decodingPlan } from './decode.js';
import { onBaselineTier } from './llhttp-tier.js';
import { destroy, ResponseBody, SocketChunks, settle } from './response-body.js';

export interface HttpClientOptions {
  /** Default 10_000. */
  connectTimeoutMs?: number;
  /** Time to the response headers. Default 30_000. */
  headersTimeoutMs?: number;
  /** Longest gap between two body chunks. Default 30_000. */
  bodyTimeoutMs?: number;
  /** Default 2. */
  maxRetries?: number;
  /** First backoff delay, doubled on each retry, with jitter. Default 250. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry; a Retry-After beyond it is not waited for: the response is returned. Default 30_000. */
  maxRetryDelayMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Default false. */
  allowCrossOriginRedirects?: boolean;
  /** Of the decoded body. Default 1 GiB. */
  maxResponseBytes?: number;
  /** Decoded / encoded bytes, checked once the decoded size passes 1 MiB. Default 200. */
  maxDecompressionRatio?: number;
  /** Default 64: a response being spilled holds its connection until its body ends. */
  connectionsPerOrigin?: number;
}

export type ResolvedHttpClientOptions = Required<HttpClientOptions>;

export const DEFAULT_HTTP_CLIENT_OPTIONS: Readonly<ResolvedHttpClientOptions> = Object.freeze({
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  maxRetries: 2,
  retryBaseDelayMs: 250,
  maxRetryDelayMs: 30_000,
  maxRedirects: 5,
  allowCrossOriginRedirects: false,
  maxResponseBytes: 1024 ** 3,
  maxDecompressionRatio: 200,
  connectionsPerOrigin: 64,
});

/** Pool figures of one origin. */
export interface OriginStats {
  /** Open sockets. */
  connected: number;
  /** Open sockets without a request. */
  free: number;
  /** Requests waiting for a socket. */
  pending: number;
  /** Requests in flight. */
  running: number;
  /** Requests in flight or waiting. */
  size: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** Bodies of responses that are retried or redirected are read up to this, so the socket is reused. */
const DUMP_LIMIT_BYTES = 64 * 1024;

export class HttpClient {
  readonly #options: ResolvedHttpClientOptions;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  constructor(options: HttpClientOptions = {}) {
    this.#options = resolveOptions(options);
  }

  async send(request: BuiltRequest, options: { signal?: AbortSignal } = {}): Promise<UpstreamResponse> {
    const { signal } = options;
    if (this.#closed) throw new Error(`${describe(request)}: the HTTP client is closed; create a new one`);
    if (request.url.protocol !== 'http:' && request.url.protocol !== 'https:') {
      throw new UpstreamError(
        'HR_UPSTREAM_UNREACHABLE',
        `${describe(request)}: cannot call an API over ${request.url.protocol}; only http and https are supported`,
      );
    }
    if (signal?.aborted) throw cancelled(request, signal);
    let current = request;
    for (let redirects = 0; ; redirects++) {
      const response = await this.#sendWithRetries(current, signal);
      const next = this.#redirectTarget(current, response, redirects);
      if (next === undefined) return this.#toUpstream(current, response, signal);
      await dump(response.body, signal);
      current = next;
    }
  }

  /** Pool figures for monitoring, by origin. */
  stats(): Record<string, OriginStats> {
    const stats: Record<string, OriginStats> = {};
    for (const [origin, pool] of this.#pools) {
      const { connected, free, pending, running, size } = pool.stats;
      stats[origin] = { connected, free, pending, running, size };
    }
    return stats;
  }

  /** Lets requests in flight finish, then closes every connection. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  #pool(origin: string): Pool {
    // A retry or redirect still running when close() came must not open a new pool.
    if (this.#closed) throw new Error(`the HTTP client was closed; no new connection to ${origin}`);
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.#options.connectionsPerOrigin,
        connect: { timeout: this.#options.connectTimeoutMs },
        headersTimeout: this.#options.headersTimeoutMs,
        bodyTimeout: this.#options.bodyTimeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async #sendWithRetries(request: BuiltRequest, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    const retryable = IDEMPOTENT.has(request.method);
    for (let attempt = 0; ; attempt++) {
      const canRetry = retryable && attempt < this.#options.maxRetries;
      let response: Dispatcher.ResponseData;
      try {
        response = await this.#dispatch(request, signal);
      } catch (error) {
        const failure = beforeResponseError(request, error, this.#options, signal);
        if (!canRetry || failure instanceof AbortedError || !isRetryableFailure(error)) throw failure;
        await this.#wait(this.#backoff(attempt), request, signal);
        continue;
      }
      if (!canRetry || !RETRY_STATUSES.has(response.statusCode)) return response;
      const delay = this.#retryDelay(response, attempt);
      if (delay === undefined) return response;
      await dump(response.body, signal);
      await this.#wait(delay, request, signal);
    }
  }

  #dispatch(request: BuiltRequest, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...request.headers };
    if (headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'gzip, deflate, br';
    if (request.body !== undefined) headers['content-type'] = request.body.contentType;
    const pool = this.#pool(request.url.origin);
    return onBaselineTier(() =>
      pool.request({
        method: request.method as Dispatcher.HttpMethod,
        path: `${request.url.pathname}${request.url.search}`,
        headers,
        body: request.body?.data ?? null,
        signal: signal ?? null,
      }),
    );
  }

  /** Milliseconds to wait before retrying `response`, or undefined to return it as it is. */
  #retryDelay(response: Dispatcher.ResponseData, attempt: number): number | undefined {
    const retryAfter = parseRetryAfter(headerText(response.headers['retry-after']), Date.now());
    if (retryAfter === undefined) return this.#backoff(attempt);
    return retryAfter <= this.#options.maxRetryDelayMs ? retryAfter : undefined;
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#options.maxRetryDelayMs, this.#options.retryBaseDelayMs * 2 ** attempt);
    // Jitter spreads the retries of many clients that failed together.
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }

  async #wait(ms: number, request: BuiltRequest, signal?: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw cancelled(request, signal);
      throw error;
    }
  }

  /** The request that follows a redirect, or undefined when `response` is not one to follow. */
  #redirectTarget(
    request: BuiltRequest,
    response: Dispatcher.ResponseData,
    redirects: number,
  ): BuiltRequest | undefined {
    const status = response.statusCode;
    const location = headerText(response.headers.location);
    if (!REDIRECT_STATUSES.has(status) || location === undefined) return undefined;
    let target: URL;
    try {
      target = new URL(location, request.url);
    } catch {
      return undefined; // A Location that is not a URL: the caller gets the 3xx as it is.
    }
    const refuse = (message: string) => {
      destroy(response.body);
      return new UpstreamError('HR_UPSTREAM_REDIRECT_REFUSED', `${describe(request)}: ${message}`, {
        status,
      });
    };
    if (redirects >= this.#options.maxRedirects) {
      throw refuse(
        `more than ${this.#options.maxRedirects} redirects (the last answer was ${status} to ${target.origin}${target.pathname}); check the base URL`,
      );
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw refuse(`redirected (${status}) to a ${target.protocol} URL, which cannot be followed`);
    }
    const crossOrigin = target.origin !== request.url.origin;
    if (crossOrigin && !this.#options.allowCrossOriginRedirects) {
      throw refuse(
        `redirected (${status}) from ${request.url.origin} to another origin, ${target.origin}; not followed so ` +
          'that credentials stay with the API. Pass --allow-cross-origin-redirects ' +
          '(HEADROOM_OPENAPI_ALLOW_CROSS_ORIGIN_REDIRECTS) to follow it without credentials',
      );
    }
    return redirectedRequest(request, status, target, crossOrigin);
  }

  #toUpstream(
    request: BuiltRequest,
    response: Dispatcher.ResponseData,
    signal: AbortSignal | undefined,
  ): UpstreamResponse {
    const headers = normalizeHeaders(response.headers);
    const raw = response.body;
    const declared = Number(headers['content-length']);
    const hasBody = request.method !== 'HEAD' && response.statusCode !== 204 && response.statusCode !== 304;
    if (hasBody && Number.isFinite(declared) && declared > this.#options.maxResponseBytes) {
      destroy(raw);
      throw new UpstreamError(
        'HR_RESPONSE_TOO_LARGE',
        `${describe(request)}: the response declares ${formatBytes(declared)}, over the ` +
          `${formatBytes(this.#options.maxResponseBytes)} limit (nothing was read); raise --max-response-bytes ` +
          '(HEADROOM_OPENAPI_MAX_RESPONSE_BYTES), or ask for less (a filter, a smaller page)',
        { status: response.statusCode },
      );
    }
    const encoding = headers['content-encoding'];
    // Decoded bodies no longer match these; an unknown encoding keeps them so the body reads as opaque.
    if (decodingPlan(encoding)?.length) {
      delete headers['content-encoding'];
      delete headers['content-length'];
    }
    const chunks = new SocketChunks(raw);
    const plan = decodingPlan(encoding);
    const limits = {
      maxResponseBytes: this.#options.maxResponseBytes,
      maxDecompressionRatio: this.#options.maxDecompressionRatio,
      describe: describe(request),
    };
    const decoded = plan?.length ? decodeBody(chunks, encoding, limits)[Symbol.asyncIterator]() : undefined;
    const body = new ResponseBody(raw, chunks, decoded, limits, (error) => {
      if (signal?.aborted) return cancelled(request, signal);
      if (body.discarded)
        return new AbortedError(`${describe(request)}: the body was discarded while it was read`);
      return bodyError(request, error, chunks.received, this.#options);
    });
    return {
      status: response.statusCode,
      headers,
      mediaType: (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
      url: request.url.href,
      body,
      async discard() {
        if (raw.readableEnded || raw.destroyed) return;
        body.discarded = true;
        // A body nobody started reading can be drained for the socket's reuse; one half read cannot.
        if (chunks.started) destroy(raw);
        else await dump(raw);
        await body.return();
      },
    };
  }
}

/** Smallest values; undici reads a timeout of 0 as none at all, so timeouts start at 1. */
const LEAST: Partial<Record<keyof ResolvedHttpClientOptions, number>> = {
  connectTimeoutMs: 1,
  headersTimeoutMs: 1,
  bodyTimeoutMs: 1,
  maxResponseBytes: 1,
  maxDecompressionRatio: 1,
  connectionsPerOrigin: 1,
};

function resolveOptions(options: HttpClientOptions): ResolvedHttpClientOptions {
  const resolved = { ...DEFAULT_HTTP_CLIENT_OPTIONS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_HTTP_CLIENT_OPTIONS)) throw new TypeError(`HttpClient: unknown option ${name}`);
    const key = name as keyof ResolvedHttpClientOptions;
    if (key === 'allowCrossOriginRedirects') {
      if (typeof value !== 'boolean') throw new TypeError(`HttpClient: ${name} must be true or false`);
    } else {
      const least = LEAST[key] ?? 0;
      if (!Number.isSafeInteger(value) || (value as number) < least) {
        throw new RangeError(
          `HttpClient: ${name} must be an integer of at least ${least}, got ${String(value)}`,
        );
      }
    }
    (resolved as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

/** Longest path shown in a message: a path argument of megabytes must not fill the tool result. */
const SHOWN_PATH_CHARS = 200;
/** Servers commonly refuse a request line longer than this (Node's default header limit is 16 KiB). */
const LONG_URL_CHARS = 8 * 1024;

/** How a request is named in messages: method, origin and path; the query can carry keys, so it is left out. */
function describe(request: BuiltRequest): string {
  const path = request.url.pathname;
  const shown =
    path.length <= SHOWN_PATH_CHARS
      ? path
      : `${path.slice(0, SHOWN_PATH_CHARS)}... (${formatCount(path.length)} characters)`;
  return `${request.method} ${request.url.origin}${shown}`;
}

function cancelled(request: BuiltRequest, signal: AbortSignal): AbortedError {
  return new AbortedError(`${describe(request)} was cancelled`, signal.reason);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function normalizeHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    const text = headerText(value);
    if (key === 'set-cookie' || text === undefined) continue;
    headers[key] = headers[key] === undefined ? text : `${headers[key]}, ${text}`;
  }
  return headers;
}

/** Retry-After in milliseconds from now (delay-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads a body nobody wants, up to a small limit (past it the socket is closed); a failure is of no interest. */
async function dump(body: Dispatcher.ResponseData['body'], signal?: AbortSignal): Promise<void> {
  await body.dump({ limit: DUMP_LIMIT_BYTES, ...(signal ? { signal } : {}) }).catch(() => undefined);
  await settle();
}

function redirectedRequest(
  request: BuiltRequest,
  status: number,
  target: URL,
  crossOrigin: boolean,
): BuiltRequest {
  const toGet =
    status === 303
      ? request.method !== 'HEAD'
      : (status === 301 || status === 302) && request.method !== 'GET' && request.method !== 'HEAD';
  const headers = { ...request.headers };
  if (toGet) {
    for (const name of ['content-type', 'content-length', 'content-encoding']) delete headers[name];
  }
  let secretHeaders = request.secretHeaders;
  if (crossOrigin) {
    for (const name of [...CREDENTIAL_HEADERS, ...(request.secretHeaders ?? [])])
      delete headers[name.toLowerCase()];
    secretHeaders = [];
  }
  const next: BuiltRequest = { method: toGet ? 'GET' : request.method, url: target, headers };
  if (!toGet && request.body !== undefined) next.body = request.body;
  if (secretHeaders !== undefined) next.secretHeaders = secretHeaders;
  return next;
}

/** Undici errors carry the system code either on themselves or on their cause. */
function errorCode(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : 'unknown error';
}

const SYSTEM_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed for now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the upstream',
};

/** Undici's and Node's messages name codes, addresses and header names, never header values. */
function systemText(code: string, error: unknown): string {
  const text = SYSTEM_CODES[code];
  if (text !== undefined) return `${text}, ${code}`;
  return error instanceof Error ? `${error.message}, ${code}` : code;
}

function beforeResponseError(
  request: BuiltRequest,
  error: unknown,
  options: ResolvedHttpClientOptions,
  signal: AbortSignal | undefined,
): AbortedError | UpstreamError {
  if (signal?.aborted) return cancelled(request, signal);
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamError(
      'HR_UPSTREAM_TIMEOUT',
      `${describe(request)}: could not connect to ${request.url.origin} within ${seconds(options.connectTimeoutMs)} ` +
        '(the connect timeout); check that it is reachable, or raise --connect-timeout (HEADROOM_OPENAPI_CONNECT_TIMEOUT_MS)',
      { cause: error },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new UpstreamError(
      'HR_UPSTREAM_TIMEOUT',
      `${describe(request)}: the upstream sent no response headers within ${seconds(options.headersTimeoutMs)} ` +
        '(the headers timeout); try again later, or raise --headers-timeout (HEADROOM_OPENAPI_HEADERS_TIMEOUT_MS)',
      { cause: error },
    );
  }
  // A server that refuses an overlong request line often just closes the connection.
  const length = request.url.href.length;
  const advice =
    length > LONG_URL_CHARS
      ? `the request URL is ${formatCount(length)} characters long, and servers commonly refuse URLs ` +
        `over ${LONG_URL_CHARS / 1024} KiB: pass shorter path and query arguments`
      : 'check the base URL, that the API is up, and the network';
  return new UpstreamError(
    'HR_UPSTREAM_UNREACHABLE',
    `${describe(request)}: cannot reach ${request.url.origin} (${systemText(code, error)}); ${advice}`,
    { cause: error },
  );
}

/**
 * Network failures before any answer: worth sending again. Not a headers timeout (the upstream may
 * still be working on the first one), nor anything else (a malformed request stays malformed).
 */
function isRetryableFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code in SYSTEM_CODES || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function bodyError(
  request: BuiltRequest,
  error: unknown,
  received: number,
  options: ResolvedHttpClientOptions,
): unknown {
  if (error instanceof UpstreamError) return error; // the limits, named by decode.ts
  const code = errorCode(error);
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError(
      'HR_UPSTREAM_TIMEOUT',
      `${describe(request)}: the upstream sent nothing for ${seconds(options.bodyTimeoutMs)} in the middle of the body ` +
        `(after ${formatBytes(received)}); try again later, or raise --body-timeout (HEADROOM_OPENAPI_BODY_TIMEOUT_MS)`,
      { cause: error },
    );
  }
  return new UpstreamError(
    'HR_UPSTREAM_UNREACHABLE',
    `${describe(request)}: the connection to ${request.url.origin} broke in the middle of the body ` +
      `(${systemText(code, error)}) after ${formatBytes(received)}; try again`,
    { cause: error },
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
