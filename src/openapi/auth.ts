/**
 * Credentials for tool calls: reads them from HEADROOM_AUTH_<SCHEME> variables or the configuration
 * file (variables win), picks the first security alternative that can be satisfied and adds it to
 * the request. Secrets never come from tool arguments and never appear in messages.
 */
import type { Dispatcher } from 'undici';
import { AuthFailedError, AuthMissingError } from '../errors.js';
import type { BuiltRequest } from './call-types.js';
import { clientBasicCredentials, TokenClient } from './oauth2.js';
import type { ApiInfo, JsonObject, Operation } from './types.js';

/** What the configuration file gives for a scheme: a secret, or an OAuth2 client. */
export type ConfiguredCredential = string | { clientId: string; clientSecret: string };

export interface AuthenticatorOptions {
  api: ApiInfo;
  /** Relative token URLs resolve against it. */
  baseUrl: URL;
  env?: Record<string, string | undefined>;
  /** From the configuration file, by scheme name; environment variables win over these. */
  configured?: Record<string, ConfiguredCredential>;
  /** Called once for every secret value, so that the logger can redact it. */
  onSecret?: (value: string) => void;
  /** Limit for each OAuth2 token request. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** How long before its expiry a token is renewed (30 s); for tests. */
  expiryMarginMs?: number;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
}

type Scheme =
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string }
  | { type: 'bearer' | 'basic' | 'openIdConnect' }
  | { type: 'oauth2'; tokenUrl?: string; flows: string[] }
  | { type: 'unsupported'; what: string };

interface Found {
  value?: string;
  client?: { clientId: string; clientSecret: string };
  where: string;
  /** A variable set without its partner (an id without a secret), for the missing-credential message. */
  partial?: string;
}

/** A credential ready to add to a request. */
type Addition =
  | { to: 'header' | 'cookie' | 'query'; name: string; value: string }
  | { to: 'oauth2'; scheme: string; tokenUrl: URL; clientId: string; clientSecret: string; scopes: string[] };

