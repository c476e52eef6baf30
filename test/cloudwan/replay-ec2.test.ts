/**
 * The replay server as EC2 (query protocol, XML) for a hand-built account, through the real SDK
 * clients: each region sees its own VPCs, subnets, transit gateways and route tables; transit
 * gateway routes name their targets; unknown ids, filters and operations get EC2's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeSubnetsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcsCommand,
  SearchTransitGatewayRoutesCommand,
} from '@aws-sdk/client-ec2';
import { APP_ACCOUNT, EU, OWNER, scenario, TGW_RTB_ATT, US } from './replay/scenario.js';
import { type ReplayServer, startReplayServer } from './replay/server.js';
import { type Clients, clientsFor, restoreEnv, sdkError } from './replay/test-clients.js';

after(restoreEnv);

describe('replay server: EC2 for a hand-built account, through the SDK', () => {
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

  it('describes each region’s VPCs, subnets, transit gateways and route tables, and only that region’s', async () => {
    const vpcs = (await aws.ec2(US).send(new DescribeVpcsCommand({}))).Vpcs ?? [];
    assert.deepEqual(
      vpcs.map((v) => `${v.VpcId} ${v.CidrBlock} ${v.OwnerId} ${v.State}`),
      [
        `vpc-0000000000000000a 10.1.0.0/16 ${APP_ACCOUNT} available`,
        `vpc-0000000000000000c 10.9.0.0/16 ${APP_ACCOUNT} available`,
        `vpc-0000000000000000d 10.4.0.0/16 ${APP_ACCOUNT} available`,
      ],
    );
    assert.deepEqual(
      vpcs[0]?.CidrBlockAssociationSet?.map((a) => `${a.CidrBlock} ${a.CidrBlockState?.State}`),
      ['10.1.0.0/16 associated'],
    );
    assert.deepEqual(
      vpcs[0]?.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
      ['2600:1f18:aa00::/56'],
    );
    assert.deepEqual(vpcs[0]?.Tags, [
      { Key: 'Name', Value: 'app' },
      { Key: 'env', Value: 'prod' },
    ]);
    const eu = (await aws.ec2(EU).send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000000b'] }))).Vpcs;
    assert.deepEqual(
      eu?.map((v) => v.VpcId),
      ['vpc-0000000000000000b'],
    );
    const elsewhere = await sdkError(
      aws.ec2(EU).send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000000a'] })),
    );
    assert.equal(elsewhere.name, 'InvalidVpcID.NotFound');
    assert.match(elsewhere.message, /vpc-0000000000000000a/);

    const subnets = (
      await aws
        .ec2(US)
        .send(
          new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0000000000000000a'] }] }),
        )
    ).Subnets;
    assert.deepEqual(
      subnets?.map(
        (s) =>
          `${s.SubnetId} ${s.VpcId} ${s.CidrBlock} ${s.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock)}`,
      ),
      [
        'subnet-0000000000000000a vpc-0000000000000000a 10.1.0.0/24 2600:1f18:aa00::/64',
        'subnet-0000000000000000b vpc-0000000000000000a 10.1.1.0/24 ',
      ],
    );
    const tgws = (
      await aws
        .ec2(US)
        .send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: ['tgw-0000000000000000a'] }))
    ).TransitGateways;
    assert.deepEqual(
      tgws?.map(
        (t) =>
          `${t.TransitGatewayId} ${t.OwnerId} ${t.State} ${t.Options?.AmazonSideAsn} ${t.Tags?.[0]?.Value}`,
      ),
      [`tgw-0000000000000000a ${OWNER} available 64600 tgw-east`],
    );
    const tables = (
      await aws.ec2(US).send(
        new DescribeTransitGatewayRouteTablesCommand({
          Filters: [{ Name: 'transit-gateway-id', Values: ['tgw-0000000000000000a'] }],
        }),
      )
    ).TransitGatewayRouteTables;
    assert.deepEqual(
      tables?.map((t) => `${t.TransitGatewayRouteTableId} ${t.TransitGatewayId} ${t.Tags?.[0]?.Value}`),
      ['tgw-rtb-0000000000000000a tgw-0000000000000000a rtb-east'],
    );
    assert.deepEqual((await aws.ec2(EU).send(new DescribeTransitGatewaysCommand({}))).TransitGateways, []);
    const unknownTgw = await sdkError(
      aws.ec2(US).send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: ['tgw-0f'] })),
    );
    assert.equal(unknownTgw.name, 'InvalidTransitGatewayID.NotFound');
    const badFilter = await sdkError(
      aws.ec2(US).send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    );
    assert.equal(badFilter.name, 'InvalidParameterValue');
    assert.match(badFilter.message, /'colour'/);
  });

  it('searches transit gateway routes: targets in resourceId, a blackhole without attachments', async () => {
    const found = await aws.ec2(US).send(
      new SearchTransitGatewayRoutesCommand({
        TransitGatewayRouteTableId: 'tgw-rtb-0000000000000000a',
        Filters: [{ Name: 'state', Values: ['active', 'blackhole'] }],
      }),
    );
    assert.equal(found.Routes?.length, 11);
    assert.equal(found.AdditionalRoutesAvailable, false);
    const line = (destination: string) => {
      const route = found.Routes?.find((r) => r.DestinationCidrBlock === destination);
      const attachment = route?.TransitGatewayAttachments?.[0];
      return `${route?.Type} ${route?.State} ${attachment?.ResourceId} ${attachment?.TransitGatewayAttachmentId}`;
    };
    assert.equal(line('192.0.2.0/24'), 'static blackhole undefined undefined');
    assert.equal(line('172.20.1.0/24'), `propagated active ${TGW_RTB_ATT} tgw-attach-00000000000000010`);
    assert.equal(line('0.0.0.0/0'), 'static active peering-0000000000000000a tgw-attach-0000000000000000a');
  });

  it('names an operation it does not serve', async () => {
    const raw = await fetch(`${server.url}/global-networks`);
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.match(((await raw.json()) as { message: string }).message, /DescribeGlobalNetworks/);
    const ec2 = await fetch(server.url, {
      method: 'POST',
      body: 'Action=DescribeInstances&Version=2016-11-15',
    });
    assert.equal(ec2.status, 400);
    assert.match(
      await ec2.text(),
      /<Code>InvalidAction<\/Code><Message>The action DescribeInstances is not valid/,
    );
  });
});
