/**
 * Shared pieces of the security tests: the real `headroom openapi --transport http` process (its
 * MCP and dashboard URLs read from stderr), a loopback server that records every hit, raw HTTP
 * requests that may set any Host header, and the SDK's Streamable HTTP client. Every wait has a
 * deadline; children are tracked by the e2e Cleanup and ended by their pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Cleanup, NODE_ARGS, ROOT, waitForHttpUrl, within } from '../e2e/cli-helpers.js';

export const STEP_MS = 10_000;

export interface Served {
  child: ChildProcess;
  /** Where MCP is served, as the server's log says. */
  mcpUrl: string;
  /** The dashboard page, when it was turned on. */
  dashboardUrl?: string;
  stderr(): string;
  stdout(): string;
}

/**
 * Starts `headroom openapi ARGS --transport http --port 0` and waits for the line naming its URL.
 * The environment is the test's own minus any HEADROOM_ variable, plus `env`.
 */
export async function serveOpenApi(
  args: string[],
  cleanup: Cleanup,
  env: Record<string, string> = {},
): Promise<Served> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('HEADROOM_')),
  ) as Record<string, string>;
  const child = cleanup.track(
    spawn(process.execPath, [...NODE_ARGS, 'openapi', ...args, '--transport', 'http', '--port', '0'], {
      cwd: ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const { url: mcpUrl, stderr, stdout } = await waitForHttpUrl(child, STEP_MS);
  // The dashboard starts before the MCP listener, so its line is already there when it is on.
  const dashboardUrl = /dashboard at (http:\/\/[^\s;]+)/.exec(stderr())?.[1];
  return {
    child,
    mcpUrl,
    ...(dashboardUrl ? { dashboardUrl } : {}),
    stderr,
    stdout,
  };
}

export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Recorder {
  origin: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

export type Handler = (hit: Hit, res: ServerResponse) => void;

/** A loopback HTTP server that records every request; `handler` answers (default: 404). */
export async function startRecorder(handler?: Handler): Promise<Recorder> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      if (handler) handler(hit, res);
      else sendJson(res, 404, { error: `nothing at ${hit.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A port that was free a moment ago and has nothing listening on it now: connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * One HTTP request through node:http, which (unlike fetch) lets a test set any Host header.
 * `chunked`: the Buffer body goes in 64 KiB pieces without a content-length, as a streaming client
 * sends it, and stops once an answer has come. `declare`: a content-length larger than the body
 * sent, to see that the server answers from the header alone (the request is dropped after it).
 */
export function raw(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
    declare?: number;
  } = {},
): Promise<RawResponse> {
  return within(
    new Promise<RawResponse>((resolve, reject) => {
      let answered = false;
      const headers = { ...options.headers };
      if (options.declare !== undefined) headers['content-length'] = String(options.declare);
      const req = request(url, { method: options.method ?? 'GET', headers, timeout: STEP_MS }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          if (options.declare !== undefined || options.chunked) req.destroy();
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
      // Once answered, a reset of the rest of an over-size body is expected, not a failure.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      const { body } = options;
      if (body === undefined) req.end();
      else if (options.declare !== undefined) req.write(body);
      else if (options.chunked && Buffer.isBuffer(body)) {
        void (async () => {
          for (let at = 0; at < body.length && !answered && !req.destroyed; at += 64 * 1024) {
            if (!req.write(body.subarray(at, at + 64 * 1024))) await once(req, 'drain');
          }
          if (!answered && !req.destroyed) req.end();
        })().catch(() => undefined);
      } else req.end(body);
    }),
    STEP_MS,
    `${options.method ?? 'GET'} ${url}`,
  );
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A 2025-era initialize, the first request any client sends. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** The SDK client over Streamable HTTP; `token` goes in `Authorization: Bearer`. */
export async function connect(url: string, cleanup: Cleanup, token?: string): Promise<Client> {
  const client = new Client({ name: 'headroom-security', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  });
  cleanup.onRun(() => client.close());
  await within(client.connect(transport), STEP_MS, 'connecting over HTTP');
  return client;
}
