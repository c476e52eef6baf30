/**
 * The dashboard's small HTTP server: the page and uPlot (static.ts), the JSON API, Prometheus
 * `/metrics` (../prometheus.ts) and the WebSocket `/ws` (websocket.ts). It reads a MonitorSource
 * and owns no metrics of its own.
 *
 * Access (access.ts): loopback by default, with the Host header checked; a token anywhere else.
 * The page's files carry no data and are served without the token, so that `<script src>` works;
 * `/`, the API, `/metrics` and `/ws` need it.
 *
 * Everything is read-only but `POST /api/heap-snapshot`, which writes a heap snapshot of the process
 * to a folder of its own and answers where: one at a time (409 meanwhile), under the same checks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ListenError, UsageError } from '../../errors.js';
import {
  defaultHeapSnapshotDir,
  HeapSnapshotTaker,
  snapshotFailure,
  snapshotWritten,
} from '../../profile/snapshot-triggers.js';
import { MemoryMonitor } from '../monitor.js';
import { createPrometheusRegistry } from '../prometheus.js';
import type { MonitorSource } from '../types.js';
import { createAccess, stripBrackets, urlHost } from './access.js';
import { createStaticFiles } from './static.js';
import { createDashboardSockets, rejectUpgrade } from './websocket.js';

export interface DashboardOptions {
  /** What to show; default a MemoryMonitor of this process, started here and stopped on close. */
  source?: MonitorSource;
  /** Shown on the page, e.g. 'headroom cloudwan (generated 5,000 elements)'. */
  name?: string;
  /** Default 127.0.0.1. Anything but a loopback address requires `token`. */
  host?: string;
  /** Default 9464; 0 picks a free port (see `url`). */
  port?: number;
  /** Checked as `Authorization: Bearer <token>` or `?token=`. */
  token?: string;
  /** Push the latest sample at this period; default: on every sample. */
  pushIntervalMs?: number;
  /** WebSocket clients at most (default 20). */
  maxClients?: number;
  onWarning?: (message: string) => void;
  /** Where notable events go, such as a heap snapshot written. */
  onInfo?: (message: string) => void;
  /** Folder of the snapshots POST /api/heap-snapshot writes; default `$XDG_CACHE_HOME/headroom/heap-snapshots`. */
  heapSnapshotDir?: string;
  /** The page folder; default: found beside this module or in the package (static.ts). */
  pageDir?: string;
  /** More Host names to accept on a loopback bind, e.g. the name a reverse proxy forwards. */
  allowedHosts?: string[];
  /** Seconds of history in the WebSocket hello (default 600). */
  helloSeconds?: number;
  /** Most samples in the hello and in /api/metrics/history (default 600). */
  maxPoints?: number;
  /** A client with more than this queued is skipped for samples until it catches up (default 4 MiB). */
  maxBufferedBytes?: number;
}

export interface Dashboard {
  /** The page, e.g. `http://127.0.0.1:9464/`. */
  url: string;
  /** The monitor started for it when no `source` was given (register components on it). */
  monitor?: MemoryMonitor;
  /** Ends WebSocket clients and the listener; safe twice. */
  close(): Promise<void>;
}

export const DEFAULT_DASHBOARD_PORT = 9464;
export const DEFAULT_MAX_CLIENTS = 20;
export const DEFAULT_HELLO_SECONDS = 600;
export const DEFAULT_MAX_POINTS = 600;
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const HEAP_SNAPSHOT_PATH = '/api/heap-snapshot';
/** Window of /api/metrics/history without `duration`, and the longest it accepts, in seconds. */
export const DEFAULT_HISTORY_SECONDS = 3600;
export const MAX_HISTORY_SECONDS = 86_400;

const ENDPOINTS = [
  'GET / (the dashboard page)',
  'GET /api/metrics',
  `GET /api/metrics/history?duration=SECONDS (1..${MAX_HISTORY_SECONDS})&points=N`,
  'GET /api/alerts',
  'GET /api/alerts/history',
  'POST /api/heap-snapshot (writes a heap snapshot; pauses the process about a second per 100 MB of heap)',
  'GET /metrics (Prometheus text)',
  'GET /ws (WebSocket)',
];

