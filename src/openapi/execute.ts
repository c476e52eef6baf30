/**
 * OperationCaller: one tool call of an OpenAPI operation, from the model's arguments to the answer it
 * gets. validate -> build the request -> credentials -> admission under the memory budget -> send
 * (through the API's circuit breaker) -> shape the answer within the response budget, spilling the
 * rest. Problems the model can act on come back as `isError` results that say what to do.
 */
import { MemoryPressureError, UpstreamError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { MemoryCircuitBreaker } from '../memory/circuit-breaker.js';
import { ScavengePacer } from '../memory/gc.js';
import { levelRank, type MemoryLimiter, type Reservation } from '../memory/limiter.js';
import { heapInUse } from '../memory/usage.js';
import { formatBytes } from '../util/bytes.js';
import { Authenticator } from './auth.js';
import type { BuiltRequest, UpstreamResponse } from './call-types.js';
import { parseFields } from './fields.js';
import type { HttpClient } from './http-client.js';
import { compileQuery } from './query.js';
import { buildRequest, resolveBaseUrl } from './request.js';
import { type ShapedResponse, shapeResponse } from './shape.js';
import type { SpillStore } from './spill.js';
import type { Catalog, Operation } from './types.js';
import { ArgumentValidator } from './validate.js';

/** The arguments every tool accepts besides the operation's own. */
export const META_ARGUMENTS = ['_fields', '_query'] as const;

export type Credential = string | { clientId: string; clientSecret: string };

export interface CallerApi {
  catalog: Catalog;
  /** Overrides the specification's servers. */
  baseUrl?: string;
  /** Credentials from the configuration file, by security scheme name. */
  auth?: Record<string, Credential>;
}

export interface OperationCallerOptions {
  client: HttpClient;
  /** The model's share of a result, in bytes (the token budget times 4). */
  budgetBytes: number;
  maxParseBytes?: number;
  limiter?: MemoryLimiter;
  spill?: SpillStore;
  env?: Readonly<Record<string, string | undefined>>;
  /** Told every secret value, so the logger can redact it. */
  onSecret?: (value: string) => void;
  logger?: Logger;
  /** How long a call waits for memory pressure to drop before it is refused; default 2 s. */
  overloadWaitMs?: number;
  /** Bytes reserved in the limiter for each call while its answer is read (and spilled); default 8 MiB. */
  callMemoryBytes?: number;
}

export type CallContent = ShapedResponse['content'][number];

export interface CallResult {
  content: CallContent[];
  /** With structured output: the envelope of the tool's output schema (see outputEnvelope). */
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Whether a call holds one of the admitted places (a 401 retry sends again without a new one). */
interface AdmissionSlot {
  held: boolean;
  /** The call's share of the budget, released when its answer and any spill are done. */
  reservation?: Reservation;
  /** The rest of the body being read into the spill, after the call has answered. */
  spilling?: Promise<void>;
}

interface ApiState {
  api: CallerApi;
  breaker: MemoryCircuitBreaker;
  auth?: Authenticator;
}

/** Upstream failures that mean the API is unwell, and so count against its circuit breaker. */
const UNHEALTHY = new Set(['HR_UPSTREAM_UNREACHABLE', 'HR_UPSTREAM_TIMEOUT']);

/**
 * A call's share of the budget while it reads an answer: the body's chunks, the batch being parsed,
 * the page being fitted, the spill's buffers, and its part of the young generation their garbage
 * grows. With 50 clients calling for 1-50 MB answers under a 256 MB budget (benchmarks/load.ts),
 * 4 MiB let the peak reach 257 MB and 8 MiB held it at 207 MB.
 */
const DEFAULT_CALL_MEMORY_BYTES = 8 * 1024 * 1024;

/** Bytes of an error body shown to the model. */
const ERROR_EXCERPT_BYTES = 2000;

export class OperationCaller {
  private readonly options: OperationCallerOptions;
  private readonly apis = new Map<string, ApiState>();
  private readonly validator: ArgumentValidator;
  private readonly background = new Set<Promise<void>>();
  /** Calls let past admission whose answers are still being read. */
  private admitted = 0;
  /** Ends background reading (spills) when the caller closes. */
  private readonly lifetime = new AbortController();
  /** One pace of scavenges for every answer being read (see ScavengePacer). */
  private readonly scavenges = new ScavengePacer();

  constructor(apis: readonly CallerApi[], options: OperationCallerOptions) {
    this.options = options;
    for (const api of apis) {
      const name = api.catalog.api.name;
      // Only failures of the API itself (unreachable, timeouts) count against its circuit.
      this.apis.set(name, { api, breaker: new MemoryCircuitBreaker({ name, failureThreshold: 5 }) });
    }
    this.validator = new ArgumentValidator({ warn: (message) => options.logger?.warn(message) });
  }

  /** Runs `op` with the model's arguments; HeadroomErrors thrown here are messages for the model. */
  async call(op: Operation, args: Record<string, unknown>, signal: AbortSignal): Promise<CallResult> {
    const state = this.apis.get(op.api);
    if (!state) throw new Error(`no API named ${op.api}`);
    const { _fields, _query, ...own } = args;
    const fields = parseFields(_fields);
    const query =
      _query === undefined || _query === null || _query === '' ? undefined : compileQuery(String(_query));
    this.validator.validate(op, state.api.catalog.definitions, own);
    const baseUrl = resolveBaseUrl(state.api.catalog.api, op, state.api.baseUrl);
    const slot: AdmissionSlot = { held: false };
    try {
      return await this.run(state, op, own, baseUrl, fields, query, slot, signal);
    } finally {
      if (slot.held) this.admitted--;
      const { reservation, spilling } = slot;
      if (spilling) void spilling.finally(() => reservation?.release());
      else reservation?.release();
    }
  }

  private async run(
    state: ApiState,
    op: Operation,
    own: Record<string, unknown>,
    baseUrl: URL,
    fields: ReturnType<typeof parseFields>,
    query: ReturnType<typeof compileQuery> | undefined,
    slot: AdmissionSlot,
    signal: AbortSignal,
  ): Promise<CallResult> {
    const auth = this.authFor(state, baseUrl);
    const attempt = () =>
      this.send(
        state,
        auth,
        op,
        buildRequest(op, own, baseUrl, { definitions: state.api.catalog.definitions }),
        slot,
        signal,
      );
    let response = await attempt();
    if (response.status === 401 && auth.hasTokens()) {
      // An OAuth2 token may have been revoked before its expiry: fetch a new one, once.
      await response.discard();
      auth.invalidateAll();
      response = await attempt();
    }
    const source = `${op.method.toUpperCase()} ${op.path}`;
    if (response.status >= 400) return this.failed(op, source, response, auth);
    const shaping = shapeResponse(response, {
      budgetBytes: this.options.budgetBytes,
      ...(fields ? { fields } : {}),
      ...(query ? { query } : {}),
      ...(this.options.spill ? { spill: this.options.spill } : {}),
      ...(this.options.maxParseBytes ? { maxParseBytes: this.options.maxParseBytes } : {}),
      ...(this.options.limiter ? { limiter: this.options.limiter } : {}),
      scavenges: this.scavenges,
      source,
      // The rest of the body is read into the spill after the answer, past this call's life.
      signal: this.lifetime.signal,
    });
    // A cancelled call stops reading its first page; the socket goes with it.
    const cancel = () => void response.discard();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const shaped = await shaping;
      this.track(shaped.done);
      slot.spilling = shaped.done;
      if (op.outputSchema === undefined) return { content: shaped.content };
      const reshaped = fields !== undefined || query !== undefined;
      return { content: shaped.content, structuredContent: this.structured(op, state, shaped, reshaped) };
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** Stops background reads and waits for them to settle. */
  async close(): Promise<void> {
    this.lifetime.abort(new Error('the server is closing'));
    await Promise.all([...this.background]);
  }

  private authFor(state: ApiState, baseUrl: URL): Authenticator {
    state.auth ??= new Authenticator({
      api: state.api.catalog.api,
      baseUrl,
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(state.api.auth ? { configured: state.api.auth } : {}),
      ...(this.options.onSecret ? { onSecret: this.options.onSecret } : {}),
    });
    return state.auth;
  }

  private async send(
    state: ApiState,
    auth: Authenticator,
    op: Operation,
    request: BuiltRequest,
    slot: AdmissionSlot,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    await auth.apply(request, op.security, signal);
    await this.admit(slot, signal);
    // Only an API that cannot be reached counts against its circuit; a cancelled call, a refused
    // redirect or an oversized answer says nothing about the API's health.
    const outcome = await state.breaker.execute(async () => {
      try {
        return { response: await this.options.client.send(request, { signal }) };
      } catch (error) {
        if (error instanceof UpstreamError && UNHEALTHY.has(error.code)) throw error;
        return { error };
      }
    }, signal);
    if ('error' in outcome) throw outcome.error;
    return outcome.response;
  }

  /**
   * Reserves the call's share of the budget (`callMemoryBytes`), so that calls already let in have
   * room to read their answers. Waits while that share does not fit or memory pressure is CRITICAL
   * or worse, then refuses: a new call would read a response into a process that is already near its
   * budget. One exception: when no call is being read,
   * nothing is spilling and the objects in memory (heap and Buffers) take under half the budget,
   * one call is let in. RSS over the threshold is then memory the allocator kept after a burst
   * (glibc seldom returns it), which a new call reuses; refusing would refuse forever, as nothing
   * running could free it.
   */
  private async admit(slot: AdmissionSlot, signal: AbortSignal): Promise<void> {
    if (slot.held) return;
    const limiter = this.options.limiter;
    const deadline = performance.now() + (this.options.overloadWaitMs ?? 2000);
    for (;;) {
      limiter?.measure();
      const reservation =
        limiter && levelRank(limiter.level) < levelRank('CRITICAL')
          ? limiter.tryAdmit(this.options.callMemoryBytes ?? DEFAULT_CALL_MEMORY_BYTES)
          : undefined;
      if (!limiter || reservation || this.idle(limiter.budgetBytes)) {
        slot.held = true;
        if (reservation) slot.reservation = reservation;
        this.admitted++;
        return;
      }
      if (performance.now() >= deadline || signal.aborted) {
        throw new MemoryPressureError(
          `overloaded: memory is at ${formatBytes(limiter.usedBytes)} of the ${formatBytes(limiter.budgetBytes)} ` +
            `budget (${limiter.level}), with ${formatBytes(limiter.reservedBytes)} set aside for the ${this.admitted} ` +
            'calls in flight, so this call was not sent. Retry in a few seconds; if it keeps happening, ' +
            'ask for less at once (_fields, _query, smaller pages) or raise --memory-budget.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Nothing being read or spilled, and the objects in memory under half of `budgetBytes`. */
  private idle(budgetBytes: number): boolean {
    return this.admitted === 0 && this.background.size === 0 && heapInUse() < budgetBytes / 2;
  }

  private async failed(
    op: Operation,
    source: string,
    response: UpstreamResponse,
    auth: Authenticator,
  ): Promise<CallResult> {
    let excerpt = '';
    try {
      const shaped = await shapeResponse(response, {
        budgetBytes: ERROR_EXCERPT_BYTES,
        source,
        countGraceMs: 0,
      });
      excerpt = shaped.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join('\n');
    } catch (error) {
      excerpt = `(the error body could not be read: ${(error as Error).message})`;
    } finally {
      await response.discard();
    }
    const retryAfter = response.headers['retry-after'];
    const text =
      `${source} answered ${response.status}. ${statusHint(response.status, op, auth, retryAfter)}` +
      (excerpt ? `\n\n${excerpt}` : '');
    return { content: [{ type: 'text', text }], isError: true };
  }

  /**
   * The structured form of an answer: the response under `result` when what is shown is the
   * response (or, for an array cut to fit, its first items) and matches the response schema;
   * otherwise only whether it was cut and where to read on, with the reason in `note`.
   */
  private structured(
    op: Operation,
    state: ApiState,
    shaped: ShapedResponse,
    reshaped: boolean,
  ): Record<string, unknown> {
    const envelope = { truncated: shaped.truncated, ...(shaped.cursor ? { cursor: shaped.cursor } : {}) };
    const first = shaped.content[0];
    if (reshaped)
      return { ...envelope, note: 'shaped by _fields or _query: the text content holds the answer' };
    if (first?.type !== 'text') return { ...envelope, note: 'not a JSON answer: see the content' };
    if (shaped.truncated && shaped.items === undefined)
      return { ...envelope, note: 'cut to fit: the text content shows what fits' };
    let value: unknown;
    try {
      value = JSON.parse(first.text);
    } catch {
      return { ...envelope, note: 'not a JSON answer: see the content' };
    }
    const candidate = { ...envelope, result: value };
    const problems = this.validator.outputProblems(op, state.api.catalog.definitions, candidate);
    if (problems.length === 0) return candidate;
    return {
      ...envelope,
      note: `the answer does not match the operation's response schema (${problems.slice(0, 3).join('; ')}): see the text content`,
    };
  }

  private track(done: Promise<void>): void {
    this.background.add(done);
    void done.finally(() => this.background.delete(done));
  }
}

/** What the model can do about an upstream error status. */
function statusHint(status: number, op: Operation, auth: Authenticator, retryAfter?: string): string {
  if (status === 400 || status === 422)
    return 'The API rejected the arguments: check them against the operation’s schema and its description.';
  if (status === 401 || status === 403) {
    const needs = auth.describeNeeds(op.security);
    return status === 401
      ? `The API did not accept the credentials${needs ? ` (${needs})` : ''}. The user must set or fix them; the model cannot.`
      : `The credentials lack permission for this operation${needs ? ` (${needs})` : ''}.`;
  }
  if (status === 404) return 'Not found: check the identifiers in the path.';
  if (status === 405) return 'The API does not allow this method here.';
  // Node answers 431 to a request line over its 16 KiB header limit, as many servers do.
  if (status === 414 || status === 431)
    return 'The request is too large for the API (its URL or headers): pass shorter path, query and header arguments.';
  if (status === 409)
    return 'Conflict with the current state of the resource: read it again before retrying.';
  if (status === 429)
    return `Rate limited${retryAfter ? `; the API asks to wait ${retryAfter} s` : ''}. Wait before calling again.`;
  if (status >= 500) return 'The API failed on its side. Retrying later may work.';
  return 'The API refused the request.';
}
