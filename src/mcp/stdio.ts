/**
 * Serving an MCP server over stdio. The v2 SDK's serving entry tells the two protocol eras apart
 * (2026-07-28 requests without a handshake, and 2025 `initialize` clients such as the MCP Inspector
 * 0.15) and asks a factory for a fresh server when the first message shows which one it is.
 */
import type { Readable, Writable } from 'node:stream';
import type {
  JSONRPCMessage,
  McpServer,
  McpServerFactory,
  MessageExtraInfo,
  Server,
  Transport,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as sdkServeStdio } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../log/logger.js';
import { formatBytes } from '../util/bytes.js';
import { LineGuard } from './line-guard.js';
import { rawResultParts } from './raw-json.js';

export type ServerFactory = McpServerFactory;

export interface ServeStdioOptions {
  stdin?: Readable;
  stdout?: Writable;
  /** Where protocol errors go; stdout carries nothing but protocol messages. */
  logger?: Logger;
  /** Stops serving when it fires, as if stdin had closed. */
  signal?: AbortSignal;
  /** A longer message is dropped (and logged) rather than ending the connection; default 10 MiB. */
  maxMessageBytes?: number;
}

/** The longest message (line) read from stdin: the SDK transport's own default. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Listeners stdout may carry: two per answer waiting for the pipe. */
const MAX_PENDING_WRITES = 1000;

/**
 * Serves MCP over stdio until stdin closes (or `signal` fires). A factory serves both protocol
 * eras, since the SDK needs a fresh instance once the first message shows which era the client
 * speaks; a ready-made server instance can only be connected as is and so serves 2025-era
 * (`initialize`) clients only.
 */
export async function serveStdio(
  serverOrFactory: ServerFactory | Server | McpServer,
  options: ServeStdioOptions = {},
): Promise<void> {
  if (options.signal?.aborted) return;
  const logger = options.logger?.child({ component: 'mcp-stdio' });
  const stdout = options.stdout ?? process.stdout;
  // The SDK's transport adds a 'drain' and an 'error' listener to stdout for every message that
  // waits for the pipe; a few dozen concurrent large answers pass Node's default of 10 and print a
  // false "possible memory leak" warning. Each waiting message is an answer in flight, so the
  // count stays bounded by the requests the client has open.
  if (stdout.getMaxListeners() < MAX_PENDING_WRITES) stdout.setMaxListeners(MAX_PENDING_WRITES);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const guard = new LineGuard(maxMessageBytes, (bytes, id) => {
    const message =
      `the message of ${formatBytes(bytes)} is over the ${formatBytes(maxMessageBytes)} limit of one stdio ` +
      'message and was dropped: send smaller arguments';
    logger?.error(`${message}${id === undefined ? ' (its id could not be read, so it got no answer)' : ''}`);
    // Invalid Request, answered as the SDK would answer any request it could not take.
    if (id !== undefined)
      stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message } })}\n`);
  });
  const input = options.stdin ?? process.stdin;
  input.pipe(guard);
  // The SDK's own limit stays above the guard's: lines arrive whole and under it, but a chunk may
  // carry the end of one line and the start of the next.
  const wire = new StdioServerTransport(guard, stdout, { maxBufferSize: 2 * maxMessageBytes + 1024 * 1024 });
  const ended = new Promise<void>((resolve) => {
    const observed = new ClosingObserver(wire, stdout, resolve);
    const onerror = (error: Error) => logger?.warn('MCP stdio error', { error: error.message });
    if (typeof serverOrFactory === 'function') {
      const handle = sdkServeStdio(serverOrFactory, { transport: observed, onerror });
      options.signal?.addEventListener('abort', () => void handle.close(), { once: true });
    } else {
      serverOrFactory.connect(observed).catch((error: unknown) => {
        onerror(error instanceof Error ? error : new Error(String(error)));
        resolve();
      });
      options.signal?.addEventListener('abort', () => void serverOrFactory.close(), { once: true });
    }
  });
  await ended;
  // As the SDK's transport does with the stdin it reads: a stdin still read keeps the process alive.
  input.unpipe(guard);
  if (input.listenerCount('data') === 0) input.pause();
}

/**
 * Passes everything through to the stdio transport and reports when it closes. The SDK entry owns
 * the transport's callbacks, so the close has to be observed from between the two.
 */
class ClosingObserver implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly inner: StdioServerTransport,
    private readonly stdout: Writable,
    onClosed: () => void,
  ) {
    inner.onmessage = (message) => this.onmessage?.(message);
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      try {
        this.onclose?.();
      } finally {
        onClosed();
      }
    };
  }

  start(): Promise<void> {
    return this.inner.start();
  }
  send(message: JSONRPCMessage): Promise<void> {
    const parts = rawResultParts(message);
    return parts ? writeLine(this.stdout, parts) : this.inner.send(message);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Writes one line the way the SDK's transport does: resolved once written, or after a drain. Its
 * parts are all written before anything else can be, so no other message lands inside the line.
 */
function writeLine(stdout: Writable, parts: Iterable<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    let written = true;
    for (const part of parts) written = stdout.write(part);
    if (written) return resolve();
    const onDrain = () => {
      stdout.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stdout.off('drain', onDrain);
      reject(error);
    };
    stdout.once('drain', onDrain);
    stdout.once('error', onError);
  });
}
