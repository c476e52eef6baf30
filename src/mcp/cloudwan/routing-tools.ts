/** Tools about routes and paths: route tables, tracing, inspection, what-if moves. */
import type { LoadedNetwork } from '../../cloudwan/network.js';
import { CloudWanError, ToolArgumentError } from '../../errors.js';
import {
  MAX_ROUTE_LIMIT,
  routeTable,
  simulateAttachmentChange,
  traceNetworkPath,
} from '../../topology/analysis/index.js';
import { sendToInspection, sendViaInspection } from '../../topology/analysis/inspection.js';
import { cidrContains, parseCidr, parseIp } from '../../topology/cidr.js';
import { ATTACHMENT_TYPES } from '../../topology/model.js';
import type { Args } from './args.js';
import { findElement } from './describe.js';
import { fitPage, PAGE_PROPERTIES, pageOf, pageRequest } from './page.js';
import { type CloudWanTool, CORE_NETWORK_ID, readOnlyTool, text } from './tool.js';

const getRoutes: CloudWanTool = {
  definition: readOnlyTool(
    'get_routes',
    'Route table',
    'Routes of one route table: a segment at an edge, a network function group at an edge, or a Transit Gateway route table. With ip, also the route that address matches (longest prefix). Discovered networks answer with the routes AWS reports (GetNetworkRoutes); otherwise they are computed from the policy and the attachments.',
    {
      segment: text('Segment name (with edge).'),
      network_function_group: text('Network function group name (with edge).'),
      edge: text('Edge region of the segment or function group table.'),
      tgw_route_table_id: text('A Transit Gateway route table id (tgw-rtb-...), instead of a segment.'),
      ip: text('An IPv4 or IPv6 address to look up (longest-prefix match).'),
      source: {
        type: 'string',
        enum: ['auto', 'aws', 'computed'],
        description:
          'auto (default): the AWS routes when discovered, else computed; computed: always from the policy.',
      },
      core_network_id: CORE_NETWORK_ID,
      ...PAGE_PROPERTIES,
    },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const segment = args.string('segment');
    const group = args.string('network_function_group');
    const tgwTable = args.string('tgw_route_table_id');
    const chosen = [segment, group, tgwTable].filter((v) => v !== undefined).length;
    if (chosen !== 1)
      throw new ToolArgumentError(
        'get_routes: give exactly one of segment (with edge), network_function_group (with edge) or tgw_route_table_id',
      );
    const ipText = args.string('ip');
    const ip = ipText === undefined ? undefined : parseIp(ipText);
    if (ipText !== undefined && !ip)
      throw new ToolArgumentError(`get_routes: ip '${ipText}' is not an IPv4 or IPv6 address`);
    const source = args.oneOf('source', ['auto', 'aws', 'computed'] as const) ?? 'auto';
    const request = pageRequest(args, network.generation);
    if (tgwTable !== undefined) return tgwRoutes(network, tgwTable, ipText, request, ctx.budgetBytes);

    const name = (segment ?? group) as string;
    const kind = segment !== undefined ? 'segment' : 'network-function-group';
    const analysis = network.analysis(args.string('core_network_id'));
    const edge = args.string('edge');
    if (edge === undefined) {
      const facts = analysis.domains.get(name);
      throw new ToolArgumentError(
        `get_routes: edge is required with ${kind} '${name}'${facts ? `; it is at: ${facts.edges.join(', ')}` : ''}`,
      );
    }
    const discovered = network.data.networkRoutes;
    const hasTable =
      discovered?.tables().some((t) => t.kind === kind && t.name === name && t.edge === edge) ?? false;
    if (source === 'aws' && !hasTable)
      throw new CloudWanError(
        discovered
          ? `AWS returned no route table for ${kind} '${name}' at ${edge} (see topology_summary problems); use source computed`
          : `${network.data.source} was not discovered from AWS, so only computed routes exist; use source auto or computed`,
      );
    if (discovered && hasTable && source !== 'computed') {
      const match = ipText === undefined ? undefined : discovered.lookup(kind, name, edge, ipText);
      return fitPage(
        (limit) => {
          const page = discovered.routes(kind, name, edge, { offset: request.offset, limit });
          const end = request.offset + page.routes.length;
          return {
            table: { kind, name, edge },
            source: 'aws (GetNetworkRoutes)',
            ...(ipText !== undefined ? { ip: ipText, match: match ?? null } : {}),
            routes: page.routes,
            total: page.total,
            ...(end < page.total ? { nextCursor: `p${network.generation}.${end}` } : {}),
          };
        },
        request.limit,
        ctx.budgetBytes,
      );
    }
    const match = ip && ipText ? computedMatch(network, args, name, edge, ipText) : undefined;
    return fitPage(
      (limit) => {
        const page = routeTable(analysis, name, edge, { offset: request.offset, limit });
        const end = request.offset + page.routes.length;
        return {
          table: { kind: analysis.domains.get(name)?.kind ?? kind, name, edge },
          source: 'computed from the policy and attachments',
          ...(ipText !== undefined ? { ip: ipText, match: match ?? null } : {}),
          routes: page.routes,
          total: page.total,
          ...(end < page.total ? { nextCursor: `p${network.generation}.${end}` } : {}),
        };
      },
      request.limit,
      ctx.budgetBytes,
    );
  },
};

