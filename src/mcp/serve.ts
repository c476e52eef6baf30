/**
 * Serving a server factory over the configured transport until the input closes or the signal
 * fires: stdio (one server for the one client), or Streamable HTTP (a server per session or per
 * exchange). Shared by `headroom openapi` and `headroom cloudwan`.
 */
import type { Server } from '@modelcontextprotocol/server';
import type { HeadroomConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { serveStdio } from './stdio.js';

export interface ServeOptions {
  config: HeadroomConfig;
  logger: Logger;
  /** Shown when stdin is a terminal: how to connect a client, e.g. `headroom openapi <spec>`. */
  command: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/**
 * A server for one connection; `transport` says which one takes its answers (a stdio server may
 * hand lists to the stdio writer as text: createMcpServer's `textLists`).
 */
export type TransportServerFactory = (transport: 'stdio' | 'http') => Server;

export async function serveMcp(factory: TransportServerFactory, options: ServeOptions): Promise<void> {
  const { config, logger } = options;
  if (config.server.transport === 'stdio') {
    const stdin = (options.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
    if (stdin.isTTY) {
      logger.info(
        'waiting for an MCP client on stdin/stdout (JSON-RPC). Connect one, for example ' +
          `\`npx @modelcontextprotocol/inspector node dist/cli.js ${options.command}\`, or use --transport http; Ctrl-D stops.`,
      );
    }
    await serveStdio(() => factory('stdio'), {
      ...(options.stdin ? { stdin: options.stdin as never } : {}),
      ...(options.stdout ? { stdout: options.stdout as never } : {}),
      logger,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return;
  }
  const s = config.server;
  // Loaded only here: the HTTP side pulls in modules that a stdio server never needs.
  const { serveHttp } = await import('./http.js');
  const handle = await serveHttp(() => factory('http'), {
    host: s.host,
    port: s.port,
    path: s.path,
    mode: s.httpMode,
    ...(s.token ? { token: s.token } : {}),
    allowedHosts: s.allowedHosts,
    allowedOrigins: s.allowedOrigins,
    maxBodyBytes: s.maxBodySize,
    maxSessions: s.maxSessions,
    logger,
  });
  logger.info(`MCP over Streamable HTTP at ${handle.url}`);
  await new Promise<void>((resolveWait) => {
    if (options.signal?.aborted) return resolveWait();
    options.signal?.addEventListener('abort', () => resolveWait(), { once: true });
  });
  await handle.close();
}
