/**
 * `discoverCoreNetwork`: reads one Cloud WAN core network through the AWS APIs into a topology.
 * The phases run one after another, each with up to `concurrency` requests in flight: the core
 * network and its policy; attachments and peerings (listed); attachment details and Connect peers;
 * the network route tables; VPCs and subnets; transit gateways, their route tables and routes.
 * Records go into the builder as they arrive; attachments wait in a slim form for their CIDRs.
 * Calls that fail after the SDK's adaptive retries become problems, and discovery carries on.
 */

import { CloudWanError, throwIfAborted } from '../../errors.js';
import { TopologyBuilder } from '../../topology/builder.js';
import { assignRouteCidrs, listAttachments, readAttachmentDetails, writeAttachments } from './attachments.js';
import { createCloudWanClients } from './clients.js';
import { type CoreFacts, chooseCoreNetwork, discoverCore } from './core.js';
import { discoverGateways } from './gateways.js';
import { networkRoutes } from './network-manager.js';
import { NetworkRouteTables } from './network-routes.js';
import { discoverConnectPeers, listPeerings } from './peers.js';
import { ProblemLog, plural } from './problems.js';
import { forEachLimited, progress, type Run } from './run.js';
import type { DiscoverOptions, DiscoveryResult } from './types.js';
import { discoverVpcs } from './vpcs.js';

export const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

export async function discoverCoreNetwork(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new CloudWanError(
      `concurrency must be an integer from 1 to ${MAX_CONCURRENCY} (AWS requests in flight), not ${concurrency}`,
    );
  }
  const version = options.policyVersion;
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
    throw new CloudWanError(`policyVersion must be a positive integer, not ${version}`);
  }
  throwIfAborted(options.signal, 'discovery of the core network');
  const discoveredAt = new Date();
  const started = performance.now();
  const clients =
    options.clients ??
    createCloudWanClients(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts });
  const before = clients.callCounts();
  try {
    const problems = new ProblemLog(options.signal);
    const sink = new TopologyBuilder({
      source: 'discovery',
      lenient: true,
      // Only inconsistent AWS data gets here (the phases check ids before linking them).
      onWarning: (warning) =>
        problems.add(
          {
            service: 'networkmanager',
            operation: 'BuildTopology',
            merge: true,
            consequence: (n) => `${plural(n, 'record')} left out of the topology as inconsistent`,
          },
          'InconsistentRecord',
          warning.message,
        ),
    });
    const run: Run = {
      clients,
      nm: clients.networkManager,
      signal: options.signal,
      concurrency,
      sink,
      problems,
      onProgress: options.onProgress,
    };
    const summary = await chooseCoreNetwork(run, options.coreNetworkId);
    const core = await discoverCore(run, summary, version);
    const written = new Set<string>();
    const attachments = await listAttachments(run, core);
    const peerings = await listPeerings(run, core, written);
    await readAttachmentDetails(run, attachments);
    await discoverConnectPeers(run, core, attachments);
    const routeTables = await readNetworkRoutes(run, core);
    assignRouteCidrs(attachments, (fn) => routeTables.forEachPropagated(fn));
    await discoverVpcs(run, attachments, written);
    await discoverGateways(run, peerings, attachments, written);
    writeAttachments(run, core, attachments, written);
    throwIfAborted(options.signal, 'discovery of the core network');
    progress(run, 'build', 0, 1, 'building the topology');
    const topology = sink.build();
    routeTables.compact();
    progress(run, 'build', 1, 1, `built a topology of ${topology.elementCount} elements`);
    const result: DiscoveryResult = {
      topology,
      coreNetworkId: core.coreNetworkId,
      globalNetworkId: core.globalNetworkId,
      networkRoutes: routeTables,
      problems: problems.list(),
      calls: difference(clients.callCounts(), before),
      discoveredAt,
      ms: Math.round(performance.now() - started),
    };
    if (core.policyVersionId !== undefined) result.policyVersionId = core.policyVersionId;
    return result;
  } finally {
    if (!options.clients) clients.destroy();
  }
}

/** GetNetworkRoutes for each segment and function group at each of its edges. */
async function readNetworkRoutes(run: Run, core: CoreFacts): Promise<NetworkRouteTables> {
  const tables = new NetworkRouteTables();
  const work = core.tables.map((table) => ({
    ...table,
    slot: tables.reserve(table.kind, table.name, table.edge),
  }));
  await forEachLimited(run, 'network-routes', 'network route tables', work, async (table) => {
    const what = `${table.kind === 'segment' ? 'segment' : 'network function group'} ${table.name} at ${table.edge}`;
    try {
      const routes = await networkRoutes(
        run.nm,
        { globalNetworkId: core.globalNetworkId, coreNetworkId: core.coreNetworkId, ...table },
        run.signal,
      );
      tables.fill(table.slot, routes);
    } catch (error) {
      run.problems.fail(error, {
        service: 'networkmanager',
        operation: 'GetNetworkRoutes',
        resource: what,
        consequence: () => `the route table of ${what}, and the CIDRs of attachments only it shows`,
      });
    }
  });
  return tables;
}

/** Calls made since `before` (the clients may be shared by several discoveries over time). */
function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(after)) {
    const made = count - (before[key] ?? 0);
    if (made > 0) out[key] = made;
  }
  return out;
}
