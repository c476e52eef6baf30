/** Tools about core networks and their policies. */
import type { LoadedNetwork } from '../../cloudwan/network.js';
import { CloudWanError } from '../../errors.js';
import { parsePolicyText, validatePolicy } from '../../topology/policy/index.js';
import { attachmentsOfView, countBy, linked } from './describe.js';
import { type CloudWanTool, CORE_NETWORK_ID, readOnlyTool } from './tool.js';

const listCoreNetworks: CloudWanTool = {
  definition: readOnlyTool(
    'list_core_networks',
    'List core networks',
    'The Cloud WAN core networks: in the AWS account when serving discovered data, else in the loaded topology. Says which one the other tools answer about.',
    {},
    [],
    { openWorld: true },
  ),
  async run(_args, ctx) {
    const network = await ctx.network();
    const served = network.coreNetworkIds();
    if (ctx.aws) {
      const listed = await ctx.aws.listCoreNetworks(ctx.call.signal);
      return { coreNetworks: listed.map((c) => ({ ...c, served: served.includes(c.coreNetworkId) })) };
    }
    const view = network.view;
    return {
      coreNetworks: [...view.elementsOfType('core-network')].map((core) => {
        const global = [...view.incoming(core)]
          .map((c) => view.connectionSource(c))
          .find((e) => view.type(e) === 'global-network');
        return {
          coreNetworkId: view.id(core),
          ...(global !== undefined ? { globalNetworkId: view.id(global) } : {}),
          ...(view.state(core) ? { state: view.state(core) } : {}),
          ...(view.accountId(core) ? { ownerAccountId: view.accountId(core) } : {}),
          served: true,
        };
      }),
    };
  },
};

const getCoreNetwork: CloudWanTool = {
  definition: readOnlyTool(
    'get_core_network',
    'Core network summary',
    'One core network: its edges (regions and ASNs), segments and network function groups with their attachment counts, and counts of attachments by type, state and region, peerings, transit gateways and VPCs.',
    { core_network_id: CORE_NETWORK_ID },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    return coreNetworkSummary(network, args.string('core_network_id'));
  },
};

export function coreNetworkSummary(network: LoadedNetwork, id?: string): Record<string, unknown> {
  const analysis = network.analysis(id);
  const view = network.view;
  const core = analysis.coreNetwork;
  const attachments = attachmentsOfView(view).filter(
    (a) => !analysis.multiCore || analysis.coreEdges.has(linked(view, a, 'attached-to', 'edge')),
  );
  const domainCounts = countBy(attachments, (a) => view.segment(a));
  const global = [...view.incoming(core)]
    .map((c) => view.connectionSource(c))
    .find((e) => view.type(e) === 'global-network');
  return {
    coreNetworkId: analysis.coreNetworkId,
    ...(global !== undefined ? { globalNetworkId: view.id(global) } : {}),
    ...(view.state(core) ? { state: view.state(core) } : {}),
    ...(view.accountId(core) ? { ownerAccountId: view.accountId(core) } : {}),
    policyVersion: analysis.policy.version,
    ...(network.data.policyVersionId !== undefined ? { policyVersionId: network.data.policyVersionId } : {}),
    edges: analysis.edgeRegions.map((region) => {
      const edge = analysis.edgeByRegion.get(region) ?? -1;
      return { region, ...(edge >= 0 && view.asn(edge) !== undefined ? { asn: view.asn(edge) } : {}) };
    }),
    segments: analysis.rules.segments.map((s) => ({
      name: s.name,
      isolated: s.isolated,
      edges: s.edges,
      attachments: domainCounts[s.name] ?? 0,
    })),
    networkFunctionGroups: analysis.functionGroupNames.map((name) => ({
      name,
      attachments: domainCounts[name] ?? 0,
    })),
    attachments: {
      total: attachments.length,
      byType: countBy(attachments, (a) => view.type(a)),
      byState: countBy(attachments, (a) => view.state(a)),
      byRegion: countBy(attachments, (a) => view.region(a)),
    },
    peerings: view.elementsOfType('tgw-peering').length,
    transitGateways: view.elementsOfType('transit-gateway').length,
    vpcs: view.elementsOfType('vpc').length,
    ...(analysis.warnings.length > 0 ? { policyWarnings: analysis.warnings } : {}),
    ...(analysis.notes.length > 0 ? { notes: analysis.notes } : {}),
  };
}

const getPolicy: CloudWanTool = {
  definition: readOnlyTool(
    'get_core_network_policy',
    'Core network policy',
    'The core network policy document (the LIVE one the topology was read with, or another version when serving discovered data).',
    {
      core_network_id: CORE_NETWORK_ID,
      version: {
        type: 'integer',
        minimum: 1,
        description: 'Policy version id to read from AWS (default: the one served).',
      },
    },
    [],
    { openWorld: true },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const analysis = network.analysis(args.string('core_network_id'));
    const version = args.integer('version', 1, 2 ** 31 - 1);
    if (version === undefined || version === network.data.policyVersionId) {
      return {
        coreNetworkId: analysis.coreNetworkId,
        ...(network.data.policyVersionId !== undefined
          ? { policyVersionId: network.data.policyVersionId }
          : {}),
        policy: analysis.policy,
      };
    }
    if (!ctx.aws)
      throw new CloudWanError(
        `policy versions can only be read from AWS; ${network.data.source} holds one policy per core network (call without version)`,
      );
    const policy = await ctx.aws.readPolicy(analysis.coreNetworkId, version, ctx.call.signal);
    return { coreNetworkId: analysis.coreNetworkId, policyVersionId: version, policy };
  },
};

const validate: CloudWanTool = {
  definition: readOnlyTool(
    'validate_core_network_policy',
    'Validate a core network policy',
    'Checks a core network policy: its JSON structure, and semantic checks (unknown segments in actions, edge locations not in the configuration, overlapping static routes, isolated segments shared, CloudFormation intrinsic functions left in). Give the policy as an argument, or leave it out to check the served one.',
    {
      policy: {
        type: ['object', 'string'],
        description:
          'The policy document (JSON object, or JSON/YAML text); default: the served core network policy.',
      },
      core_network_id: CORE_NETWORK_ID,
    },
  ),
  async run(args, ctx) {
    const given = args.object('policy');
    if (typeof given === 'string') return withoutPolicy(parsePolicyText(given, 'the policy argument'));
    if (given !== undefined) return withoutPolicy(validatePolicy(given, 'the policy argument'));
    const network = await ctx.network();
    const analysis = network.analysis(args.string('core_network_id'));
    return withoutPolicy(validatePolicy(analysis.policy, `core network ${analysis.coreNetworkId}`));
  },
};

/** The report without the document echoed back: the model has it already. */
function withoutPolicy<T extends { policy?: unknown }>(report: T): Omit<T, 'policy'> {
  const { policy: _policy, ...rest } = report;
  return rest;
}

export const CORE_TOOLS: readonly CloudWanTool[] = [listCoreNetworks, getCoreNetwork, getPolicy, validate];
