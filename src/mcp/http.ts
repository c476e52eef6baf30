/**
 * Serving an MCP server over Streamable HTTP.
 *
 * Two protocol eras arrive at the same endpoint. The v2 SDK speaks the 2026-07-28 revision
 * (no handshake, a `_meta` envelope on every request, no sessions) and, for older clients such as
 * the MCP Inspector 0.15 (SDK 1.x), the 2025 revisions with their `initialize` handshake. The SDK's
 * serving entries (`serveStdio`, `createMcpHandler`) tell the eras apart and ask a factory for a
 * fresh server per connection or request, which is why both functions here take a factory.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type NodeMcpRequestHandler, toNodeHandler } from '@modelcontextprotocol/node';
import type { McpServer, Server } from '@modelcontextprotocol/server';
import {
  createMcpHandler,
  isLegacyRequest,
  localhostAllowedHostnames,
  validateHostHeader,
  validateOriginHeader,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { ListenError, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { formatBytes } from '../util/bytes.js';

import type { ServerFactory } from './stdio.js';

export interface ServeHttpOptions {
  /** Address to bind. Anything but a loopback address requires `token`. */
  host?: string;
  /** 0 picks a free port; the chosen one is in the returned `url`. */
  port: number;
  path?: string;
  /**
   * `stateless`: every request gets a fresh server. `stateful`: 2025-era clients get a session
   * (`Mcp-Session-Id`) with one server for its lifetime. 2026-era requests carry everything they
   * need and are served statelessly in both modes.
   *
   * Cancellation differs: a 2025-era `notifications/cancelled` only reaches a call within a session,
   * because statelessly it arrives on a new request with nothing tying it to the call; there,
   * dropping the HTTP request cancels instead. 2026-era clients cancel by dropping the request.
   */
  mode: 'stateless' | 'stateful';
  /** Required as `Authorization: Bearer <token>` on MCP requests when set. */
  token?: string;
  /** Extra `Host` names to accept, besides loopback names and the bound address. */
  allowedHosts?: string[];
  /** Extra `Origin` hosts to accept (hostnames, or origins such as `https://app.example`). */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  /** Open sessions allowed at once in stateful mode. */
  maxSessions?: number;
  /** A session with no request in flight for this long is closed; an open GET event stream counts. */
  sessionIdleMs?: number;
  logger: Logger;
}

export interface HttpServerHandle {
  /** Where MCP is served, e.g. `http://127.0.0.1:43121/mcp`. */
  url: string;
  /** Closes sessions, in-flight exchanges and the listener; safe to call more than once. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 100;
export const DEFAULT_SESSION_IDLE_MS = 10 * 60 * 1000;

interface Session {
  id?: string;
  server: Server | McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  /** The SDK's Node adapter in front of `transport`. */
  handle: NodeMcpRequestHandler;
  inflight: number;
  idleTimer?: NodeJS.Timeout;
  closed: boolean;
}

