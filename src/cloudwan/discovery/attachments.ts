/**
 * Core network attachments. They are listed first and kept in a slim form until the end, because
 * their CIDRs come from other calls (a VPC's blocks from DescribeVpcs; every other attachment's
 * from the propagated network routes). The per-type details that only Get* calls give (a Connect
 * attachment's transport, a TGW route table attachment's route table) are read for those types
 * only; the other types' Get* calls would add nothing the listing lacks.
 */

import type { Attachment } from '@aws-sdk/client-networkmanager';
import type { ElementRecord } from '../../topology/model.js';
import type { CoreFacts } from './core.js';
import { domainId } from './core.js';
import { attachmentPages, connectTransport, lower, routeTableAttachment, tagsOf } from './network-manager.js';
import { plural } from './problems.js';
import type { AttachmentExtras } from './raw-body.js';
import { type Arn, ATTACHMENT_TYPE, parseArn, record } from './records.js';
import { forEachLimited, PROGRESS_EVERY, progress, type Run } from './run.js';

export interface FoundAttachment {
  /** The element, without CIDRs until they are known. */
  record: ElementRecord;
  awsType: string;
  /** `segment` or `network-function-group`: which the attachment's `segment` names. */
  domain: 'segment' | 'network-function-group' | undefined;
  /** The attached resource: VPC, TGW route table, DX gateway (VPN and Connect have none in the model). */
  resource?: Arn;
  /** Direct Connect attachments span edges: every one of them (the first is the region). */
  edges?: string[];
  /** Connect attachments: the attachment they run over. */
  transport?: string;
  cidrs?: string[];
}

export type Attachments = Map<string, FoundAttachment>;