/** `HEADROOM_AUTH_` and the scheme name upper-cased, every character outside A-Z0-9 as `_`. */
export function authEnvName(scheme: string): string {
  return `HEADROOM_AUTH_${scheme.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Which variables each scheme of the API reads, for `--help`, the README and startup logs. */
export function describeCredentials(
  schemes: ApiInfo['securitySchemes'],
): Array<{ scheme: string; kind: string; variables: string[] }> {
  return Object.entries(schemes).map(([name, raw]) => {
    const scheme = classify(raw);
    return { scheme: name, kind: kindOf(scheme), variables: variablesOf(name, scheme) };
  });
}

export class Authenticator {
  private readonly schemes = new Map<string, Scheme>();
  private readonly env: Record<string, string | undefined>;
  private readonly configured: Record<string, ConfiguredCredential>;
  private readonly baseUrl: URL;
  private readonly tokens: TokenClient;
  private readonly onSecret: (value: string) => void;

  constructor(options: AuthenticatorOptions) {
    for (const [name, raw] of Object.entries(options.api.securitySchemes))
      this.schemes.set(name, classify(raw));
    this.env = options.env ?? process.env;
    this.configured = options.configured ?? {};
    this.baseUrl = options.baseUrl;
    const reported = new Set<string>();
    this.onSecret = (value) => {
      if (value === '' || reported.has(value)) return;
      reported.add(value);
      options.onSecret?.(value);
    };
    this.tokens = new TokenClient({
      timeoutMs: options.timeoutMs ?? 10_000,
      // Tokens are new values each time; the static secrets are reported below.
      onSecret: options.onSecret ?? (() => {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.expiryMarginMs !== undefined ? { expiryMarginMs: options.expiryMarginMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    // Redaction must be armed before anything is logged, not at the first call.
    for (const name of new Set([...this.schemes.keys(), ...Object.keys(this.configured)])) this.report(name);
  }

  /** Adds the credentials of the first security alternative that can be satisfied to `request`. */
  async apply(request: BuiltRequest, security: Operation['security'], signal?: AbortSignal): Promise<void> {
    let optional = false;
    for (const alternative of security) {
      const names = Object.keys(alternative);
      if (names.length === 0) {
        // `{}` makes auth optional; a configured credential is still sent when one fits.
        optional = true;
        continue;
      }
      // Malformed values are reported only for the alternative that is chosen, not for every one tried.
      if (names.every((name) => this.available(name))) {
        return this.add(
          request,
          names.map((name) => this.additionFor(name, alternative[name])),
          signal,
        );
      }
    }
    if (!optional && security.length > 0) throw new AuthMissingError(this.missingMessage(security));
  }

  /** Drops a scheme's cached OAuth2 tokens (after a 401, before the one retry). */
  invalidate(scheme: string): void {
    this.tokens.invalidate(scheme);
  }

  /** Drops every cached OAuth2 token. */
  invalidateAll(): void {
    this.tokens.invalidateAll();
  }

  /** Whether any OAuth2 token is cached: only then can a retry after a 401 get other credentials. */
  hasTokens(): boolean {
    return this.tokens.hasTokens();
  }

  /**
   * What the operation's security asks for, in words and variable names, for a 401/403 hint:
   * `HEADROOM_AUTH_BEARERAUTH: http bearer or HEADROOM_AUTH_APIKEYAUTH: apiKey in header X-API-Key`.
   * Empty when the operation needs none.
   */
  describeNeeds(security: Operation['security']): string {
    const ways = security
      .filter((alternative) => Object.keys(alternative).length > 0)
      .map((alternative) =>
        Object.keys(alternative)
          .map((name) => {
            const scheme = this.schemes.get(name);
            if (!scheme) return `${name}: not defined in the specification`;
            const variables = variablesOf(name, scheme);
            const env = authEnvName(name);
            const which =
              variables.length > 1 ? `${env}_CLIENT_ID/_CLIENT_SECRET (or ${env})` : (variables[0] ?? name);
            return `${which}: ${kindOf(scheme)}`;
          })
          .join(' and '),
      );
    return ways.join(' or ');
  }

  private find(name: string): Found | undefined {
    const env = authEnvName(name);
    const value = nonEmpty(this.env[env]);
    const clientId = nonEmpty(this.env[`${env}_CLIENT_ID`]);
    const clientSecret = nonEmpty(this.env[`${env}_CLIENT_SECRET`]);
    if (value || (clientId && clientSecret)) {
      return {
        where: clientId && clientSecret ? `${env}_CLIENT_ID/_CLIENT_SECRET` : env,
        ...(value ? { value } : {}),
        ...(clientId && clientSecret ? { client: { clientId, clientSecret } } : {}),
      };
    }
    const configured = this.configured[name];
    const where = `the configuration file's auth.${name}`;
    if (typeof configured === 'string' && configured !== '') return { value: configured, where };
    if (configured && typeof configured === 'object') return { client: configured, where };
    if (clientId || clientSecret) {
      const [set, unset] = clientId ? ['_CLIENT_ID', '_CLIENT_SECRET'] : ['_CLIENT_SECRET', '_CLIENT_ID'];
      return { where: env, partial: `${env}${set} is set but ${env}${unset} is not` };
    }
    return undefined;
  }

  /** Whether a scheme is supported and has the credential it needs. */
  private available(name: string): boolean {
    const scheme = this.schemes.get(name);
    const found = this.find(name);
    if (!scheme || !found || scheme.type === 'unsupported') return false;
    return (
      found.value !== undefined ||
      (scheme.type === 'oauth2' && scheme.tokenUrl !== undefined && !!found.client)
    );
  }

  /** What to add for a scheme that is available; throws when its value has the wrong form. */
  private additionFor(name: string, scopes: unknown): Addition {
    const scheme = this.schemes.get(name) as Exclude<Scheme, { type: 'unsupported' }>;
    const found = this.find(name) as Found;
    if (scheme.type === 'oauth2' && scheme.tokenUrl !== undefined && found.client) {
      return {
        to: 'oauth2',
        scheme: name,
        tokenUrl: this.tokenUrl(name, scheme.tokenUrl),
        ...found.client,
        scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
      };
    }
    const secret = secretOf(found.value as string);
    if (/[\u0000-\u001f\u007f]/.test(secret)) {
      throw new AuthMissingError(
        `the credential for scheme '${name}' (${found.where}) contains a line break or control character; set it to the secret alone`,
      );
    }
    switch (scheme.type) {
      case 'apiKey':
        return { to: scheme.in, name: scheme.name, value: secret };
      case 'basic':
        if (!secret.includes(':')) {
          throw new AuthMissingError(
            `the credential for scheme '${name}' (${found.where}) must be user:password (http basic), and it has no ':'`,
          );
        }
        return {
          to: 'header',
          name: 'authorization',
          value: `Basic ${Buffer.from(secret).toString('base64')}`,
        };
      default:
        return { to: 'header', name: 'authorization', value: `Bearer ${secret}` };
    }
  }

  private async add(request: BuiltRequest, additions: Addition[], signal?: AbortSignal): Promise<void> {
    // Tokens first: a failed fetch leaves the request as it was.
    const ready: Array<Exclude<Addition, { to: 'oauth2' }>> = [];
    for (const addition of additions) {
      if (addition.to !== 'oauth2') ready.push(addition);
      else {
        const token = await this.tokens.token(addition, signal);
        ready.push({ to: 'header', name: 'authorization', value: `Bearer ${token}` });
      }
    }
    const secretHeaders = new Set(request.secretHeaders ?? []);
    for (const { to, name, value } of ready) {
      if (to === 'query') {
        const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
        request.url.search = request.url.search.length > 1 ? `${request.url.search.slice(1)}&${pair}` : pair;
      } else if (to === 'cookie') {
        const cookie = `${name}=${cookieValue(value)}`;
        request.headers.cookie = request.headers.cookie ? `${request.headers.cookie}; ${cookie}` : cookie;
        secretHeaders.add('cookie');
      } else {
        request.headers[name.toLowerCase()] = value;
        secretHeaders.add(name.toLowerCase());
      }
    }
    if (secretHeaders.size > 0) request.secretHeaders = [...secretHeaders];
  }

  private tokenUrl(name: string, raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw, this.baseUrl);
    } catch {
      throw new AuthFailedError(
        `the tokenUrl of scheme '${name}' (${raw}) is not a valid URL; fix the specification`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AuthFailedError(
        `the tokenUrl of scheme '${name}' uses ${url.protocol}; only http and https work`,
      );
    }
    return url;
  }

  /** Passes every form of a scheme's secret to onSecret: as given and as it goes on the wire. */
  private report(name: string): void {
    const found = this.find(name);
    if (!found) return;
    const scheme = this.schemes.get(name);
    if (found.client) {
      this.onSecret(found.client.clientSecret);
      this.onSecret(clientBasicCredentials(found.client.clientId, found.client.clientSecret));
    }
    if (found.value === undefined) return;
    const value = secretOf(found.value);
    this.onSecret(value);
    this.onSecret(encodeURIComponent(value));
    this.onSecret(cookieValue(value));
    if (scheme?.type === 'basic') {
      this.onSecret(Buffer.from(value).toString('base64'));
      this.onSecret(value.slice(value.indexOf(':') + 1));
    }
  }

  private missingMessage(security: Operation['security']): string {
    const ways: string[] = [];
    const cannot = new Set<string>();
    const notes = new Set<string>();
    for (const alternative of security) {
      const needs: string[] = [];
      let possible = true;
      for (const name of Object.keys(alternative)) {
        const scheme = this.schemes.get(name);
        const found = this.find(name);
        if (found?.partial) notes.add(found.partial);
        if (!scheme) {
          cannot.add(`'${name}' (not defined in the specification's securitySchemes)`);
          possible = false;
        } else if (scheme.type === 'unsupported') {
          cannot.add(`'${name}' (${scheme.what} is not supported)`);
          possible = false;
        } else if (scheme.type === 'oauth2' && scheme.tokenUrl === undefined && found?.client) {
          notes.add(
            `scheme '${name}' has no clientCredentials flow (only ${scheme.flows.join(', ') || 'none'}), so a client id and secret cannot get a token for it`,
          );
          needs.push(`${authEnvName(name)} (${kindOf(scheme)})`);
        } else if (scheme.type !== 'oauth2' && found?.client && found.value === undefined) {
          notes.add(
            `a client id and secret are configured for scheme '${name}', which is ${kindOf(scheme)} and needs one value`,
          );
          needs.push(need(name, scheme));
        } else if (!this.available(name)) {
          needs.push(need(name, scheme));
        }
      }
      if (possible && needs.length > 0) ways.push(needs.join(' and '));
    }
    const parts: string[] = [];
    if (ways.length > 0) parts.push(`this operation needs credentials: set ${ways.join(' or ')}`);
    else parts.push('this operation needs credentials that Headroom cannot provide');
    if (cannot.size > 0) parts.push(`Headroom cannot use the scheme ${[...cannot].join(', ')}`);
    parts.push(...notes);
    if (ways.length > 0) parts.push("the configuration file's auth map, by scheme name, works too");
    return parts.join('; ');
  }
}

