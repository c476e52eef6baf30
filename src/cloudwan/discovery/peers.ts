/**
 * Transit gateway peerings and Connect peers: elements written as they are read, with their
 * connections. A peering's transit gateway is described later, in its region (see regional.ts).
 */

import type { Attachments } from './attachments.js';
import type { CoreFacts } from './core.js';
import { connectPeerAsn, connectPeerPages, lower, peeringPages } from './network-manager.js';
import { plural } from './problems.js';
import { type Arn, nameAndTags, parseArn, record } from './records.js';
import { forEachLimited, progress, type Run } from './run.js';

export interface FoundPeering {
  id: string;
  /** The peered transit gateway, from the peering's resource ARN. */
  gateway?: Arn;
}

export async function listPeerings(run: Run, core: CoreFacts, written: Set<string>): Promise<FoundPeering[]> {
  const found: FoundPeering[] = [];
  const edges = new Set(core.edges);
  try {
    for await (const page of peeringPages(run.nm, core.coreNetworkId, run.signal)) {
      for (const peering of page) {
        const id = peering.PeeringId;
        if (!id || peering.PeeringType !== 'TRANSIT_GATEWAY' || written.has(id)) continue;
        const { name, tags } = nameAndTags(peering.Tags);
        const region = peering.EdgeLocation;
        run.sink.addElement(
          record(id, 'tgw-peering', {
            name,
            region,
            accountId: peering.OwnerAccountId,
            state: lower(peering.State),
            tags,
          }),
        );
        written.add(id);
        if (region !== undefined && edges.has(region)) {
          run.sink.addConnection({ type: 'peering', source: id, target: `edge-${region}` });
        }
        const gateway = parseArn(peering.ResourceArn);
        if (gateway?.resourceType === 'transit-gateway') {
          if (!gateway.region && region) gateway.region = region;
          run.sink.addConnection({ type: 'peering', source: id, target: gateway.id });
          found.push({ id, gateway });
        } else found.push({ id });
      }
    }
  } catch (error) {
    run.problems.fail(error, {
      service: 'networkmanager',
      operation: 'ListPeerings',
      resource: core.coreNetworkId,
      consequence: () =>
        `${found.length === 0 ? 'every transit gateway peering' : `the transit gateway peerings after the first ${found.length}`}, and their transit gateways and routes`,
    });
  }
  progress(run, 'peerings', found.length, found.length, `listed ${found.length} transit gateway peerings`);
  return found;
}

interface PeerSummary {
  id: string;
  attachmentId: string | undefined;
  region: string | undefined;
  state: string | undefined;
  name?: string;
  tags: Record<string, string>;
}

/** ListConnectPeers for the core network, then GetConnectPeer for each peer's BGP ASN. */
export async function discoverConnectPeers(
  run: Run,
  core: CoreFacts,
  attachments: Attachments,
): Promise<void> {
  let connects = 0;
  for (const attachment of attachments.values()) if (attachment.awsType === 'CONNECT') connects++;
  if (connects === 0) return;
  const peers: PeerSummary[] = [];
  try {
    for await (const page of connectPeerPages(run.nm, core.coreNetworkId, run.signal)) {
      for (const peer of page) {
        if (!peer.ConnectPeerId) continue;
        peers.push({
          id: peer.ConnectPeerId,
          attachmentId: peer.ConnectAttachmentId,
          region: peer.EdgeLocation,
          state: lower(peer.ConnectPeerState),
          ...nameAndTags(peer.Tags),
        });
      }
    }
  } catch (error) {
    run.problems.fail(error, {
      service: 'networkmanager',
      operation: 'ListConnectPeers',
      resource: core.coreNetworkId,
      consequence: () =>
        `the Connect peers of ${plural(connects, 'Connect attachment')} (after the first ${peers.length})`,
    });
  }
  await forEachLimited(run, 'connect-peers', 'Connect peers', peers, async (peer) => {
    let asn: number | undefined;
    try {
      asn = await connectPeerAsn(run.nm, peer.id, run.signal);
    } catch (error) {
      run.problems.fail(error, {
        service: 'networkmanager',
        operation: 'GetConnectPeer',
        resource: peer.id,
        merge: true,
        consequence: (n) => `the BGP ASN of ${plural(n, 'Connect peer')}`,
      });
    }
    const attachment = peer.attachmentId === undefined ? undefined : attachments.get(peer.attachmentId);
    run.sink.addElement(
      record(peer.id, 'connect-peer', {
        name: peer.name,
        region: peer.region,
        accountId: attachment?.record.accountId,
        state: peer.state,
        asn,
        tags: peer.tags,
      }),
    );
    if (attachment)
      run.sink.addConnection({ type: 'connect-peer', source: attachment.record.id, target: peer.id });
  });
}
