/** Tools that list and describe attachments and peerings. */
import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../../topology/model.js';
import { attachmentsOfView, briefElement, findElement, fullElement, linked } from './describe.js';
import { fitPage, PAGE_PROPERTIES, pageOf, pageRequest } from './page.js';
import { type CloudWanTool, readOnlyTool, text } from './tool.js';

/** Attachment types as AWS names them, for filters given either way. */
const AWS_TYPES: Record<string, ElementType> = {
  VPC: 'vpc-attachment',
  SITE_TO_SITE_VPN: 'vpn-attachment',
  CONNECT: 'connect-attachment',
  TRANSIT_GATEWAY_ROUTE_TABLE: 'tgw-route-table-attachment',
  DIRECT_CONNECT_GATEWAY: 'dx-gateway-attachment',
};
const TYPE_NAMES = [...ATTACHMENT_TYPES, ...Object.keys(AWS_TYPES)] as string[];

const listAttachments: CloudWanTool = {
  definition: readOnlyTool(
    'list_attachments',
    'List attachments',
    'Attachments of the core network, filtered and paged: id, type, segment (or network function group), region, state, account, CIDRs, tags.',
    {
      segment: text('Only attachments in this segment or network function group.'),
      type: { type: 'string', enum: TYPE_NAMES, description: 'Only this type (model or AWS name).' },
      region: text('Only attachments at this edge (region).'),
      state: text('Only attachments in this state (available, pending-attachment-acceptance, ...).'),
      tag: text('Only attachments with this tag: "key" or "key=value".'),
      ...PAGE_PROPERTIES,
    },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const view = network.view;
    const segment = args.string('segment');
    const typeName = args.oneOf('type', TYPE_NAMES);
    const type = typeName === undefined ? undefined : (AWS_TYPES[typeName] ?? (typeName as ElementType));
    const region = args.string('region');
    const state = args.string('state')?.toLowerCase();
    const tag = parseTag(args.string('tag'));
    const request = pageRequest(args, network.generation);
    const candidates = type ? [...view.elementsOfType(type)] : attachmentsOfView(view);
    const matching = candidates.filter(
      (a) =>
        (segment === undefined || view.segment(a) === segment) &&
        (region === undefined || view.region(a) === region) &&
        (state === undefined || view.state(a)?.toLowerCase() === state) &&
        (tag === undefined || hasTag(view, a, tag)),
    );
    return fitPage(
      (limit) => {
        const page = pageOf(matching, { ...request, limit }, network.generation);
        return {
          attachments: page.items.map((a) => withResource(view, a)),
          total: page.total,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
          ...(page.total === 0 ? { hint: emptyHint(view, segment, region) } : {}),
        };
      },
      request.limit,
      ctx.budgetBytes,
    );
  },
};

const getAttachment: CloudWanTool = {
  definition: readOnlyTool(
    'get_attachment',
    'Attachment details',
    'One attachment with everything linked to it: its edge, segment, the resource it attaches (VPC, TGW route table, DX gateway), transport and Connect peers, all its CIDRs and tags.',
    { attachment_id: text('The attachment id (attachment-...).') },
    ['attachment_id'],
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const id = args.requiredString('attachment_id');
    return fullElement(network.view, findElement(network.view, id, ATTACHMENT_TYPES, 'attachment'));
  },
};

const listPeerings: CloudWanTool = {
  definition: readOnlyTool(
    'list_peerings',
    'List peerings',
    'Transit Gateway peerings of the core network, paged: id, region, state, account, the transit gateway and its route tables.',
    {
      region: text('Only peerings at this edge (region).'),
      state: text('Only peerings in this state.'),
      ...PAGE_PROPERTIES,
    },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const view = network.view;
    const region = args.string('region');
    const state = args.string('state')?.toLowerCase();
    const request = pageRequest(args, network.generation);
    const matching = [...view.elementsOfType('tgw-peering')].filter(
      (p) =>
        (region === undefined || view.region(p) === region) &&
        (state === undefined || view.state(p) === state),
    );
    return fitPage(
      (limit) => {
        const page = pageOf(matching, { ...request, limit }, network.generation);
        return {
          peerings: page.items.map((p) => {
            const tgw = linked(view, p, 'peering', 'transit-gateway');
            const tables: string[] = [];
            if (tgw >= 0)
              for (const c of view.outgoing(tgw))
                if (view.connectionType(c) === 'contains') tables.push(view.id(view.connectionTarget(c)));
            return {
              ...briefElement(view, p),
              ...(tgw >= 0 ? { transitGateway: view.id(tgw), routeTables: tables } : {}),
            };
          }),
          total: page.total,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
      request.limit,
      ctx.budgetBytes,
    );
  },
};

function withResource(view: TopologyView, attachment: number): Record<string, unknown> {
  const resource = linked(view, attachment, 'attachment-of');
  return { ...briefElement(view, attachment), ...(resource >= 0 ? { resource: view.id(resource) } : {}) };
}

function parseTag(tag: string | undefined): { key: string; value?: string } | undefined {
  if (tag === undefined) return undefined;
  const eq = tag.indexOf('=');
  return eq < 0 ? { key: tag } : { key: tag.slice(0, eq), value: tag.slice(eq + 1) };
}

function hasTag(view: TopologyView, element: number, tag: { key: string; value?: string }): boolean {
  const value = view.tags(element)[tag.key];
  return value !== undefined && (tag.value === undefined || value === tag.value);
}

/** Why nothing matched, when a filter names something the topology does not have. */
function emptyHint(view: TopologyView, segment?: string, region?: string): string {
  if (segment !== undefined && !view.segments().includes(segment))
    return `no segment '${segment}'; segments and function groups: ${view.segments().join(', ')}`;
  if (region !== undefined && !view.regions().includes(region))
    return `no region '${region}'; regions: ${view.regions().join(', ')}`;
  return 'no attachment matches all the filters';
}

export const ATTACHMENT_TOOLS: readonly CloudWanTool[] = [listAttachments, getAttachment, listPeerings];