/** The most specific computed route containing `ip`, paging through the whole table. */
function computedMatch(network: LoadedNetwork, args: Args, name: string, edge: string, ipText: string) {
  const analysis = network.analysis(args.string('core_network_id'));
  const ip = parseIp(ipText);
  let best: { route: unknown; length: number } | undefined;
  for (let offset = 0; ip; offset += MAX_ROUTE_LIMIT) {
    const page = routeTable(analysis, name, edge, { offset, limit: MAX_ROUTE_LIMIT });
    for (const route of page.routes) {
      const cidr = parseCidr(route.destination);
      if (cidr && cidrContains(cidr, ip) && (!best || cidr.prefix > best.length))
        best = { route, length: cidr.prefix };
    }
    if (!page.truncated || page.routes.length === 0) break;
  }
  return best?.route;
}

function tgwRoutes(
  network: LoadedNetwork,
  id: string,
  ipText: string | undefined,
  request: { offset: number; limit: number },
  budgetBytes: number,
) {
  const view = network.view;
  const table = findElement(view, id, ['tgw-route-table'], 'Transit Gateway route table');
  const rows = [...view.routesOf(table)].map((r) => {
    const route = view.route(r);
    return {
      destination: route.destination,
      ...(route.target >= 0 ? { target: view.id(route.target), targetType: view.type(route.target) } : {}),
      state: route.state,
      origin: route.origin,
    };
  });
  const ip = ipText === undefined ? undefined : parseIp(ipText);
  let match: (typeof rows)[number] | undefined;
  let length = -1;
  for (const row of ip ? rows : []) {
    const cidr = parseCidr(row.destination);
    if (cidr && ip && cidrContains(cidr, ip) && cidr.prefix > length) {
      match = row;
      length = cidr.prefix;
    }
  }
  return fitPage(
    (limit) => {
      const page = pageOf(rows, { ...request, limit }, network.generation);
      return {
        table: { kind: 'tgw-route-table', id, region: view.region(table) },
        source: network.data.kind === 'aws' ? 'aws (SearchTransitGatewayRoutes)' : network.data.source,
        ...(ipText !== undefined ? { ip: ipText, match: match ?? null } : {}),
        routes: page.items,
        total: page.total,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
    request.limit,
    budgetBytes,
  );
}

const trace: CloudWanTool = {
  definition: readOnlyTool(
    'trace_network_path',
    'Trace a network path',
    'The path from a source IP to a destination IP through the core network: the source attachment (longest-prefix match), the route lookup at each edge, inspection where send-via or send-to applies, and delivery, every hop with the reason it was taken; or the reason the destination is unreachable.',
    {
      source_ip: text('Source IPv4 or IPv6 address (inside a VPC, VPN, Connect or DX prefix).'),
      destination_ip: text('Destination IPv4 or IPv6 address.'),
      core_network_id: CORE_NETWORK_ID,
    },
    ['source_ip', 'destination_ip'],
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const src = args.requiredString('source_ip');
    const dst = args.requiredString('destination_ip');
    for (const [name, value] of [
      ['source_ip', src],
      ['destination_ip', dst],
    ] as const) {
      if (!parseIp(value))
        throw new ToolArgumentError(`trace_network_path: ${name} '${value}' is not an IPv4 or IPv6 address`);
    }
    const analysis = network.analysis(args.string('core_network_id'));
    if (network.view.prefixMatches(src).length === 0)
      throw new CloudWanError(
        `source ${src} is outside every CIDR of ${network.data.source}; ${knownSpace(network)}`,
      );
    const started = performance.now();
    const result = traceNetworkPath(analysis, src, dst);
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    if (!result.reachable && network.view.prefixMatches(dst).length === 0)
      throw new CloudWanError(
        `destination ${dst} is outside every CIDR of ${network.data.source} and no route leads out to it (${result.reason ?? 'unreachable'}); ${knownSpace(network)}`,
      );
    return { source: src, destination: dst, ...result, ms };
  },
};

/** A few prefixes that do exist, so a model that guessed an address can pick a real one. */
function knownSpace(network: LoadedNetwork): string {
  const view = network.view;
  const examples: string[] = [];
  for (const type of ['vpc', 'vpn-attachment', 'dx-gateway-attachment'] as const) {
    const elements = view.elementsOfType(type);
    for (
      let i = 0;
      i < elements.length && examples.length < 6;
      i += Math.max(1, Math.floor(elements.length / 2))
    ) {
      const cidr = view.cidrs(elements[i] as number)[0];
      if (cidr) examples.push(`${cidr} (${view.id(elements[i] as number)})`);
    }
  }
  return examples.length > 0
    ? `prefixes that exist include ${examples.join(', ')}; list_attachments shows them all`
    : 'the topology has no CIDRs at all';
}

const detectInspection: CloudWanTool = {
  definition: readOnlyTool(
    'detect_inspection',
    'Inspection between segments',
    'Whether traffic between two segments is inspected by a network function group (send-via, or send-to for traffic leaving the segment), in which mode, and at which edge for each pair of edges; or how it flows otherwise (directly, shared, not at all).',
    {
      source_segment: text('The segment traffic starts in.'),
      destination_segment: text('The segment traffic goes to.'),
      core_network_id: CORE_NETWORK_ID,
    },
    ['source_segment', 'destination_segment'],
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const analysis = network.analysis(args.string('core_network_id'));
    const from = args.requiredString('source_segment');
    const to = args.requiredString('destination_segment');
    const facts = new Map([...analysis.domains].filter(([, f]) => f.kind === 'segment'));
    for (const name of [from, to]) {
      if (!facts.has(name))
        throw new CloudWanError(
          `unknown segment '${name}' in core network ${analysis.coreNetworkId}; segments: ${[...facts.keys()].join(', ')}`,
        );
    }
    const source = facts.get(from)!;
    const destination = facts.get(to)!;
    const reach = source.sees.get(to);
    const pairs = source.edges.flatMap((a) => destination.edges.map((b) => [a, b] as const));
    const answer: Record<string, unknown> = { sourceSegment: from, destinationSegment: to };
    if (reach?.kind === 'send-via') {
      const rule = reach.rule;
      return {
        ...answer,
        inspected: true,
        how: 'send-via',
        networkFunctionGroup: rule.nfg,
        mode: rule.mode,
        rule: `segment-actions[${rule.action}]`,
        edges: pairs.map(([a, b]) => ({
          sourceEdge: a,
          destinationEdge: b,
          inspectedAt: sendViaInspection(analysis, rule, a, b).map((point) => ({
            region: point.region,
            attachment: point.attachment >= 0 ? analysis.view.id(point.attachment) : null,
            why: point.why,
          })),
        })),
      };
    }
    const sendTo = source.sendTo;
    if (!reach && sendTo) {
      return {
        ...answer,
        inspected: true,
        how: 'send-to',
        networkFunctionGroup: sendTo.nfg,
        rule: `segment-actions[${sendTo.action}]`,
        note: `${from} does not see ${to}'s routes; its default route sends traffic to ${sendTo.nfg}, which delivers it only if its own table knows ${to}`,
        edges: source.edges.map((region) => {
          const point = sendToInspection(analysis, sendTo, region);
          return {
            sourceEdge: region,
            inspectedAt: point.region,
            attachment: point.attachment >= 0 ? analysis.view.id(point.attachment) : null,
            why: point.why,
          };
        }),
      };
    }
    if (!reach)
      return {
        ...answer,
        inspected: false,
        reachable: false,
        why:
          from === to
            ? `${from} isolates its attachments`
            : `${from} neither shares with ${to} nor sends to it through a function group`,
      };
    return {
      ...answer,
      inspected: false,
      reachable: true,
      how: reach.kind,
      why:
        reach.kind === 'own'
          ? `attachments of ${from} reach each other directly`
          : `routes are shared by segment-actions[${reach.kind === 'shared' ? reach.action : '?'}] without inspection`,
    };
  },
};

const simulate: CloudWanTool = {
  definition: readOnlyTool(
    'simulate_attachment_change',
    'Simulate moving an attachment',
    'What changes if an attachment moves to another segment: the segments and routes it gains and loses, route table changes, warnings. Nothing is changed in AWS.',
    {
      attachment_id: text('The attachment to move.'),
      segment: text('The segment (or network function group) to move it to.'),
      core_network_id: CORE_NETWORK_ID,
    },
    ['attachment_id', 'segment'],
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const analysis = network.analysis(args.string('core_network_id'));
    const attachmentId = args.requiredString('attachment_id');
    findElement(network.view, attachmentId, ATTACHMENT_TYPES, 'attachment');
    return simulateAttachmentChange(analysis, { attachmentId, segment: args.requiredString('segment') });
  },
};

export const ROUTING_TOOLS: readonly CloudWanTool[] = [getRoutes, trace, detectInspection, simulate];