export async function listAttachments(run: Run, core: CoreFacts): Promise<Attachments> {
  const found: Attachments = new Map();
  let pages = 0;
  try {
    for await (const page of attachmentPages(run.nm, core.coreNetworkId, run.signal)) {
      pages++;
      const before = found.size;
      for (const attachment of page.attachments) {
        const item = slim(run, attachment, page.extras.get(attachment.AttachmentId ?? ''));
        if (item) found.set(item.record.id, item);
      }
      if (Math.floor(found.size / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
        progress(run, 'attachments', found.size, undefined, `listed ${found.size} attachments`);
      }
    }
  } catch (error) {
    run.problems.fail(error, {
      service: 'networkmanager',
      operation: 'ListAttachments',
      resource: core.coreNetworkId,
      consequence: () =>
        pages === 0
          ? 'every attachment'
          : `the attachments after the first ${found.size} (page ${pages + 1} on)`,
    });
  }
  progress(run, 'attachments', found.size, found.size, `listed ${found.size} attachments`);
  return found;
}

function slim(
  run: Run,
  attachment: Attachment,
  extras: AttachmentExtras | undefined,
): FoundAttachment | undefined {
  const id = attachment.AttachmentId;
  const awsType = attachment.AttachmentType ?? '';
  const type = ATTACHMENT_TYPE[awsType];
  if (!id || !type) {
    run.problems.add(
      {
        service: 'networkmanager',
        operation: 'ListAttachments',
        resource: id,
        merge: true,
        consequence: (n) => `${plural(n, 'attachment')} of types the model has no element for`,
      },
      'UnsupportedAttachmentType',
      `attachment type ${JSON.stringify(awsType)} is not one of ${Object.keys(ATTACHMENT_TYPE).join(', ')}`,
    );
    return undefined;
  }
  // The 3.523 parser drops both; the raw-body middleware recovered them.
  const group = extras?.networkFunctionGroupName;
  const segment = attachment.SegmentName ?? group;
  const tags = tagsOf(attachment.Tags);
  const item: FoundAttachment = {
    record: record(id, type, {
      name: tags.Name,
      region: attachment.EdgeLocation ?? extras?.edgeLocations?.[0],
      segment,
      accountId: attachment.OwnerAccountId,
      state: lower(attachment.State),
      tags,
    }),
    awsType,
    domain:
      attachment.SegmentName !== undefined
        ? 'segment'
        : group !== undefined
          ? 'network-function-group'
          : undefined,
  };
  const resource = parseArn(attachment.ResourceArn);
  if (resource) item.resource = resource;
  if (attachment.EdgeLocation === undefined && extras?.edgeLocations) item.edges = extras.edgeLocations;
  return item;
}

/** GetConnectAttachment and GetTransitGatewayRouteTableAttachment, for the attachments of those types. */
export async function readAttachmentDetails(run: Run, attachments: Attachments): Promise<void> {
  const wanted = [...attachments.values()].filter(
    (a) => a.awsType === 'CONNECT' || a.awsType === 'TRANSIT_GATEWAY_ROUTE_TABLE',
  );
  await forEachLimited(run, 'attachment-details', 'attachment details', wanted, async (attachment) => {
    const id = attachment.record.id;
    const connect = attachment.awsType === 'CONNECT';
    try {
      if (connect) {
        const transport = await connectTransport(run.nm, id, run.signal);
        if (transport) attachment.transport = transport;
      } else {
        const detail = await routeTableAttachment(run.nm, id, run.signal);
        const table = parseArn(detail.routeTableArn);
        if (table) attachment.resource = table;
      }
    } catch (error) {
      run.problems.fail(error, {
        service: 'networkmanager',
        operation: connect ? 'GetConnectAttachment' : 'GetTransitGatewayRouteTableAttachment',
        resource: id,
        merge: true,
        consequence: (n) =>
          connect
            ? `the transport attachment of ${plural(n, 'Connect attachment')}`
            : `the TGW route table of ${plural(n, 'route table attachment')}, where the listing's resource ARN did not name it`,
      });
    }
  });
}

/** Each non-VPC attachment's CIDRs: the destinations of the propagated routes that lead to it. */
export function assignRouteCidrs(
  attachments: Attachments,
  forEachPropagated: (fn: (attachmentId: string, destination: string) => void) => void,
): void {
  const seen = new Map<FoundAttachment, Set<string>>();
  forEachPropagated((attachmentId, destination) => {
    const attachment = attachments.get(attachmentId);
    if (!attachment || attachment.awsType === 'VPC') return;
    let set = seen.get(attachment);
    if (!set) {
      set = new Set();
      seen.set(attachment, set);
      attachment.cidrs = [];
    }
    if (set.has(destination)) return;
    set.add(destination);
    attachment.cidrs!.push(destination);
  });
}

/**
 * Writes every attachment with its CIDRs and connections. Resources that were not described (a
 * call failed, or the resource is gone) still get an element with what the ARN says, so that no
 * connection is left dangling; `written` holds the ids already written.
 */
export function writeAttachments(
  run: Run,
  core: CoreFacts,
  attachments: Attachments,
  written: Set<string>,
): void {
  const edges = new Set(core.edges);
  let done = 0;
  for (const attachment of attachments.values()) {
    const element = attachment.record;
    if (attachment.cidrs && attachment.cidrs.length > 0) element.cidrs = attachment.cidrs;
    run.sink.addElement(element);
    const id = element.id;
    for (const edge of attachment.edges ?? (element.region === undefined ? [] : [element.region])) {
      if (edges.has(edge))
        run.sink.addConnection({ type: 'attached-to', source: id, target: `edge-${edge}` });
    }
    const domain = attachment.domain;
    const member = domain === 'segment' ? core.segments : core.functionGroups;
    if (domain && element.segment !== undefined && member.has(element.segment)) {
      run.sink.addConnection({ type: 'member-of', source: id, target: domainId(domain, element.segment) });
    }
    const target = resourceElement(attachment);
    if (target) {
      if (!written.has(target.id)) {
        run.sink.addElement(target);
        written.add(target.id);
      }
      run.sink.addConnection({ type: 'attachment-of', source: id, target: target.id });
    }
    if (attachment.transport !== undefined && attachments.has(attachment.transport)) {
      run.sink.addConnection({ type: 'transport', source: id, target: attachment.transport });
    }
    if (++done % PROGRESS_EVERY === 0) {
      progress(run, 'write', done, attachments.size, `wrote ${done} of ${attachments.size} attachments`);
    }
  }
  progress(run, 'write', done, attachments.size, `wrote ${done} attachments`);
}

/** The element an attachment attaches, as far as its ARN tells (used when it was not described). */
function resourceElement(attachment: FoundAttachment): ElementRecord | undefined {
  const arn = attachment.resource;
  if (!arn) return undefined;
  const base = { region: arn.region || undefined, accountId: arn.account || undefined };
  switch (attachment.awsType) {
    case 'VPC':
      return arn.resourceType === 'vpc' ? record(arn.id, 'vpc', base) : undefined;
    case 'TRANSIT_GATEWAY_ROUTE_TABLE':
      return arn.resourceType === 'transit-gateway-route-table'
        ? record(arn.id, 'tgw-route-table', base)
        : undefined;
    case 'DIRECT_CONNECT_GATEWAY':
      if (arn.resourceType !== 'dx-gateway') return undefined;
      // Its name is not in these APIs; a `dx-gateway-name` tag on the attachment may carry it.
      return record(arn.id, 'dx-gateway', {
        name: attachment.record.tags?.['dx-gateway-name'],
        accountId: arn.account || undefined,
      });
    default:
      return undefined;
  }
}
