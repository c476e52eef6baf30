/**
 * `headroom cloudwan`: serves a Cloud WAN network (a snapshot, a generated topology, or one
 * discovered through AWS) as read-only MCP tools over stdio or Streamable HTTP. A discovered
 * network is kept in memory for its time to live and discovered again after; the first discovery
 * starts at once, so the first question usually finds it done.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { LoadedNetwork } from '../cloudwan/network.js';
import { awsLoader, generatedLoader, snapshotLoader } from '../cloudwan/sources.js';
import { CloudWanState, type Loader } from '../cloudwan/state.js';
import type { HeadroomConfig } from '../config/schema.js';
import { CloudWanError, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { formatBytes } from '../util/bytes.js';
import { CloudWanTools } from './cloudwan/provider.js';
import { RenderStore } from './cloudwan/renders.js';
import type { AwsAccess } from './cloudwan/tool.js';
import { type Monitoring, serverMonitoring, startMonitoring } from './monitoring.js';
import { BYTES_PER_TOKEN } from './openapi-calls.js';
import { serveMcp } from './serve.js';
import { createMcpServer } from './server.js';

export interface CloudWanServerOptions {
  config: HeadroomConfig;
  logger: Logger;
  version: string;
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  signal?: AbortSignal;
  /** Start the monitor and its dashboard (monitoring.enabled, or --dashboard-port given). */
  dashboard?: boolean;
  /** A monitor shared with other servers of this process (headroom demo): used, left running. */
  monitoring?: Monitoring;
}

const INSTRUCTIONS =
  'Read-only tools over an AWS Cloud WAN network. Start with topology_summary or get_core_network; ' +
  'list_attachments and get_routes page with cursors; trace_network_path explains every hop. ' +
  'Every answer says in asOf where its data comes from and how old it is; refresh_topology reads it again.';

export async function runCloudWanServer(options: CloudWanServerOptions): Promise<void> {
  const { config, logger } = options;
  const c = config.cloudwan;
  const served = servedSource(options);
  const monitoring = await serverMonitoring(options, () =>
    startMonitoring(config, logger, `headroom cloudwan: ${served.label}`),
  );
  const state = new CloudWanState({
    loader: served.loader,
    ttlMs: c.ttl * 1000,
    onLoad: (network) => logLoad(logger, network),
  });
  // Exact bytes of the store (and of the route tables AWS reported), of the network served now.
  monitoring?.registerComponent('topology', () => state.peek()?.bytes() ?? 0);
  const renders = new RenderStore();
  const tools = new CloudWanTools({
    state,
    budgetBytes: c.responseBudget * BYTES_PER_TOKEN,
    renders,
    ...(served.aws ? { aws: served.aws } : {}),
    snapshotLoader: (path) => snapshotLoader(allowedPath(path, options), { lenient: c.lenient, label: path }),
  });
  // Loading starts now; a failure is logged here and reported again to the call that needs the data.
  state.current().catch((error: Error) => logger.warn(`loading ${served.label} failed: ${error.message}`));
  const factory = () =>
    createMcpServer({
      name: 'headroom-cloudwan',
      version: options.version,
      instructions: INSTRUCTIONS,
      tools,
      resources: renders,
      logger,
      ...(monitoring ? { onToolCall: monitoring.recordToolCall } : {}),
    });
  logger.info(`serving ${served.label}`, { transport: config.server.transport });
  try {
    await serveMcp(factory, {
      config,
      logger,
      command: 'cloudwan --generate 1000',
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    state.close();
    await served.close?.();
    await monitoring?.close();
  }
}

interface Served {
  loader: Loader;
  label: string;
  aws?: AwsAccess;
  close?: () => Promise<void> | void;
}

function servedSource(options: CloudWanServerOptions): Served {
  const c = options.config.cloudwan;
  if (c.snapshot !== undefined && c.generate !== undefined)
    throw new UsageError(
      'give --snapshot FILE or --generate N, not both (with neither, the network is discovered through AWS)',
    );
  if (c.snapshot !== undefined)
    return {
      loader: snapshotLoader(resolve(options.cwd, c.snapshot), { lenient: c.lenient, label: c.snapshot }),
      label: `snapshot ${c.snapshot}`,
    };
  if (c.generate !== undefined)
    return {
      loader: generatedLoader(c.generate, c.seed),
      label: `a generated topology of ${c.generate} elements`,
    };
  return awsSource(options.config);
}

function awsSource(config: HeadroomConfig): Served {
  const c = config.cloudwan;
  // The SDK loads with the first discovery, not at start-up: a snapshot server never pays for it.
  let clients: Promise<import('../cloudwan/discovery/index.js').CloudWanClients> | undefined;
  const getClients = async () => {
    clients ??= import('../cloudwan/discovery/index.js').then((d) =>
      d.createCloudWanClients({ maxAttempts: c.maxAttempts, region: c.region }),
    );
    return clients;
  };
  const discovery = async () => import('../cloudwan/discovery/index.js');
  const lazyLoader: Loader = async (signal, progress) =>
    awsLoader({
      clients: await getClients(),
      concurrency: c.concurrency,
      ...(c.coreNetwork !== undefined ? { coreNetworkId: c.coreNetwork } : {}),
      ...(c.policyVersion !== undefined ? { policyVersion: c.policyVersion } : {}),
    })(signal, progress);
  return {
    loader: lazyLoader,
    label: `AWS Cloud WAN (Network Manager in ${c.region}${c.coreNetwork ? `, core network ${c.coreNetwork}` : ''})`,
    aws: {
      listCoreNetworks: async (signal) => (await discovery()).listCoreNetworks(await getClients(), signal),
      readPolicy: async (id, version, signal) =>
        (await discovery()).readCoreNetworkPolicy(await getClients(), id, version, signal),
    },
    close: async () => {
      if (clients) (await clients).destroy();
    },
  };
}

/** A path the model may load: inside the working folder, or the folder of the served snapshot. */
function allowedPath(path: string, options: CloudWanServerOptions): string {
  const full = resolve(options.cwd, path);
  const roots = [options.cwd];
  if (options.config.cloudwan.snapshot !== undefined)
    roots.push(dirname(resolve(options.cwd, options.config.cloudwan.snapshot)));
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new CloudWanError(`no snapshot file at ${path} (looked in ${full})`);
  }
  const inside = roots.some((root) => {
    const rel = relative(realpathSync(root), real);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
  if (!inside)
    throw new CloudWanError(
      `${path} is outside the folders snapshots may be loaded from (${roots.join(', ')}); copy it into one, or start the server with --snapshot pointing at it`,
    );
  return real;
}

function logLoad(logger: Logger, network: LoadedNetwork): void {
  const d = network.data;
  logger.info(`loaded ${d.source}`, {
    elements: network.view.elementCount,
    connections: network.view.connectionCount,
    bytes: formatBytes(network.bytes()),
    ms: d.loadMs,
    ...(d.calls ? { awsCalls: Object.values(d.calls).reduce((a, b) => a + b, 0) } : {}),
    ...(d.problems.length > 0 ? { problems: d.problems.length } : {}),
  });
  for (const problem of d.problems.slice(0, 20))
    logger.warn(
      `discovery: ${problem.service}:${problem.operation}${problem.region ? ` in ${problem.region}` : ''} failed (${problem.code}): ${problem.consequence}${problem.permission ? `; needs ${problem.permission}` : ''}`,
    );
}
