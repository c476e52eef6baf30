/**
 * The dashboard's WebSocket clients: a `hello` with recent history on connect, then every sample
 * (or one per push period) and every alert change, as DashboardMessage JSON. The number of clients
 * and what may queue for each are bounded.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DashboardMessage, MemorySample, MonitorSource } from '../types.js';

export interface SocketOptions {
  source: MonitorSource;
  name: string;
  maxClients: number;
  /** Seconds of history in the hello. */
  helloSeconds: number;
  /** Most samples in the hello. */
  maxPoints: number;
  /** A client with more than this queued gets no samples until it catches up (alerts still go). */
  maxBufferedBytes: number;
  /** Push the latest sample at this period; undefined: on every sample. */
  pushIntervalMs: number | undefined;
  warn: (message: string) => void;
}

export interface DashboardSockets {
  /** Admits the connection when there is room, otherwise answers 503 on the raw socket. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Stops following the source, sends clients a close frame, and cuts off those that do not answer. */
  close(): Promise<void>;
}

/** Clients that do not answer a ping within this period are dropped, freeing their slot. */
const PING_INTERVAL_MS = 30_000;
/** How long close() waits for clients to acknowledge the close frame before cutting them off. */
const CLOSE_GRACE_MS = 1_000;

export function createDashboardSockets(options: SocketOptions): DashboardSockets {
  const { source, warn, maxBufferedBytes } = options;
  // The page sends nothing, so anything it sends may be small.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: false });
  const clients = new Map<WebSocket, { alive: boolean; behind: boolean }>();

  const connect = (ws: WebSocket) => {
    const state = { alive: true, behind: false };
    clients.set(ws, state);
    ws.on('pong', () => {
      state.alive = true;
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (error) => warn(`dashboard: WebSocket client error: ${error.message}`));
    const hello: DashboardMessage = {
      type: 'hello',
      history: source.history(options.helloSeconds, options.maxPoints),
      tools: source.toolStats(),
      alerts: source.activeAlerts(),
      alertHistory: source.alertHistory(),
      name: options.name,
    };
    ws.send(JSON.stringify(hello));
  };

  /** Serialises once for all clients; samples skip clients too far behind, alerts always go. */
  const broadcast = (message: DashboardMessage) => {
    if (clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const [ws, state] of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      const behind = ws.bufferedAmount > maxBufferedBytes;
      if (behind && !state.behind) {
        warn(
          `dashboard: a WebSocket client is over ${maxBufferedBytes} bytes behind (maxBufferedBytes); skipping samples until it catches up`,
        );
      }
      state.behind = behind;
      if (behind && message.type === 'sample') continue;
      ws.send(text);
    }
  };

  const pushSample = (sample: MemorySample) =>
    broadcast({ type: 'sample', sample, tools: source.toolStats(), alerts: source.activeAlerts() });
  const stopAlerts = source.onAlert((alert) => broadcast({ type: 'alert', alert }));
  let stopSamples = () => {};
  let pushTimer: NodeJS.Timeout | undefined;
  if (options.pushIntervalMs === undefined) {
    stopSamples = source.onSample(pushSample);
  } else {
    // What is already there goes out in each client's hello.
    let lastPushed = source.latest()?.t;
    pushTimer = setInterval(() => {
      const sample = source.latest();
      if (sample === undefined || sample.t === lastPushed) return;
      lastPushed = sample.t;
      pushSample(sample);
    }, options.pushIntervalMs);
    pushTimer.unref();
  }
  const pingTimer = setInterval(() => {
    for (const [ws, state] of clients) {
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pingTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    accept(req, socket, head) {
      if (closing !== undefined) return rejectUpgrade(socket, 503, 'the dashboard is shutting down');
      if (clients.size >= options.maxClients) {
        warn(`dashboard: refused a WebSocket client: ${options.maxClients} are connected (maxClients)`);
        return rejectUpgrade(
          socket,
          503,
          `too many dashboard clients: ${options.maxClients} are connected, the maxClients limit; close a tab or raise the limit`,
        );
      }
      wss.handleUpgrade(req, socket, head, connect);
    },
    close() {
      closing ??= (async () => {
        stopAlerts();
        stopSamples();
        clearInterval(pushTimer);
        clearInterval(pingTimer);
        const open = [...clients.keys()];
        const ended = open.map((ws) => new Promise((done) => ws.once('close', done)));
        for (const ws of open) ws.close(1001, 'the dashboard is shutting down');
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise((done) => {
          timer = setTimeout(done, CLOSE_GRACE_MS);
        });
        await Promise.race([Promise.all(ended), grace]);
        clearTimeout(timer);
        for (const ws of clients.keys()) ws.terminate();
        wss.close();
      })();
      return closing;
    },
  };
}

/** Answers an upgrade request with a plain HTTP error, since no WebSocket exists yet. */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
