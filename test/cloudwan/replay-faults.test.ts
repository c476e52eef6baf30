/**
 * Injected faults through the real SDK: AccessDenied that names the action (only where the fault
 * matches), throttling that the SDK's retry gets past, region-scoped EC2 faults, and errors that
 * outlast the retries.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DescribeSubnetsCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import {
  GetCoreNetworkCommand,
  GetNetworkRoutesCommand,
  ListCoreNetworksCommand,
  ListPeeringsCommand,
} from '@aws-sdk/client-networkmanager';
import { CORE, EU, GLOBAL, OWNER, scenario, US } from './replay/scenario.js';
import { type ReplayFault, type ReplayServer, startReplayServer } from './replay/server.js';
import { type Clients, clientsFor, restoreEnv, sdkError } from './replay/test-clients.js';

after(restoreEnv);

async function withServer(
  faults: ReplayFault[],
  run: (aws: Clients, server: ReplayServer) => Promise<void>,
): Promise<void> {
  const server = await startReplayServer(scenario(), { faults, accountId: '999999999999' });
  const aws = clientsFor(server);
  try {
    await run(aws, server);
  } finally {
    aws.destroy();
    await server.close();
  }
}

const routes = (segment: string) =>
  new GetNetworkRoutesCommand({
    GlobalNetworkId: GLOBAL,
    RouteTableIdentifier: {
      CoreNetworkSegmentEdge: { CoreNetworkId: CORE, SegmentName: segment, EdgeLocation: US },
    },
  });

describe('replay server faults', () => {
  it('denies one route table with an AccessDeniedException naming the action, and serves the others', async () => {
    const fault: ReplayFault = {
      service: 'networkmanager',
      operation: 'GetNetworkRoutes',
      match: '"SegmentName":"dev"',
      error: 'AccessDenied',
    };
    await withServer([fault], async (aws, server) => {
      const denied = await sdkError(aws.nm.send(routes('dev')));
      assert.equal(denied.name, 'AccessDeniedException');
      assert.equal(
        denied.message,
        `User: arn:aws:iam::999999999999:user/test is not authorized to perform: networkmanager:GetNetworkRoutes on resource: arn:aws:networkmanager::999999999999:core-network/${CORE}`,
      );
      assert.equal((await aws.nm.send(routes('prod'))).NetworkRoutes?.length, 7);
      // AccessDenied is not retried: one call for dev, one for prod.
      assert.equal(server.callCounts()['networkmanager:GetNetworkRoutes'], 2);
    });
  });

  it('denies EC2 in one region only, with UnauthorizedOperation naming the action', async () => {
    const fault: ReplayFault = {
      service: 'ec2',
      operation: 'DescribeVpcs',
      region: EU,
      error: 'AccessDenied',
    };
    await withServer([fault], async (aws, server) => {
      const denied = await sdkError(aws.ec2(EU).send(new DescribeVpcsCommand({})));
      assert.equal(denied.name, 'UnauthorizedOperation');
      assert.match(denied.message, /is not authorized to perform: ec2:DescribeVpcs in eu-west-1/);
      assert.equal((await aws.ec2(US).send(new DescribeVpcsCommand({}))).Vpcs?.length, 3);
      assert.deepEqual(
        server.calls.map((c) => `${c.service}:${c.operation}@${c.region}`),
        [`ec2:DescribeVpcs@${EU}`, `ec2:DescribeVpcs@${US}`],
      );
    });
  });

  it('throttles twice, and the SDK retry gets the answer on the third attempt', async () => {
    const faults: ReplayFault[] = [
      { service: 'networkmanager', operation: 'ListCoreNetworks', error: 'Throttling', times: 2 },
      { service: 'ec2', operation: 'DescribeTransitGateways', region: US, error: 'Throttling', times: 2 },
    ];
    await withServer(faults, async (aws, server) => {
      const cores = await aws.nm.send(new ListCoreNetworksCommand({}));
      assert.equal(cores.CoreNetworks?.[0]?.OwnerAccountId, OWNER);
      assert.equal(cores.$metadata.attempts, 3);
      const tgws = await aws.ec2(US).send(new DescribeTransitGatewaysCommand({}));
      assert.equal(tgws.TransitGateways?.length, 1);
      assert.equal(tgws.$metadata.attempts, 3);
      assert.equal(server.callCounts()['networkmanager:ListCoreNetworks'], 3);
      assert.equal(server.callCounts()['ec2:DescribeTransitGateways'], 3);
    });
  });

  it('fails once the retries are used up, then answers when the fault has run out', async () => {
    const faults: ReplayFault[] = [
      { service: 'networkmanager', operation: 'ListPeerings', error: 'Throttling', times: 3 },
      { service: 'ec2', operation: 'DescribeVpcs', error: 'Throttling', times: 3 },
    ];
    await withServer(faults, async (aws) => {
      assert.equal((await sdkError(aws.nm.send(new ListPeeringsCommand({})))).name, 'ThrottlingException');
      assert.equal((await aws.nm.send(new ListPeeringsCommand({}))).Peerings?.length, 1);
      assert.equal(
        (await sdkError(aws.ec2(US).send(new DescribeVpcsCommand({})))).name,
        'RequestLimitExceeded',
      );
      assert.equal((await aws.ec2(US).send(new DescribeVpcsCommand({}))).Vpcs?.length, 3);
    });
  });

  it('injects not-found and internal errors in each protocol’s shape', async () => {
    const faults: ReplayFault[] = [
      { service: 'networkmanager', operation: 'GetCoreNetwork', error: 'NotFound' },
      { service: 'ec2', operation: 'DescribeSubnets', error: 'NotFound' },
      { service: 'networkmanager', operation: 'ListPeerings', error: 'Internal', times: 1 },
    ];
    await withServer(faults, async (aws) => {
      const core = await sdkError(aws.nm.send(new GetCoreNetworkCommand({ CoreNetworkId: CORE })));
      assert.equal(core.name, 'ResourceNotFoundException');
      const subnets = await sdkError(aws.ec2(US).send(new DescribeSubnetsCommand({})));
      assert.equal(subnets.name, 'InvalidSubnetID.NotFound');
      // A 500 is transient: the SDK retries it once and gets the answer.
      const peerings = await aws.nm.send(new ListPeeringsCommand({}));
      assert.equal(peerings.$metadata.attempts, 2);
    });
  });

  it('refuses a fault it cannot honour, naming the option', async () => {
    await assert.rejects(
      startReplayServer(scenario(), {
        faults: [{ service: 'ec2', operation: 'DescribeVpcs', error: 'Teapot' as never }],
      }),
      /options\.faults\[0\]\.error must be one of AccessDenied, Throttling, NotFound, Internal/,
    );
  });
});
