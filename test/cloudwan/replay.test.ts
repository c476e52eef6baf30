/**
 * The replay server driven by the real AWS SDK clients, pointed at it through the standard
 * AWS_ENDPOINT_URL_* variables (set in process.env before each client is made, as a user would):
 * Network Manager answers for a hand-built account, known by hand, and the raw-body-only members.
 * EC2 is in replay-ec2.test.ts, pagination in replay-paging.test.ts, faults in replay-faults.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetConnectAttachmentCommand,
  GetConnectPeerCommand,
  GetCoreNetworkCommand,
  GetCoreNetworkPolicyCommand,
  GetNetworkRoutesCommand,
  GetSiteToSiteVpnAttachmentCommand,
  GetTransitGatewayPeeringCommand,
  GetTransitGatewayRouteTableAttachmentCommand,
  GetVpcAttachmentCommand,
  ListAttachmentsCommand,
  ListConnectPeersCommand,
  ListCoreNetworksCommand,
  ListPeeringsCommand,
} from '@aws-sdk/client-networkmanager';
import {
  APP_ACCOUNT,
  ATTACHMENTS,
  CONNECT,
  CORE,
  DX,
  DX_GATEWAY,
  EU,
  GLOBAL,
  INSPECTION,
  OWNER,
  POLICY,
  scenario,
  TGW_RTB_ATT,
  US,
  VPC_A,
  VPN,
} from './replay/scenario.js';
import { type ReplayServer, startReplayServer } from './replay/server.js';
import { type Clients, clientsFor, restoreEnv, routeLines, sdkError } from './replay/test-clients.js';

after(restoreEnv);

describe('replay server: Network Manager for a hand-built account, through the SDK', () => {
  let server: ReplayServer;
  let aws: Clients;
  before(async () => {
    server = await startReplayServer(scenario());
    aws = clientsFor(server);
  });
  after(async () => {
    aws.destroy();
    await server.close();
  });

  it('lists the core network and describes its edges and segments, from us-west-2', async () => {
    const list = await aws.nm.send(new ListCoreNetworksCommand({}));
    assert.deepEqual(list.CoreNetworks, [
      {
        CoreNetworkId: CORE,
        CoreNetworkArn: `arn:aws:networkmanager::${OWNER}:core-network/${CORE}`,
        GlobalNetworkId: GLOBAL,
        OwnerAccountId: OWNER,
        State: 'AVAILABLE',
        Tags: [{ Key: 'Name', Value: 'corenet' }],
      },
    ]);
    const core = (await aws.nm.send(new GetCoreNetworkCommand({ CoreNetworkId: CORE }))).CoreNetwork;
    assert.deepEqual(
      core?.Edges?.map((e) => `${e.EdgeLocation} ${e.Asn}`),
      [`${US} 64512`, `${EU} 64513`],
    );
    assert.deepEqual(
      core?.Segments?.map((s) => `${s.Name} ${s.EdgeLocations?.join(',')}`),
      [`prod ${US},${EU}`, `dev ${US},${EU}`],
    );
    assert.equal(core?.CreatedAt?.getTime(), 1_700_000_000_000);
    // The 3.523 parser drops NetworkFunctionGroups; the body carries them.
    assert.equal((core as Record<string, unknown>).NetworkFunctionGroups, undefined);
    const raw = (await (await fetch(`${server.url}/core-networks/${CORE}`)).json()) as {
      CoreNetwork: Record<string, unknown>;
    };
    assert.deepEqual(raw.CoreNetwork.NetworkFunctionGroups, [
      { Name: 'inspection', EdgeLocations: [US, EU], Segments: { SendVia: ['prod'], SendTo: [] } },
    ]);
    // The client was given no region: AWS_REGION from server.env() signed it for us-west-2.
    assert.deepEqual(server.calls[0], {
      service: 'networkmanager',
      operation: 'ListCoreNetworks',
      region: 'us-west-2',
    });
  });

  it('serves the policy LIVE and as version 1, and no other version', async () => {
    for (const input of [{ Alias: 'LIVE' as const }, { PolicyVersionId: 1 }]) {
      const policy = (await aws.nm.send(new GetCoreNetworkPolicyCommand({ CoreNetworkId: CORE, ...input })))
        .CoreNetworkPolicy;
      assert.equal(policy?.PolicyVersionId, 1);
      assert.equal(policy?.Alias, 'LIVE');
      assert.deepEqual(JSON.parse(String(policy?.PolicyDocument)), POLICY);
    }
    const error = await sdkError(
      aws.nm.send(new GetCoreNetworkPolicyCommand({ CoreNetworkId: CORE, PolicyVersionId: 2 })),
    );
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.match(error.message, /version 2 .*not found/);
  });

  it('lists every attachment type with its ARN, and filters by type and edge', async () => {
    const attachments =
      (await aws.nm.send(new ListAttachmentsCommand({ CoreNetworkId: CORE }))).Attachments ?? [];
    assert.deepEqual(
      attachments.map(
        (a) => `${a.AttachmentId} ${a.AttachmentType} ${a.EdgeLocation} ${a.SegmentName} ${a.State}`,
      ),
      [
        `${VPC_A} VPC ${US} prod AVAILABLE`,
        `${ATTACHMENTS[1]} VPC ${EU} prod AVAILABLE`,
        // In a function group: no SegmentName (the group's name is in the raw body).
        `${INSPECTION} VPC ${US} undefined AVAILABLE`,
        `${VPN} SITE_TO_SITE_VPN ${US} dev PENDING_ATTACHMENT_ACCEPTANCE`,
        `${CONNECT} CONNECT ${US} dev AVAILABLE`,
        // Direct Connect: EdgeLocations only, which the 3.523 parser drops.
        `${DX} DIRECT_CONNECT_GATEWAY undefined dev AVAILABLE`,
        `${TGW_RTB_ATT} TRANSIT_GATEWAY_ROUTE_TABLE ${US} dev AVAILABLE`,
      ],
    );
    const arn = (id: string) => attachments.find((a) => a.AttachmentId === id)?.ResourceArn;
    assert.equal(arn(VPC_A), `arn:aws:ec2:${US}:${APP_ACCOUNT}:vpc/vpc-0000000000000000a`);
    assert.equal(arn(DX), `arn:aws:directconnect::${OWNER}:dx-gateway/${DX_GATEWAY}`);
    assert.equal(arn(VPN), `arn:aws:ec2:${US}:${OWNER}:vpn-connection/vpn-0000000000000000d`);
    assert.equal(
      arn(TGW_RTB_ATT),
      `arn:aws:ec2:${US}:${OWNER}:transit-gateway-route-table/tgw-rtb-0000000000000000a`,
    );
    assert.equal(attachments[0]?.OwnerAccountId, APP_ACCOUNT);
    assert.deepEqual(attachments[0]?.Tags, [{ Key: 'segment', Value: 'prod' }]);

    const ids = async (input: Record<string, string>) =>
      ((await aws.nm.send(new ListAttachmentsCommand(input))).Attachments ?? []).map((a) => a.AttachmentId);
    assert.deepEqual(await ids({ AttachmentType: 'CONNECT' }), [CONNECT]);
    assert.deepEqual(await ids({ EdgeLocation: EU }), [ATTACHMENTS[1], DX]);
    assert.deepEqual(await ids({ CoreNetworkId: 'core-network-0000000000000000f' }), []);
  });

  it('carries NetworkFunctionGroupName and Direct Connect EdgeLocations in the raw ListAttachments body', async () => {
    const raw = (await (await fetch(`${server.url}/attachments?coreNetworkId=${CORE}`)).json()) as {
      Attachments: Array<Record<string, unknown>>;
    };
    const byId = new Map(raw.Attachments.map((a) => [a.AttachmentId as string, a]));
    assert.equal(byId.get(INSPECTION)?.NetworkFunctionGroupName, 'inspection');
    assert.equal(byId.get(INSPECTION)?.SegmentName, undefined);
    assert.deepEqual(byId.get(DX)?.EdgeLocations, [EU]);
    assert.equal(byId.get(DX)?.EdgeLocation, undefined);
    assert.equal(typeof byId.get(VPC_A)?.CreatedAt, 'number');
  });

  it('answers the per-type Get calls, and not-found for an unknown id or the wrong type', async () => {
    const vpc = (await aws.nm.send(new GetVpcAttachmentCommand({ AttachmentId: VPC_A }))).VpcAttachment;
    assert.deepEqual(vpc?.SubnetArns, [
      `arn:aws:ec2:${US}:${APP_ACCOUNT}:subnet/subnet-0000000000000000a`,
      `arn:aws:ec2:${US}:${APP_ACCOUNT}:subnet/subnet-0000000000000000b`,
    ]);
    assert.equal(vpc?.Attachment?.AttachmentId, VPC_A);
    const connect = (await aws.nm.send(new GetConnectAttachmentCommand({ AttachmentId: CONNECT })))
      .ConnectAttachment;
    assert.equal(connect?.TransportAttachmentId, VPC_A);
    const table = (
      await aws.nm.send(new GetTransitGatewayRouteTableAttachmentCommand({ AttachmentId: TGW_RTB_ATT }))
    ).TransitGatewayRouteTableAttachment;
    assert.equal(table?.PeeringId, 'peering-0000000000000000a');
    assert.equal(
      table?.TransitGatewayRouteTableArn,
      `arn:aws:ec2:${US}:${OWNER}:transit-gateway-route-table/tgw-rtb-0000000000000000a`,
    );
    const vpn = (await aws.nm.send(new GetSiteToSiteVpnAttachmentCommand({ AttachmentId: VPN })))
      .SiteToSiteVpnAttachment;
    assert.equal(vpn?.VpnConnectionArn, `arn:aws:ec2:${US}:${OWNER}:vpn-connection/vpn-0000000000000000d`);

    const unknown = await sdkError(
      aws.nm.send(new GetVpcAttachmentCommand({ AttachmentId: 'attachment-0123456789abcdef0' })),
    );
    assert.equal(unknown.name, 'ResourceNotFoundException');
    assert.match(unknown.message, /attachment-0123456789abcdef0/);
    const wrongType = await sdkError(aws.nm.send(new GetVpcAttachmentCommand({ AttachmentId: VPN })));
    assert.equal(wrongType.name, 'ResourceNotFoundException');
    assert.match(wrongType.message, /SITE_TO_SITE_VPN/);
  });

  it('lists connect peers (with their BGP ASNs) and transit gateway peerings', async () => {
    const peers =
      (await aws.nm.send(new ListConnectPeersCommand({ CoreNetworkId: CORE }))).ConnectPeers ?? [];
    assert.deepEqual(
      peers.map((p) => `${p.ConnectPeerId} ${p.ConnectAttachmentId} ${p.EdgeLocation} ${p.ConnectPeerState}`),
      [`connect-peer-0000000000000000a ${CONNECT} ${US} AVAILABLE`],
    );
    const peer = (
      await aws.nm.send(new GetConnectPeerCommand({ ConnectPeerId: 'connect-peer-0000000000000000a' }))
    ).ConnectPeer;
    assert.deepEqual(peer?.Configuration?.BgpConfigurations, [{ CoreNetworkAsn: 64512, PeerAsn: 65100 }]);
    const peerings = (await aws.nm.send(new ListPeeringsCommand({ CoreNetworkId: CORE }))).Peerings ?? [];
    assert.deepEqual(
      peerings.map(
        (p) => `${p.PeeringId} ${p.PeeringType} ${p.EdgeLocation} ${p.OwnerAccountId} ${p.ResourceArn}`,
      ),
      [
        `peering-0000000000000000a TRANSIT_GATEWAY ${US} ${OWNER} arn:aws:ec2:${US}:${OWNER}:transit-gateway/tgw-0000000000000000a`,
      ],
    );
    const peering = (
      await aws.nm.send(new GetTransitGatewayPeeringCommand({ PeeringId: 'peering-0000000000000000a' }))
    ).TransitGatewayPeering;
    assert.equal(peering?.TransitGatewayArn, peerings[0]?.ResourceArn);
    assert.equal(peering?.TransitGatewayPeeringAttachmentId, 'tgw-attach-0000000000000000a');
  });

  it('computes a segment edge route table: a blackhole, local attachments, remote edges, the function group', async () => {
    const prod = await aws.nm.send(
      new GetNetworkRoutesCommand({
        GlobalNetworkId: GLOBAL,
        RouteTableIdentifier: {
          CoreNetworkSegmentEdge: { CoreNetworkId: CORE, SegmentName: 'prod', EdgeLocation: US },
        },
      }),
    );
    assert.equal(prod.RouteTableType, 'CORE_NETWORK_SEGMENT');
    assert.deepEqual(prod.CoreNetworkSegmentEdge, {
      CoreNetworkId: CORE,
      SegmentName: 'prod',
      EdgeLocation: US,
    });
    assert.deepEqual(routeLines(prod.NetworkRoutes), [
      '192.0.2.0/24 BLACKHOLE STATIC -',
      `10.1.0.0/16 ACTIVE PROPAGATED attachment=${VPC_A}@${US} segment=prod vpc=vpc-0000000000000000a`,
      `2600:1f18:aa00::/56 ACTIVE PROPAGATED attachment=${VPC_A}@${US} segment=prod vpc=vpc-0000000000000000a`,
      `10.2.0.0/16 ACTIVE PROPAGATED edge=${EU}`,
      `172.17.0.0/20 ACTIVE PROPAGATED nfg=inspection@${US}`,
      `172.18.0.0/20 ACTIVE PROPAGATED nfg=inspection@${US}`,
      `172.20.0.0/16 ACTIVE PROPAGATED nfg=inspection@${US}`,
    ]);
    // The VPN is pending acceptance, so it propagates nothing into dev.
    const dev = await aws.nm.send(
      new GetNetworkRoutesCommand({
        GlobalNetworkId: GLOBAL,
        RouteTableIdentifier: {
          CoreNetworkSegmentEdge: { CoreNetworkId: CORE, SegmentName: 'dev', EdgeLocation: US },
        },
        Types: ['PROPAGATED'],
      }),
    );
    assert.deepEqual(
      dev.NetworkRoutes?.map((r) => r.DestinationCidrBlock),
      [
        '172.17.0.0/20',
        '172.18.0.0/20',
        '172.20.0.0/16',
        '10.1.0.0/16',
        '2600:1f18:aa00::/56',
        '10.2.0.0/16',
      ],
    );
  });

  it('computes a function group edge route table, and refuses unknown tables', async () => {
    const input = {
      GlobalNetworkId: GLOBAL,
      // The 3.523 model lacks this member; the SDK passes RouteTableIdentifier through as is.
      RouteTableIdentifier: {
        CoreNetworkNetworkFunctionGroup: {
          CoreNetworkId: CORE,
          NetworkFunctionGroupName: 'inspection',
          EdgeLocation: EU,
        },
      } as never,
    };
    const table = await aws.nm.send(new GetNetworkRoutesCommand(input));
    assert.equal(table.RouteTableType, 'NETWORK_FUNCTION_GROUP');
    assert.deepEqual(routeLines(table.NetworkRoutes), [
      `10.1.0.0/16 ACTIVE PROPAGATED edge=${US}`,
      `2600:1f18:aa00::/56 ACTIVE PROPAGATED edge=${US}`,
      `10.2.0.0/16 ACTIVE PROPAGATED attachment=${ATTACHMENTS[1]}@${EU} segment=prod vpc=vpc-0000000000000000b`,
      `172.17.0.0/20 ACTIVE PROPAGATED edge=${US}`,
      `172.18.0.0/20 ACTIVE PROPAGATED attachment=${DX}@${EU} segment=dev direct-connect-gateway=${DX_GATEWAY}`,
      `172.20.0.0/16 ACTIVE PROPAGATED edge=${US}`,
    ]);
    const unknown = await sdkError(
      aws.nm.send(
        new GetNetworkRoutesCommand({
          GlobalNetworkId: GLOBAL,
          RouteTableIdentifier: {
            CoreNetworkSegmentEdge: { CoreNetworkId: CORE, SegmentName: 'qa', EdgeLocation: US },
          },
        }),
      ),
    );
    assert.equal(unknown.name, 'ResourceNotFoundException');
    assert.match(unknown.message, /'qa' not found .* prod, dev/);
    const wrongGlobal = await sdkError(
      aws.nm.send(
        new GetNetworkRoutesCommand({
          GlobalNetworkId: 'global-network-0000000000000000f',
          RouteTableIdentifier: {
            CoreNetworkSegmentEdge: { CoreNetworkId: CORE, SegmentName: 'prod', EdgeLocation: US },
          },
        }),
      ),
    );
    assert.equal(wrongGlobal.name, 'ResourceNotFoundException');
  });
});