/** Serves Streamable HTTP at `path` on `node:http`, with `GET /healthz` beside it. */
export async function serveHttp(
  factory: ServerFactory,
  options: ServeHttpOptions,
): Promise<HttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const sessionIdleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const logger = options.logger.child({ component: 'mcp-http' });
  const { token } = options;

  if (token === '') throw new UsageError('the token is empty: pass a non-empty --token value');
  if (token === undefined && !isLoopback(host)) {
    throw new UsageError(
      `refusing to listen on ${host} without --token: anyone on the network could call the API with your credentials; pass --token or bind to 127.0.0.1`,
    );
  }
  if (token !== undefined) logger.addSecret(token);
  const expectedDigest = token === undefined ? undefined : sha256(token);

  const boundNames = boundHostnames(host);
  const allowedHosts = unique([
    ...localhostAllowedHostnames(),
    ...boundNames,
    ...(options.allowedHosts ?? []).map(normalizeHostname),
  ]);
  const allowedOrigins = unique([
    ...localhostAllowedHostnames(),
    ...boundNames,
    ...(options.allowedOrigins ?? []).map(normalizeOrigin),
  ]);

  const reportError = (error: Error) => logger.warn('MCP transport error', { error: error.message });
  // The SDK's own handler for stateless serving: 2026-era requests, and 2025-era requests each
  // answered by a fresh server over a sessionless transport. In stateful mode it only serves
  // 2026-era requests, and 2025-era ones go to sessions below.
  const handler = createMcpHandler(factory, {
    legacy: options.mode === 'stateless' ? 'stateless' : 'reject',
    onerror: reportError,
    maxRequestBodySize: maxBodyBytes,
  });
  const handleStateless = toNodeHandler(handler, { onerror: reportError, maxRequestBodySize: maxBodyBytes });

  const sessions = new Map<string, Session>();
  let pendingSessions = 0;
  let closing: Promise<void> | undefined;

  const closeSession = async (session: Session, reason: string) => {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.idleTimer);
    if (session.id !== undefined) sessions.delete(session.id);
    logger.debug('MCP session closed', { session: session.id, reason });
    await session.server.close().catch((error: unknown) => reportError(asError(error)));
  };

  /** Counts a request against a session so that it is never closed as idle while in use. */
  const track = (session: Session, res: ServerResponse) => {
    session.inflight++;
    clearTimeout(session.idleTimer);
    res.once('close', () => {
      session.inflight--;
      if (session.inflight === 0 && !session.closed) {
        session.idleTimer = setTimeout(() => void closeSession(session, 'idle'), sessionIdleMs);
        session.idleTimer.unref();
      }
    });
  };

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    if (sessions.size + pendingSessions >= maxSessions) {
      sendJsonError(
        res,
        503,
        `too many MCP sessions: ${maxSessions} are open, the maxSessions limit; close one (HTTP DELETE with its Mcp-Session-Id) or wait for idle ones to expire`,
      );
      return;
    }
    pendingSessions++;
    let session: Session | undefined;
    try {
      const server = await factory({ era: 'legacy' });
      // The web-standard transport behind the SDK's own Node adapter, rather than the Node
      // transport class, which goes through @hono/node-server and prints client aborts to stdout.
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        maxRequestBodySize: maxBodyBytes,
        onsessioninitialized: (id) => {
          created.id = id;
          sessions.set(id, created);
          logger.debug('MCP session opened', { session: id });
        },
      });
      const created: Session = {
        server,
        transport,
        handle: toNodeHandler(
          { fetch: (request, requestOptions) => transport.handleRequest(request, requestOptions) },
          { onerror: reportError, maxRequestBodySize: maxBodyBytes },
        ),
        inflight: 0,
        closed: false,
      };
      session = created;
      // Covers DELETE, a client going away, and our own close: whatever closes the transport.
      transport.onclose = () => void closeSession(created, 'closed');
      await server.connect(transport);
      track(created, res);
      await created.handle(req, res, body);
      // close() may have run while the session was being opened, before it was listed.
      if (closing !== undefined) await closeSession(created, 'server closing');
    } catch (error) {
      reportError(asError(error));
      if (!res.headersSent) sendJsonError(res, 500, 'internal error: could not open an MCP session');
    } finally {
      pendingSessions--;
    }
    // A rejected initialize leaves a transport that will never get a session id.
    if (session !== undefined && session.id === undefined) await closeSession(session, 'initialize failed');
  };

  const handleStateful = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const sessionId = singleHeader(req.headers['mcp-session-id']);
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        // 404 tells a 2025-era client to start a new session with initialize.
        sendJsonError(
          res,
          404,
          `MCP session ${sessionId} not found: it was closed or expired; initialize again`,
          -32001,
        );
        return;
      }
      track(session, res);
      await session.handle(req, res, body);
      return;
    }
    if (!(await isLegacyRequest(headersOnlyRequest(req), body))) {
      await handleStateless(req, res, body);
      return;
    }
    if (isInitialize(body)) {
      await openSession(req, res, body);
      return;
    }
    sendJsonError(res, 400, 'missing Mcp-Session-Id header: send initialize first to open a session');
  };

  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    res.once('close', () =>
      logger.debug('HTTP request', {
        method: req.method,
        url: req.url,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      }),
    );
    if (closing !== undefined) {
      sendJsonError(res, 503, 'the server is shutting down');
      return;
    }
    const hostCheck = validateHostHeader(singleHeader(req.headers.host), allowedHosts);
    if (!hostCheck.ok) {
      const hint =
        hostCheck.errorCode === 'invalid_host'
          ? ': add the name with --allowed-host if it is this server'
          : '';
      reject(res, 403, `${hostCheck.message}${hint}`);
      return;
    }
    const originCheck = validateOriginHeader(singleHeader(req.headers.origin), allowedOrigins);
    if (!originCheck.ok) {
      reject(
        res,
        403,
        `${originCheck.message}: add it with --allowed-origin to let that web page call this server`,
      );
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end(req.method === 'HEAD' ? undefined : 'ok');
      return;
    }
    if (url.pathname !== path) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`not found: MCP is served at ${path}\n`);
      return;
    }
    if (expectedDigest !== undefined) {
      const failure = checkBearer(req.headers.authorization, expectedDigest);
      if (failure !== undefined) {
        reject(res, 401, failure.message, {
          'www-authenticate': `Bearer realm="headroom"${failure.invalid ? ', error="invalid_token"' : ''}`,
        });
        return;
      }
    }
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBody(req, maxBodyBytes);
      if (read === 'too-large') {
        reject(
          res,
          413,
          `request body too large: the limit is ${formatBytes(maxBodyBytes)} (maxBodyBytes); send smaller arguments or raise the limit`,
        );
        lingerThenClose(req);
        return;
      }
      try {
        body = JSON.parse(read.toString('utf8'));
      } catch {
        sendJsonError(res, 400, 'parse error: the request body is not valid JSON', -32700);
        return;
      }
    }
    if (options.mode === 'stateful') await handleStateful(req, res, body);
    else await handleStateless(req, res, body);
  };

  const reject = (res: ServerResponse, status: number, message: string, headers?: Record<string, string>) => {
    logger.warn('HTTP request rejected', { status, reason: message });
    sendJsonError(res, status, message, -32000, headers);
  };

  const httpServer = createServer((req, res) => {
    listener(req, res).catch((error: unknown) => {
      reportError(asError(error));
      if (!res.headersSent) sendJsonError(res, 500, 'internal error', -32603);
      else res.destroy();
    });
  });
  await listen(httpServer, options.port, host);
  const address = httpServer.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${urlHost(host)}:${port}${path}`;
  logger.info('serving MCP over HTTP', {
    url,
    mode: options.mode,
    auth: token === undefined ? 'none' : 'bearer',
  });

  const close = () => {
    closing ??= (async () => {
      await Promise.all([...sessions.values()].map((session) => closeSession(session, 'server closing')));
      await handler.close();
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Open SSE streams and keep-alive sockets would hold close() open indefinitely.
      httpServer.closeAllConnections();
      await stopped;
      logger.info('stopped serving MCP over HTTP', { url });
    })();
    return closing;
  };
  return { url, close };
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${urlHost(host)}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(new UsageError(`cannot listen on ${where}: the port is in use; pick another with --port`));
      } else if (error.code === 'EACCES') {
        reject(new UsageError(`cannot listen on ${where}: permission denied; use a port above 1023`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new UsageError(`cannot listen on ${where}: ${host} is not an address of this machine`));
      } else {
        reject(new ListenError(`cannot listen on ${where}: ${error.message}`, error));
      }
    };
    server.once('error', onError);
    server.listen(port, stripBrackets(host), () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Reads a body up to `limit` bytes; past it, stops buffering and drains the rest unread. */
/** How long the rest of a refused body is read and dropped before the connection is cut. */
const LINGER_MS = 2000;

/**
 * After a 413, the client may still be sending its body: closing at once would make it fail its
 * next write with a reset, before it reads the answer. So the rest is read and dropped (readBody
 * keeps consuming), and the connection is cut only if the body has not ended within LINGER_MS.
 */
function lingerThenClose(req: IncomingMessage): void {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(singleHeader(req.headers['content-length']));
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}

interface BearerFailure {
  message: string;
  /** A token was sent but is not the right one (as opposed to none sent). */
  invalid: boolean;
}

function checkBearer(header: string | undefined, expectedDigest: Buffer): BearerFailure | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (match === null) {
    return {
      message: 'missing bearer token: send the header "Authorization: Bearer <token>"',
      invalid: false,
    };
  }
  // Digests have equal lengths whatever was sent, so the comparison time says nothing about the token.
  if (!timingSafeEqual(sha256(match[1] as string), expectedDigest)) {
    return {
      message: 'invalid bearer token: it does not match the token the server was started with',
      invalid: true,
    };
  }
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sendJsonError(
  res: ServerResponse,
  status: number,
  message: string,
  code = -32000,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function isInitialize(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';
}

/** What the SDK's era classifier reads besides the body: the method and the MCP headers. */
function headersOnlyRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(new URL(req.url ?? '/', 'http://localhost'), { method: req.method ?? 'GET', headers });
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function urlHost(host: string): string {
  const bare = stripBrackets(host);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** Hostnames as `validateHostHeader` compares them: lower case, IPv6 in brackets, no port. */
function normalizeHostname(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if (isIP(stripBrackets(trimmed)) === 6) return `[${stripBrackets(trimmed)}]`;
  try {
    return new URL(`http://${trimmed}`).hostname;
  } catch {
    return trimmed;
  }
}

function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\/\*$/.test(trimmed)) return trimmed;
  if (trimmed.includes('://')) {
    try {
      return new URL(trimmed).hostname;
    } catch {
      return trimmed;
    }
  }
  return normalizeHostname(trimmed);
}

export function isLoopback(host: string): boolean {
  const bare = stripBrackets(host).toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)) return true;
  return /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function isWildcard(host: string): boolean {
  const bare = stripBrackets(host);
  return bare === '0.0.0.0' || bare === '::';
}

/**
 * The names a client may legitimately put in `Host` for the bound address. A wildcard bind is
 * reached through any local address, and the machine's own addresses cannot be rebound by DNS.
 */
function boundHostnames(host: string): string[] {
  if (!isWildcard(host)) return [normalizeHostname(host)];
  const names: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      names.push(address.family === 'IPv6' ? `[${address.address.split('%')[0]}]` : address.address);
    }
  }
  return names;
}
