/**
 * The parts of discovery that need no server: the network route table store (lookups, paging,
 * exact byte size), the split search of SearchTransitGatewayRoutes against a fake EC2 that caps its
 * answers, the problem log, and ARN parsing. Every expected value is worked out by hand in comments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EC2Client, SearchTransitGatewayRoutesCommand } from '@aws-sdk/client-ec2';
import { NetworkRouteTables } from '../../src/cloudwan/discovery/network-routes.js';
import { ProblemLog, plural } from '../../src/cloudwan/discovery/problems.js';
import { parseArn } from '../../src/cloudwan/discovery/records.js';
import { searchTransitGatewayRoutes } from '../../src/cloudwan/discovery/tgw-route-search.js';
import { AbortedError, CloudWanError } from '../../src/errors.js';
import { cidrContains, parseCidr } from '../../src/topology/cidr.js';

const US = 'us-east-1';

function tables(): NetworkRouteTables {
  const store = new NetworkRouteTables();
  const prod = store.reserve('segment', 'prod', US);
  const inspection = store.reserve('network-function-group', 'inspection', US);
  store.reserve('segment', 'dev', 'eu-west-1'); // reserved, never read
  // Filled out of order, as responses may arrive.
  store.fill(inspection, [
    {
      DestinationCidrBlock: '10.9.0.0/16',
      State: 'ACTIVE',
      Type: 'PROPAGATED',
      Destinations: [
        { CoreNetworkAttachmentId: 'att-c', EdgeLocation: US, NetworkFunctionGroupName: 'inspection' },
      ],
    },
  ]);
  store.fill(prod, [
    {
      DestinationCidrBlock: '0.0.0.0/0',
      State: 'ACTIVE',
      Type: 'STATIC',
      Destinations: [{ NetworkFunctionGroupName: 'inspection', EdgeLocation: US }],
    },
    {
      DestinationCidrBlock: '10.0.0.0/8',
      State: 'ACTIVE',
      Type: 'PROPAGATED',
      Destinations: [
        {
          CoreNetworkAttachmentId: 'att-a',
          EdgeLocation: US,
          SegmentName: 'prod',
          ResourceType: 'vpc',
          ResourceId: 'vpc-a',
        },
      ],
    },
    {
      DestinationCidrBlock: '10.1.0.0/16',
      State: 'ACTIVE',
      Type: 'PROPAGATED',
      Destinations: [{ EdgeLocation: 'eu-west-1' }],
    },
    { DestinationCidrBlock: '10.1.2.0/24', State: 'BLACKHOLE', Type: 'STATIC' },
    {
      DestinationCidrBlock: '2001:db8::/32',
      State: 'ACTIVE',
      Type: 'PROPAGATED',
      Destinations: [{ CoreNetworkAttachmentId: 'att-b', EdgeLocation: US, SegmentName: 'prod' }],
    },
    {
      PrefixListId: 'pl-0123',
      State: 'ACTIVE',
      Type: 'STATIC',
      Destinations: [{ CoreNetworkAttachmentId: 'att-a', EdgeLocation: US }],
    },
  ]);
  return store;
}

describe('NetworkRouteTables', () => {
  it('lists the tables read, in the order they were asked for', () => {
    assert.deepEqual(tables().tables(), [
      { kind: 'segment', name: 'prod', edge: US, routes: 6 },
      { kind: 'network-function-group', name: 'inspection', edge: US, routes: 1 },
    ]);
  });

  it('pages through a table, with every target member kept', () => {
    const page = tables().routes('segment', 'prod', US, { limit: 2, offset: 1 });
    assert.equal(page.total, 6);
    assert.deepEqual(page.routes, [
      {
        destination: '10.0.0.0/8',
        state: 'active',
        type: 'propagated',
        targets: [
          { attachmentId: 'att-a', edge: US, segment: 'prod', resourceType: 'vpc', resourceId: 'vpc-a' },
        ],
      },
      { destination: '10.1.0.0/16', state: 'active', type: 'propagated', targets: [{ edge: 'eu-west-1' }] },
    ]);
    const last = tables().routes('segment', 'prod', US, { offset: 4 });
    assert.deepEqual(
      last.routes.map((r) => `${r.destination} ${r.state} ${r.type}`),
      ['2001:db8::/32 active propagated', 'pl-0123 active static'],
    );
    assert.throws(
      () => tables().routes('segment', 'prod', US, { limit: 0 }),
      /limit must be an integer from 1/,
    );
  });

  it('finds the longest prefix containing an address', () => {
    const store = tables();
    const hit = (ip: string) => {
      const route = store.lookup('segment', 'prod', US, ip);
      return route && `${route.destination} ${route.state} ${JSON.stringify(route.targets)}`;
    };
    assert.equal(hit('10.1.2.3'), '10.1.2.0/24 blackhole []');
    assert.equal(hit('10.1.3.4'), '10.1.0.0/16 active [{"edge":"eu-west-1"}]');
    assert.equal(hit('10.200.0.1')?.split(' ')[0], '10.0.0.0/8');
    assert.equal(
      hit('192.168.1.1'),
      '0.0.0.0/0 active [{"edge":"us-east-1","networkFunctionGroup":"inspection"}]',
    );
    assert.equal(hit('2001:db8::1')?.split(' ')[0], '2001:db8::/32');
    assert.equal(hit('2001:db9::1'), undefined, 'no IPv6 default route');
    assert.throws(() => store.lookup('segment', 'prod', US, '10.1.2'), CloudWanError);
  });

  it('names the tables it has when asked for one it has not', () => {
    const store = tables();
    assert.throws(
      () => store.routes('segment', 'shared', US),
      (error: Error) =>
        error instanceof CloudWanError &&
        error.message ===
          'the route table of segment "shared" at edge us-east-1 was not discovered; tables: segment prod at us-east-1, network-function-group inspection at us-east-1',
    );
    assert.throws(() => store.lookup('segment', 'dev', 'eu-west-1', '10.0.0.1'), /could not be read/);
  });

  it('hands over propagated routes per attachment in the order the tables were asked for', () => {
    const seen: string[] = [];
    tables().forEachPropagated((attachment, destination) => seen.push(`${attachment} ${destination}`));
    // prod first (reserved first, filled second); statics and edge hops are not an attachment's own.
    assert.deepEqual(seen, ['att-a 10.0.0.0/8', 'att-b 2001:db8::/32', 'att-c 10.9.0.0/16']);
  });

  it('holds exactly the bytes it reports', () => {
    const store = tables();
    store.compact();
    // 7 routes: words 28 + lengths 7 + flags 7 + targetStart 8 x 4 = 32; one IPv6 prefix, 16;
    // 6 targets x 6 fields x 4 = 144. Typed arrays: 234.
    // Strings, interned once: att-c us-east-1 inspection att-a prod vpc vpc-a eu-west-1 att-b
    // pl-0123 = 62 characters, + 48 each for 10 = 542. Three tables x 64 = 192.
    assert.equal(store.byteSize(), 234 + 542 + 192);
  });
});

/** A fake EC2 whose SearchTransitGatewayRoutes answers at most `cap` of `routes`, in their order. */
function fakeEc2(routes: string[], cap: number): { client: EC2Client; filters: string[] } {
  const filters: string[] = [];
  const send = async (command: SearchTransitGatewayRoutesCommand) => {
    const extra = command.input.Filters?.find((f) => f.Name?.startsWith('route-search.'));
    filters.push(extra ? `${extra.Name} ${extra.Values?.[0]}` : 'all');
    const f = extra ? parseCidr(extra.Values?.[0] ?? '') : undefined;
    const matched = routes.filter((text) => {
      const route = parseCidr(text)!;
      if (!extra || !f) return true;
      if (f.version !== route.version) return false;
      if (extra.Name === 'route-search.exact-match')
        return route.prefix === f.prefix && cidrContains(f, route);
      if (extra.Name === 'route-search.subnet-of-match')
        return route.prefix >= f.prefix && cidrContains(f, route);
      return route.prefix <= f.prefix && cidrContains(route, f);
    });
    return {
      Routes: matched
        .slice(0, cap)
        .map((d) => ({ DestinationCidrBlock: d, State: 'active', Type: 'static' })),
      AdditionalRoutesAvailable: matched.length > cap,
    };
  };
  return { client: { send } as unknown as EC2Client, filters };
}