export async function createMemoryDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const { source } = options;
  if (source) return serveDashboard({ ...options, source });
  const monitor = new MemoryMonitor(options.onWarning ? { onWarning: options.onWarning } : {});
  monitor.start();
  try {
    const dashboard = await serveDashboard({ ...options, source: monitor });
    return {
      url: dashboard.url,
      monitor,
      close: async () => {
        await dashboard.close();
        monitor.stop();
      },
    };
  } catch (error) {
    monitor.stop();
    throw error;
  }
}

async function serveDashboard(options: DashboardOptions & { source: MonitorSource }): Promise<Dashboard> {
  const { source } = options;
  const name = options.name ?? 'headroom';
  const host = options.host ?? '127.0.0.1';
  const port = integer('port', options.port, DEFAULT_DASHBOARD_PORT, 0, 65_535);
  const maxPoints = integer('maxPoints', options.maxPoints, DEFAULT_MAX_POINTS, 2);
  const socketOptions = {
    source,
    name,
    maxClients: integer('maxClients', options.maxClients, DEFAULT_MAX_CLIENTS, 1),
    helloSeconds: integer(
      'helloSeconds',
      options.helloSeconds,
      DEFAULT_HELLO_SECONDS,
      1,
      MAX_HISTORY_SECONDS,
    ),
    maxPoints,
    maxBufferedBytes: integer('maxBufferedBytes', options.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES, 1),
    pushIntervalMs:
      options.pushIntervalMs === undefined
        ? undefined
        : integer('pushIntervalMs', options.pushIntervalMs, 0, 1),
    warn: options.onWarning ?? (() => {}),
  };
  const { warn } = socketOptions;
  const info = options.onInfo ?? (() => {});
  const snapshots = new HeapSnapshotTaker(options.heapSnapshotDir ?? defaultHeapSnapshotDir());
  const access = createAccess({
    host,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.allowedHosts !== undefined ? { allowedHosts: options.allowedHosts } : {}),
  });
  const files = createStaticFiles(options.pageDir === undefined ? {} : { pageDir: options.pageDir });

  // Subscribed only once everything that can throw has run, so a failed start leaves nothing behind.
  const prometheus = createPrometheusRegistry(source);
  const sockets = createDashboardSockets(socketOptions);
  let closing: Promise<void> | undefined;

  /** The JSON endpoints: [status, body], or undefined when `pathname` is not one of them. */
  const answerApi = (pathname: string, query: URLSearchParams): [number, unknown] | undefined => {
    switch (pathname) {
      case '/api/metrics':
        return [
          200,
          {
            name,
            sample: source.latest() ?? null,
            details: source.componentDetails?.() ?? {},
            tools: source.toolStats(),
            alerts: source.activeAlerts(),
          },
        ];
      case '/api/metrics/history': {
        const duration = queryInteger(query, 'duration', DEFAULT_HISTORY_SECONDS, 1, MAX_HISTORY_SECONDS);
        if (typeof duration === 'string') return [400, { error: duration }];
        const points = queryInteger(query, 'points', maxPoints, 2, maxPoints);
        if (typeof points === 'string') return [400, { error: points }];
        return [200, { duration, samples: source.history(duration, points) }];
      }
      case '/api/alerts':
        return [200, { alerts: source.activeAlerts() }];
      case '/api/alerts/history':
        return [200, { alerts: source.alertHistory() }];
      default:
        return undefined;
    }
  };

  /** Writes a heap snapshot and answers `{ path, bytes, ms }`; 409 while one is being written. */
  const answerHeapSnapshot = async (req: IncomingMessage, res: ServerResponse) => {
    const taking = snapshots.take();
    if (taking === undefined) {
      return sendJson(req, res, 409, {
        error: 'a heap snapshot is being written already: wait for it to finish, then ask again',
      });
    }
    try {
      const file = await taking;
      info(`dashboard: ${snapshotWritten(file)}`);
      return sendJson(req, res, 200, file);
    } catch (error) {
      const message = snapshotFailure(snapshots.dir, error);
      warn(`dashboard: ${message}`);
      return sendJson(req, res, 500, { error: message });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (closing !== undefined) return sendJson(req, res, 503, { error: 'the dashboard is shutting down' });
    const url = new URL(req.url ?? '/', 'http://dashboard');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return sendJson(req, res, 400, { error: `malformed percent-encoding in the path ${url.pathname}` });
    }
    // The one route that changes anything takes POST only, so that a link or a prefetch cannot.
    const allowed = pathname === HEAP_SNAPSHOT_PATH ? ['POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(req.method ?? '')) {
      const error = `method ${req.method} not allowed: ${pathname === HEAP_SNAPSHOT_PATH ? pathname : 'the dashboard'} answers ${allowed.join(' and ')}`;
      return sendJson(req, res, 405, { error }, { allow: allowed.join(', ') });
    }
    const needsToken =
      pathname === '/' ||
      pathname === '/index.html' ||
      pathname === '/metrics' ||
      pathname === '/ws' ||
      pathname.startsWith('/api/');
    const refusal = access.refuse(req, url, needsToken);
    if (refusal !== undefined) {
      warn(`dashboard: refused ${req.method} ${pathname} with ${refusal[0]}: ${refusal[1]}`);
      const headers: Record<string, string> =
        refusal[0] === 401 ? { 'www-authenticate': 'Bearer realm="headroom dashboard"' } : {};
      return sendJson(req, res, refusal[0], { error: refusal[1] }, headers);
    }
    if (pathname === HEAP_SNAPSHOT_PATH) return answerHeapSnapshot(req, res);
    const api = answerApi(pathname, url.searchParams);
    if (api !== undefined) return sendJson(req, res, api[0], api[1]);
    if (pathname === '/metrics') {
      return send(req, res, 200, await prometheus.metrics(), prometheus.registry.contentType);
    }
    if (pathname === '/ws') {
      const error = '/ws is a WebSocket endpoint: connect with a WebSocket client';
      return sendJson(req, res, 426, { error }, { upgrade: 'websocket' });
    }
    const served = await files.serve(pathname, req, res);
    if (served === 'forbidden') {
      return sendJson(req, res, 403, {
        error: `path not allowed: ${pathname} (only the page's own files are served)`,
      });
    }
    if (served === 'not-found') {
      return sendJson(req, res, 404, { error: `not found: ${pathname}`, endpoints: ENDPOINTS });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      warn(`dashboard: ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).message}`);
      if (!res.headersSent)
        sendJson(req, res, 500, { error: 'internal error in the dashboard; see the server log' });
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A browser tab closing resets its connection; that is not worth a warning.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        warn(`dashboard: WebSocket connection error: ${error.message}`);
      }
    });
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (url.pathname !== '/ws')
      return rejectUpgrade(socket, 404, `no WebSocket at ${url.pathname}: connect to /ws`);
    const refusal = access.refuse(req, url, true) ?? access.refuseOrigin(req);
    if (refusal !== undefined) {
      warn(`dashboard: refused a WebSocket with ${refusal[0]}: ${refusal[1]}`);
      return rejectUpgrade(socket, refusal[0], refusal[1]);
    }
    sockets.accept(req, socket, head);
  });

  const stopFollowing = async () => {
    prometheus.close();
    await sockets.close();
  };
  try {
    await listen(server, port, host);
  } catch (error) {
    await stopFollowing();
    throw error;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${urlHost(host)}:${boundPort}/`;

  const close = () => {
    closing ??= (async () => {
      await stopFollowing();
      const stopped = new Promise<void>((done) => server.close(() => done()));
      // Keep-alive connections would hold server.close() open until they time out.
      server.closeAllConnections();
      await stopped;
    })();
    return closing;
  };
  return { url, close };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  type: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  send(req, res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

/** An integer query parameter within bounds, its default when absent, or a message saying what is allowed. */
function queryInteger(
  query: URLSearchParams,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number | string {
  const text = query.get(key);
  if (text === null) return fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (value >= min && value <= max) return value;
  return `bad ${key} ${JSON.stringify(text)}: use a whole number from ${min} to ${max}, e.g. ?${key}=${Math.min(max, 600)}`;
}

/** An integer option within bounds, or a UsageError naming the option. */
function integer(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max?: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`dashboard option ${option} is ${value}: use a whole number ${range}`);
  }
  return value;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `cannot serve the dashboard on ${urlHost(host)}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `${where}: the port is in use; pick another with --dashboard-port (0 picks a free one)`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new UsageError(`${where}: permission denied; use a port above 1023`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new UsageError(`${where}: ${host} is not an address of this machine`));
      } else {
        reject(new ListenError(`${where}: ${error.message}`, error));
      }
    };
    server.once('error', onError);
    server.listen(port, stripBrackets(host), () => {
      server.off('error', onError);
      resolve();
    });
  });
}