/** Values from files often end with a line break that is not part of the secret. */
function secretOf(value: string): string {
  return value.replace(/[\r\n]+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A cookie value may not hold spaces, quotes, commas, semicolons or backslashes; encode those. */
function cookieValue(value: string): string {
  return /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

function classify(raw: JsonObject): Scheme {
  const type = typeof raw.type === 'string' ? raw.type : '';
  if (type === 'apiKey') {
    const where = raw.in;
    if (
      (where === 'header' || where === 'query' || where === 'cookie') &&
      typeof raw.name === 'string' &&
      raw.name
    )
      return { type: 'apiKey', in: where, name: raw.name };
    return {
      type: 'unsupported',
      what: `apiKey in ${JSON.stringify(where)} named ${JSON.stringify(raw.name)}`,
    };
  }
  if (type === 'http') {
    const scheme = typeof raw.scheme === 'string' ? raw.scheme.toLowerCase() : '';
    if (scheme === 'bearer' || scheme === 'basic') return { type: scheme };
    return { type: 'unsupported', what: `http ${scheme || 'without a scheme'}` };
  }
  if (type === 'oauth2') {
    const flows = raw.flows && typeof raw.flows === 'object' ? (raw.flows as Record<string, JsonObject>) : {};
    const tokenUrl = flows.clientCredentials?.tokenUrl;
    return {
      type: 'oauth2',
      flows: Object.keys(flows),
      ...(typeof tokenUrl === 'string' ? { tokenUrl } : {}),
    };
  }
  if (type === 'openIdConnect') return { type: 'openIdConnect' };
  return { type: 'unsupported', what: type ? type : 'a scheme without a type' };
}

function kindOf(scheme: Scheme): string {
  switch (scheme.type) {
    case 'apiKey':
      return `apiKey in ${scheme.in} ${scheme.name}`;
    case 'bearer':
    case 'basic':
      return `http ${scheme.type}`;
    case 'oauth2':
      return scheme.tokenUrl !== undefined ? 'oauth2 client credentials' : 'oauth2 access token';
    case 'openIdConnect':
      return 'openIdConnect access token';
    default:
      return `${scheme.what} (not supported)`;
  }
}

function variablesOf(name: string, scheme: Scheme): string[] {
  const env = authEnvName(name);
  if (scheme.type === 'unsupported') return [];
  if (scheme.type === 'oauth2' && scheme.tokenUrl !== undefined)
    return [`${env}_CLIENT_ID`, `${env}_CLIENT_SECRET`, env];
  return [env];
}

/** How to satisfy one scheme, in words, for the missing-credential message. */
function need(name: string, scheme: Scheme): string {
  const env = authEnvName(name);
  if (scheme.type === 'oauth2' && scheme.tokenUrl !== undefined) {
    return `${env}_CLIENT_ID with ${env}_CLIENT_SECRET (oauth2 client credentials; or ${env}, a ready access token)`;
  }
  if (scheme.type === 'oauth2') {
    return `${env} (an oauth2 access token: the scheme has no clientCredentials flow, so Headroom cannot obtain one)`;
  }
  if (scheme.type === 'basic') return `${env} (http basic, as user:password)`;
  return `${env} (${kindOf(scheme)})`;
}
