import type { CommandDefinition, OptionSpec } from '../types.js';
import { readVersion } from '../version.js';
import { dashboardWanted, MONITORING_OPTIONS, option, SERVER_OPTIONS } from './openapi.js';
import { untilSignal } from './signals.js';

const CLOUDWAN_OPTIONS: readonly OptionSpec[] = [
  option('snapshot', 'cloudwan.snapshot', 'Serve this topology snapshot (NDJSON or JSON).', 'FILE'),
  option('generate', 'cloudwan.generate', 'Serve a generated topology of N elements.', 'N'),
  option('seed', 'cloudwan.seed', 'Seed of the generated topology (default 1).', 'S'),
  option(
    'core-network',
    'cloudwan.coreNetwork',
    'Core network to discover (when the account has several).',
    'ID',
  ),
  option('region', 'cloudwan.region', 'Network Manager home region (default us-west-2).', 'R'),
  option('policy-version', 'cloudwan.policyVersion', 'Policy version to read (default: LIVE).', 'N'),
  option(
    'ttl',
    'cloudwan.ttl',
    'Seconds before a discovered topology is discovered again (default 900).',
    'SECONDS',
  ),
  option('concurrency', 'cloudwan.concurrency', 'AWS requests in flight at most (default 8).', 'N'),
  option('max-attempts', 'cloudwan.maxAttempts', 'Attempts per AWS request (default 5).', 'N'),
  option(
    'response-budget',
    'cloudwan.responseBudget',
    'Tokens of a tool result (default 25000); longer lists are paged.',
    'TOKENS',
  ),
  option('lenient', 'cloudwan.lenient', 'Load snapshots with bad lines, skipping them with warnings.'),
];

export const cloudwanCommand: CommandDefinition = {
  name: 'cloudwan',
  summary: 'Serve an AWS Cloud WAN network (discovered, a snapshot, or generated) as MCP tools.',
  usage: `Starts an MCP server with read-only tools over an AWS Cloud WAN core network: core networks
and policies (with validation), attachments, peerings, route tables, path tracing, inspection
between segments, what-if attachment moves, the topology in chunks, and diagrams.

With --snapshot or --generate it serves that topology. With neither, it discovers the core
network through the AWS SDK: the standard credential chain (AWS_PROFILE, environment variables,
SSO, instance roles), the Network Manager API in its home region (us-west-2), EC2 in every region
of the core network's edges. AWS_ENDPOINT_URL_NETWORKMANAGER and AWS_ENDPOINT_URL_EC2 point the SDK
elsewhere. The discovered network is kept for --ttl seconds; refresh_topology reads it again.
Permissions that are missing are reported by the tools (topology_summary), and the rest is served.

IAM actions used (all read-only): networkmanager:ListCoreNetworks, GetCoreNetwork,
GetCoreNetworkPolicy, ListAttachments, GetVpcAttachment, GetSiteToSiteVpnAttachment,
GetConnectAttachment, GetTransitGatewayRouteTableAttachment, ListConnectPeers, GetConnectPeer,
ListPeerings, GetTransitGatewayPeering, GetNetworkRoutes; ec2:DescribeTransitGateways,
DescribeTransitGatewayRouteTables, SearchTransitGatewayRoutes, DescribeVpcs, DescribeSubnets.

Examples:
  headroom cloudwan --generate 5000
  headroom cloudwan --snapshot network.ndjson --transport http --port 3000
  AWS_PROFILE=network headroom cloudwan --core-network core-network-0123456789abcdef0`,
  options: [...CLOUDWAN_OPTIONS, ...SERVER_OPTIONS, ...MONITORING_OPTIONS],
  async run(ctx) {
    // The server's modules load only when this command runs, so `headroom --help` stays quick.
    const { runCloudWanServer } = await import('../../mcp/cloudwan-server.js');
    const controller = untilSignal();
    // One handler per process, so here beside the stop signals rather than in the server.
    const { startHeapSnapshotTriggers } = await import('../../profile/snapshot-triggers.js');
    const snapshots = startHeapSnapshotTriggers({ config: ctx.config, logger: ctx.logger, env: ctx.io.env });
    try {
      await runCloudWanServer({
        config: ctx.config,
        logger: ctx.logger,
        version: readVersion(),
        cwd: ctx.io.cwd,
        signal: controller.signal,
        dashboard: dashboardWanted(ctx),
      });
    } finally {
      controller.dispose();
      snapshots.dispose();
    }
    return 0;
  },
};