async function searchAll(routes: string[], cap: number) {
  const fake = fakeEc2(routes, cap);
  const found: string[] = [];
  const result = await searchTransitGatewayRoutes(fake.client, 'tgw-rtb-1', undefined, (page) => {
    for (const route of page) found.push(route.DestinationCidrBlock!);
  });
  return { found, ...result, filters: fake.filters };
}

describe('searchTransitGatewayRoutes', () => {
  it('takes one search when the table fits', async () => {
    const { found, searches, incomplete } = await searchAll(['10.0.0.0/8', '10.1.0.0/16'], 2);
    assert.deepEqual(found, ['10.0.0.0/8', '10.1.0.0/16']);
    assert.equal(searches, 1);
    assert.deepEqual(incomplete, []);
  });

  it('jumps to the prefix the truncated answer shares, and searches the siblings on the way', async () => {
    const { found, searches, incomplete, filters } = await searchAll(
      ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'],
      2,
    );
    assert.deepEqual([...found].sort(), ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16']);
    assert.deepEqual(incomplete, []);
    // all; 0.0.0.0/0 (truncated: 10/8 and 10.1/16 share /8) -> 10/8, supernet of 10/8, 8 siblings;
    // 10/8 (truncated, its own route seen) -> 10.1/16, supernet of 10.1/16, 8 siblings (10.2.0.0/15
    // among them); ::/0. 1 + 1 + 1 + 1 + 8 + 1 + 1 + 8 + 1 = 23.
    assert.equal(searches, 23);
    assert.ok(filters.includes('route-search.subnet-of-match 10.2.0.0/15'));
    assert.ok(filters.includes('route-search.supernet-of-match 10.0.0.0/8'));
  });

  it('finds every route when each answer holds one, IPv6 included', async () => {
    const routes = [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.1.0/24',
      '192.0.2.0/24',
      '::/0',
      '2001:db8::/32',
    ];
    const { found, incomplete } = await searchAll(routes, 1);
    assert.deepEqual([...found].sort(), [...routes].sort());
    assert.deepEqual(incomplete, []);
  });
});

describe('ProblemLog', () => {
  const denied = Object.assign(new Error('User: x is not authorized to perform: ec2:DescribeVpcs'), {
    name: 'UnauthorizedOperation',
  });

  it('merges failures of one call in one region, adding up what they cost', () => {
    const log = new ProblemLog();
    const site = {
      service: 'ec2' as const,
      operation: 'DescribeVpcs',
      region: 'eu-west-1',
      merge: true,
      consequence: (n: number) => `${plural(n, 'VPC')} in eu-west-1`,
    };
    log.fail(denied, { ...site, resource: 'vpc-1', amount: 200 });
    log.fail(denied, { ...site, resource: 'vpc-201', amount: 3 });
    assert.deepEqual(log.denied('ec2', 'DescribeVpcs', 'eu-west-1'), {
      code: 'UnauthorizedOperation',
      message: denied.message,
    });
    assert.equal(log.denied('ec2', 'DescribeVpcs', US), undefined);
    assert.deepEqual(log.list(), [
      {
        service: 'ec2',
        operation: 'DescribeVpcs',
        region: 'eu-west-1',
        resource: 'vpc-1',
        code: 'UnauthorizedOperation',
        message: denied.message,
        permission: 'ec2:DescribeVpcs',
        consequence: '203 VPCs in eu-west-1',
      },
    ]);
  });

  it('keeps one problem per resource unless asked to merge, and names no permission for other errors', () => {
    const log = new ProblemLog();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const site = {
      service: 'networkmanager' as const,
      operation: 'GetNetworkRoutes',
      consequence: () => 'a table',
    };
    log.fail(refused, { ...site, resource: 'segment a at us-east-1' });
    log.fail(refused, { ...site, resource: 'segment b at us-east-1' });
    assert.deepEqual(
      log.list().map((p) => `${p.resource} ${p.code} ${p.permission}`),
      ['segment a at us-east-1 ECONNREFUSED undefined', 'segment b at us-east-1 ECONNREFUSED undefined'],
    );
  });

  it('turns a cancelled call into an AbortedError instead of a problem', () => {
    const controller = new AbortController();
    const log = new ProblemLog(controller.signal);
    const site = { service: 'ec2' as const, operation: 'DescribeVpcs', consequence: () => '' };
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    assert.throws(() => log.fail(abort, site), AbortedError);
    controller.abort();
    assert.throws(() => log.fail(denied, site), AbortedError);
    assert.deepEqual(log.list(), []);
  });
});

describe('parseArn', () => {
  it('splits the ARNs the mapping uses', () => {
    assert.deepEqual(parseArn('arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc'), {
      partition: 'aws',
      service: 'ec2',
      region: 'eu-west-1',
      account: '123456789012',
      resourceType: 'vpc',
      id: 'vpc-0abc',
    });
    assert.deepEqual(parseArn('arn:aws:directconnect::123456789012:dx-gateway/5f0c1a2b-3c4d'), {
      partition: 'aws',
      service: 'directconnect',
      region: '',
      account: '123456789012',
      resourceType: 'dx-gateway',
      id: '5f0c1a2b-3c4d',
    });
    assert.equal(parseArn('vpc-0abc'), undefined);
    assert.equal(parseArn('arn:aws:ec2:eu-west-1:1:vpc'), undefined);
  });
});
