/**
 * OAuth2 client credentials (RFC 6749 4.4): fetches access tokens from a token endpoint, caches them
 * by scheme and scopes until shortly before they expire, and lets concurrent callers share one
 * in-flight request. Neither the client secret nor a token ever appears in an error message.
 */
import { type Dispatcher, request } from 'undici';
import { AbortedError, AuthFailedError, throwIfAborted } from '../errors.js';
import { onBaselineTier } from './llhttp-tier.js';

/** Token answers are small; a larger one is a misconfigured endpoint, not a token. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** A token is renewed this long before it expires, so that it does not expire in flight. */
export const DEFAULT_EXPIRY_MARGIN_MS = 30_000;
/** How long a token without `expires_in` is kept. */
export const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;

export interface TokenClientOptions {
  /** Limit for each token request: headers, body and the whole exchange. */
  timeoutMs: number;
  dispatcher?: Dispatcher;
  /** Called with every token obtained, so that the logger can redact it (the caller reports the client secret). */
  onSecret?: (value: string) => void;
  expiryMarginMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export interface TokenRequest {
  /** The security scheme's name: the cache key's first part, and for messages. */
  scheme: string;
  /** Absolute, http or https. */
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export class TokenClient {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly onSecret: (value: string) => void;
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor(options: TokenClientOptions) {
    this.timeoutMs = options.timeoutMs;
    this.dispatcher = options.dispatcher;
    this.onSecret = options.onSecret ?? (() => {});
    this.marginMs = options.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** A valid access token for the scheme and scopes: cached, or fetched once for all callers. */
  async token(req: TokenRequest, signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal, `the OAuth2 token request for scheme '${req.scheme}'`);
    const key = cacheKey(req.scheme, req.scopes);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchAndCache(key, req).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    // One caller giving up must not cancel the fetch that others wait for.
    return untilAborted(pending, signal, `the OAuth2 token request for scheme '${req.scheme}'`);
  }

  /** Drops the cached tokens of a scheme (all scope sets), so the next call fetches a new one. */
  invalidate(scheme: string): void {
    const prefix = `${scheme}\n`;
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  invalidateAll(): void {
    this.cache.clear();
  }

  hasTokens(): boolean {
    return this.cache.size > 0;
  }

  private async fetchAndCache(key: string, req: TokenRequest): Promise<string> {
    const answer = await this.fetchToken(req);
    this.onSecret(answer.token);
    const lifetimeMs = answer.expiresInS === undefined ? DEFAULT_TOKEN_LIFETIME_MS : answer.expiresInS * 1000;
    const expiresAt = this.now() + lifetimeMs - this.marginMs;
    // A token that lives less than the margin serves the callers waiting now but is not kept.
    if (expiresAt > this.now()) this.cache.set(key, { token: answer.token, expiresAt });
    return answer.token;
  }

  private async fetchToken(req: TokenRequest): Promise<{ token: string; expiresInS?: number }> {
    const where = `the OAuth2 token endpoint of scheme '${req.scheme}' (${req.tokenUrl.origin}${req.tokenUrl.pathname})`;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (req.scopes.length > 0) body.set('scope', req.scopes.join(' '));
    const basic = clientBasicCredentials(req.clientId, req.clientSecret);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await onBaselineTier(() =>
        request(req.tokenUrl, {
          method: 'POST',
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: body.toString(),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          signal: timeout,
          ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        }),
      );
      status = response.statusCode;
      text = await readLimited(response.body, where);
    } catch (error) {
      if (error instanceof AuthFailedError) throw error;
      const timedOut = timeout.aborted || /timeout/i.test(String((error as { code?: unknown }).code ?? ''));
      const reason = timedOut
        ? `did not answer within ${this.timeoutMs} ms`
        : `could not be reached (${describeNetworkError(error)})`;
      throw new AuthFailedError(`${where} ${reason}; check the tokenUrl and that the endpoint is up`);
    }
    const scrub = (value: string) =>
      scrubSecrets(value, [req.clientSecret, formEncode(req.clientSecret), basic]);
    const json = parseJson(text);
    if (status < 200 || status > 299) {
      const details = json ? oauthErrorFields(json, scrub) : '';
      const hint =
        status === 400 || status === 401
          ? 'check the client id and secret, and the scopes the client may request'
          : 'check the tokenUrl and the endpoint';
      throw new AuthFailedError(`${where} refused the token request: status ${status}${details}; ${hint}`);
    }
    if (!json)
      throw new AuthFailedError(`${where} answered status ${status} with a body that is not a JSON object`);
    const token = json.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new AuthFailedError(
        `${where} answered status ${status} without an access_token${oauthErrorFields(json, scrub)}`,
      );
    }
    // The token goes into a header; one that cannot be sent there is the endpoint's fault.
    if (/[^\x21-\x7e ]/.test(token)) {
      this.onSecret(token);
      throw new AuthFailedError(`${where} answered an access_token with characters a header cannot carry`);
    }
    const expiresIn = Number(json.expires_in);
    return Number.isFinite(expiresIn) && expiresIn > 0 ? { token, expiresInS: expiresIn } : { token };
  }
}

function cacheKey(scheme: string, scopes: string[]): string {
  return `${scheme}\n${[...new Set(scopes)].sort().join(' ')}`;
}

/** The Basic credentials of a client (RFC 6749 2.3.1: id and secret are form-urlencoded first). */
export function clientBasicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  where: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_TOKEN_RESPONSE_BYTES) {
      body.destroy();
      throw new AuthFailedError(
        `${where} answered more than ${MAX_TOKEN_RESPONSE_BYTES / 1024} KiB; a token answer is much smaller, check the tokenUrl`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The RFC 6749 5.2 fields of an error answer, shortened and cleaned, for the message. */
function oauthErrorFields(json: Record<string, unknown>, scrub: (value: string) => string): string {
  const parts: string[] = [];
  for (const field of ['error', 'error_description']) {
    const value = json[field];
    if (typeof value !== 'string' || value === '') continue;
    const clean = scrub(value).replace(/[\u0000-\u001f\u007f]+/g, ' ');
    parts.push(`${field}: ${clean.length > 300 ? `${clean.slice(0, 300)}...` : clean}`);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** An endpoint might echo what it was sent; the secret must not reach the message that way. */
function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown error';
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(`${what} was cancelled`, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
