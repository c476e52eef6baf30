/**
 * `headroom demo`: in one process, the demo API (a local upstream with a ~200 MB endpoint), the
 * OpenAPI MCP server on its spec and the Cloud WAN MCP server on a generated topology, both over
 * Streamable HTTP on loopback, and one dashboard that shows both. Once all answer it prints where
 * they are and how to connect (banner.ts), runs the self-check when asked or when stdin is not a
 * terminal (check.ts), and runs until Ctrl-C/SIGTERM, until stdin ends when it is not a terminal,
 * or right after the check with --check. Everything it started is stopped before it returns.
 *
 * The banner and the check's lines go to `out` (stdout in the CLI): this command is not an MCP
 * stdio server, so stdout is free for what the user asked to see, and logs stay on stderr.
 */
import { relative } from 'node:path';
import { HeadroomError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { runCloudWanServer } from '../mcp/cloudwan-server.js';
import { type Monitoring, startMonitoring } from '../mcp/monitoring.js';
import { runOpenApiServer } from '../mcp/openapi-server.js';
import { formatCount } from '../util/count.js';
import { banner } from './banner.js';
import { selfCheck } from './check.js';
import { type ConfigLoader, demoConfigs } from './config.js';
import { type DemoFiles, demoFiles } from './package-files.js';
import { settlePorts } from './ports.js';
import { DEFAULT_EXPORT_COUNT, type DemoUpstream, startDemoUpstream } from './upstream.js';

export const DEMO_HOST = '127.0.0.1';
export const DEFAULT_PORTS = { openapi: 3000, cloudwan: 3001, upstream: 3002, dashboard: 9464 } as const;
export const DEFAULT_ELEMENTS = 10_000;
/**
 * The demo API's key. Not a secret: the API is a local fake holding generated data; the key is
 * there to show credentials reaching an upstream from an environment variable, never from the model.
 */
export const DEMO_API_KEY = 'headroom-demo-key';
export const DEMO_API_KEY_ENV = 'HEADROOM_AUTH_DEMOKEY';
/** Longest wait for both MCP servers to answer (the spec is small; the topology loads after). */
const READY_MS = 60_000;

export interface DemoOptions {
  /** The real configuration loader with the command line's sources; the demo's settings go on top. */
  loadConfig: ConfigLoader;
  /** 0 picks a free port. */
  ports: { openapi: number; cloudwan: number; upstream: number; dashboard: number };
  /** Elements of the generated Cloud WAN topology. */
  elements: number;
  /** Run the self-check, then stop. */
  check: boolean;
  logger: Logger;
  version: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The banner and the self-check's lines. */
  out: { write(text: string): unknown };
  /** Default process.stdin; read to its end only when it is not a terminal. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; destroy?: () => unknown };
  /** Stops the demo (the CLI's fires on SIGINT and SIGTERM). */
  signal?: AbortSignal;
  /** The package's files (tests); found from this module by default. */
  files?: DemoFiles;
}

/** Runs the demo until it is stopped; 0, or 1 when the self-check failed. */
export async function runDemo(o: DemoOptions): Promise<number> {
  const files = o.files ?? demoFiles();
  const stdin = o.stdin ?? process.stdin;
  const interactive = stdin.isTTY === true;
  const checking = o.check || !interactive;
  const [openapiPort, cloudwanPort, dashboardPort, upstreamPort] = (await settlePorts(DEMO_HOST, [
    { option: '--openapi-port', port: o.ports.openapi },
    { option: '--cloudwan-port', port: o.ports.cloudwan },
    { option: '--dashboard-port', port: o.ports.dashboard },
    { option: '--upstream-port', port: o.ports.upstream },
  ])) as [number, number, number, number];
  const upstreamUrl = `http://${DEMO_HOST}:${upstreamPort}`;
  // Before anything starts, so a bad setting ends the demo with its message and nothing to undo.
  const configs = demoConfigs(o.loadConfig, {
    host: DEMO_HOST,
    openapiPort,
    cloudwanPort,
    dashboardPort,
    baseUrl: upstreamUrl,
    elements: o.elements,
  });
  const specShown = relative(files.root, files.spec);
  o.out.write(
    `headroom demo: starting the demo API, the OpenAPI and Cloud WAN MCP servers and the dashboard on ${DEMO_HOST}...\n`,
  );

  const stop = new AbortController();
  const forward = () => stop.abort();
  if (o.signal?.aborted) stop.abort();
  o.signal?.addEventListener('abort', forward, { once: true });
  const input = interactive ? undefined : watchInput(stdin);
  let upstream: DemoUpstream | undefined;
  let monitoring: Monitoring | undefined;
  let failure: unknown;
  let failed: () => void = () => {};
  const serverFailed = new Promise<void>((resolve) => {
    failed = resolve;
  });
  const running: Array<Promise<void>> = [];
  const watch = (server: Promise<void>) =>
    running.push(
      server.catch((error: unknown) => {
        failure ??= error;
        stop.abort();
        failed();
      }),
    );
  try {
    upstream = await startDemoUpstream({ host: DEMO_HOST, port: upstreamPort, apiKey: DEMO_API_KEY });
    monitoring = await startMonitoring(
      configs.monitoring,
      o.logger,
      `headroom demo: ${specShown} (OpenAPI) and a generated topology of ${formatCount(o.elements)} elements (Cloud WAN)`,
    );
    o.logger.addSecret(DEMO_API_KEY);
    watch(
      runOpenApiServer({
        config: configs.openapi,
        specs: [files.spec],
        logger: o.logger.child({ server: 'openapi' }),
        version: o.version,
        cwd: o.cwd,
        env: { ...o.env, [DEMO_API_KEY_ENV]: DEMO_API_KEY },
        signal: stop.signal,
        monitoring,
      }),
    );
    watch(
      runCloudWanServer({
        config: configs.cloudwan,
        logger: o.logger.child({ server: 'cloudwan' }),
        version: o.version,
        cwd: o.cwd,
        signal: stop.signal,
        monitoring,
      }),
    );
    const openapiUrl = `http://${DEMO_HOST}:${openapiPort}${configs.openapi.server.path}`;
    const cloudwanUrl = `http://${DEMO_HOST}:${cloudwanPort}${configs.cloudwan.server.path}`;
    await ready([openapiUrl, cloudwanUrl], stop.signal, () => failure !== undefined);
    if (stop.signal.aborted) return 0;

    o.out.write(
      banner({
        version: o.version,
        upstreamUrl,
        openapiUrl,
        cloudwanUrl,
        dashboardUrl: monitoring.url,
        specPath: files.spec,
        specShown,
        cliPath: files.cli,
        elements: o.elements,
        exportCount: DEFAULT_EXPORT_COUNT,
        responseBudget: configs.openapi.openapi.responseBudget,
        apiKey: { env: DEMO_API_KEY_ENV, value: DEMO_API_KEY },
        stopping: o.check
          ? 'It stops after the self-check (--check).'
          : interactive
            ? 'Ctrl-C stops it.'
            : 'stdin is not a terminal: it runs a self-check, then stops when stdin ends (or on Ctrl-C/SIGTERM).',
      }),
    );
    let passed = true;
    if (checking) {
      passed = await selfCheck(
        {
          openapiUrl,
          cloudwanUrl,
          dashboardUrl: monitoring.url,
          exportCount: DEFAULT_EXPORT_COUNT,
          elements: o.elements,
          responseBudget: configs.openapi.openapi.responseBudget,
          signal: stop.signal,
        },
        (line) => o.out.write(`${line}\n`),
      );
    }
    if (!o.check && passed && !stop.signal.aborted) {
      await Promise.race([
        new Promise<void>((resolve) =>
          stop.signal.addEventListener('abort', () => resolve(), { once: true }),
        ),
        serverFailed,
        ...(input ? [input.ended] : []),
      ]);
    }
    if (failure === undefined) o.out.write('headroom demo: stopping.\n');
    return passed ? 0 : 1;
  } finally {
    o.signal?.removeEventListener('abort', forward);
    stop.abort();
    await Promise.all(running);
    await monitoring?.close();
    await upstream?.close();
    input?.close();
    // A server that failed (a port taken meanwhile, say) is the demo's failure, reported as such.
    // biome-ignore lint/correctness/noUnsafeFinally: the failure must win over the return value.
    if (failure !== undefined) throw failure;
  }
}

/** Waits until every `/healthz` beside these MCP URLs answers 200, or the demo stops or fails. */
async function ready(urls: readonly string[], signal: AbortSignal, failed: () => boolean): Promise<void> {
  const started = performance.now();
  const pending = new Set(urls.map((url) => new URL('/healthz', url).toString()));
  while (pending.size > 0) {
    if (signal.aborted || failed()) return;
    if (performance.now() - started > READY_MS)
      throw new HeadroomError(
        'HR_DEMO_NOT_READY',
        `the MCP servers did not answer within ${READY_MS / 1000} s: ${[...pending].join(', ')}; --log-level info shows what they were doing`,
      );
    for (const url of pending) {
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) pending.delete(url);
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads a non-terminal stdin to its end (throwing the bytes away), to stop the demo when it ends. */
function watchInput(stdin: NonNullable<DemoOptions['stdin']>): { ended: Promise<void>; close(): void } {
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  const onData = () => {};
  stdin.on('data', onData);
  stdin.once('end', end);
  stdin.once('close', end);
  stdin.once('error', end);
  stdin.resume();
  return {
    ended,
    close() {
      stdin.off('data', onData);
      stdin.off('end', end);
      stdin.off('close', end);
      stdin.off('error', end);
      stdin.pause();
      // An open pipe would keep the process alive after the demo has stopped.
      stdin.destroy?.();
    },
  };
}
