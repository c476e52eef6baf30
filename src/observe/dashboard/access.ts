/**
 * Who may use the dashboard. On a loopback bind the Host header must name this machine, so that a
 * web page cannot reach the dashboard through DNS rebinding; anywhere else a token is required, as
 * `Authorization: Bearer <token>` or `?token=` (a browser's WebSocket cannot send headers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { UsageError } from '../../errors.js';

export interface AccessOptions {
  host: string;
  token?: string;
  /** More Host names to accept on a loopback bind, e.g. the name a reverse proxy forwards. */
  allowedHosts?: string[];
}

/** Why a request is refused: the HTTP status and a message that says what to do. */
export type Refusal = [status: 401 | 403, message: string];

export interface Access {
  /** Checks the Host and Origin headers, and the token when `needsToken`; undefined when the request may go on. */
  refuse(req: IncomingMessage, url: URL, needsToken: boolean): Refusal | undefined;
  /** A WebSocket from a page of another origin; undefined when the origin is the dashboard's own or absent. */
  refuseOrigin(req: IncomingMessage): Refusal | undefined;
}

/** Validates the token against the bind address (throws UsageError) and returns the checks. */
export function createAccess(options: AccessOptions): Access {
  const { host, token } = options;
  if (token === '') throw new UsageError('the dashboard token is empty: pass a non-empty token or none');
  const loopback = isLoopback(host);
  if (token === undefined && !loopback) {
    throw new UsageError(
      `refusing to serve the dashboard on ${host} without a token: anyone who can reach it would see this process's metrics; set monitoring.token (HEADROOM_MONITORING_TOKEN) or bind to 127.0.0.1`,
    );
  }
  // Digests have one length whatever was sent, so comparing them takes the same time for any guess.
  const digest = token === undefined ? undefined : sha256(token);
  const allowedHosts = new Set(
    ['localhost', '127.0.0.1', '[::1]', host, ...(options.allowedHosts ?? [])].map(hostname),
  );

  return {
    refuse(req, url, needsToken) {
      const given = req.headers.host ?? '';
      if (loopback && !allowedHosts.has(hostname(given))) {
        return [
          403,
          `Host header ${JSON.stringify(given)} is not this dashboard's: open it as http://127.0.0.1 or localhost, or add the name to allowedHosts`,
        ];
      }
      // A page of another site cannot read the answers (no CORS headers are sent), but it could
      // still make the dashboard work for it; browsers name that site in Origin.
      const origin = foreignOrigin(req);
      if (origin !== undefined) {
        return [
          403,
          `request from origin ${origin} refused: only the dashboard's own page may call it; open the dashboard at its own address`,
        ];
      }
      if (!needsToken || digest === undefined) return undefined;
      const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1];
      const sent = bearer ?? url.searchParams.get('token');
      if (sent === null) {
        return [
          401,
          'this dashboard needs its token: add ?token=<token> to the URL or send "Authorization: Bearer <token>"',
        ];
      }
      if (!timingSafeEqual(sha256(sent), digest)) {
        return [401, 'wrong dashboard token: it does not match the one the server was started with'];
      }
      return undefined;
    },
    refuseOrigin(req) {
      // Browsers send Origin on WebSocket connections but apply no same-origin rule to them, so a
      // page elsewhere could otherwise read the metrics (cross-site WebSocket hijacking).
      const origin = foreignOrigin(req);
      if (origin === undefined) return undefined;
      return [403, `WebSocket from origin ${origin} refused: only the dashboard's own page may connect`];
    },
  };
}

export function isLoopback(host: string): boolean {
  const bare = stripBrackets(host).toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The host as written in a URL: IPv6 in brackets. */
export function urlHost(host: string): string {
  const bare = stripBrackets(host);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The hostname of a Host header or an address: lower case, IPv6 in brackets, no port. */
function hostname(value: string): string {
  const trimmed = value.trim();
  if (isIP(stripBrackets(trimmed)) === 6) return `[${stripBrackets(trimmed).toLowerCase()}]`;
  try {
    return new URL(`http://${trimmed}`).hostname.toLowerCase();
  } catch {
    return trimmed.toLowerCase();
  }
}

/** The request's Origin when it is not the dashboard's own (the host it was sent to); else undefined. */
function foreignOrigin(req: IncomingMessage): string | undefined {
  const { origin } = req.headers;
  if (origin === undefined || originHost(origin) === (req.headers.host ?? '').toLowerCase()) return undefined;
  return origin;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
