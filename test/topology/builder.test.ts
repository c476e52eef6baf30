/**
 * TopologyBuilder: records in any order, and bad records. Strict mode stops at the first bad record
 * with a TopologyError naming the source, line, pointer and id; lenient mode skips it, warns with
 * the same message and keeps everything else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { TopologyBuilder, type TopologyWarning } from '../../src/topology/builder.js';
import type { ConnectionRecord, ElementRecord, RouteRecord } from '../../src/topology/model.js';

const vpc = (id: string, cidrs?: string[]): ElementRecord =>
  cidrs ? { id, type: 'vpc', cidrs } : { id, type: 'vpc' };
const contains = (source: string, target: string): ConnectionRecord => ({ type: 'contains', source, target });
const route = (table: string, destination: string, target?: string): RouteRecord =>
  target === undefined
    ? { table, destination, state: 'blackhole', origin: 'static' }
    : { table, destination, target, state: 'active', origin: 'propagated' };

/** The TopologyError thrown by `run`, checked to be one. */
function topologyError(run: () => unknown): TopologyError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TopologyError, `expected a TopologyError, got ${String(error)}`);
    assert.equal(error.code, 'HR_TOPOLOGY_INVALID');
    return error;
  }
  assert.fail('expected a TopologyError, but nothing was thrown');
}

test('connections and routes may name elements that arrive after them', () => {
  const b = new TopologyBuilder();
  b.addConnection(contains('vpc-a', 'subnet-a'));
  b.addRoute(route('rtb-1', '10.0.0.0/16', 'vpc-a'));
  b.addElement({ id: 'subnet-a', type: 'subnet', cidrs: ['10.0.1.0/24'] });
  b.addConnection(contains('vpc-a', 'subnet-a'));
  b.addElement(vpc('vpc-a', ['10.0.0.0/16']));
  b.addElement({ id: 'rtb-1', type: 'tgw-route-table' });
  const store = b.build();
  const [subnet, vpcA, table] = [store.indexOf('subnet-a'), store.indexOf('vpc-a'), store.indexOf('rtb-1')];
  assert.deepEqual([subnet, vpcA, table], [0, 1, 2]);
  assert.equal(store.connectionCount, 2);
  for (const c of [0, 1]) {
    assert.equal(store.connectionSource(c), vpcA);
    assert.equal(store.connectionTarget(c), subnet);
  }
  assert.deepEqual([...store.outgoing(vpcA)], [0, 1]);
  assert.deepEqual([...store.incoming(subnet)], [0, 1]);
  assert.deepEqual(store.route(0), {
    table,
    destination: '10.0.0.0/16',
    target: vpcA,
    state: 'active',
    origin: 'propagated',
  });
  assert.deepEqual([...store.routesOf(table)], [0]);
  assert.deepEqual([...store.routesOf(vpcA)], []);
});

test('strict mode: an unknown element type names the id, the line and the allowed types', () => {
  const b = new TopologyBuilder({ source: 'snap.ndjson' });
  b.addElement(vpc('vpc-1'), { line: 1 });
  const error = topologyError(() =>
    b.addElement({ id: 'x-1', type: 'router' as never }, { line: 2, pointer: '' }),
  );
  assert.equal(error.line, 2);
  assert.equal(error.pointer, '/type');
  assert.equal(error.source, 'snap.ndjson');
  assert.match(
    error.message,
    /^snap\.ndjson:2 at \/type: element "x-1" has unknown type "router"; use one of global-network, /,
  );
});

test('strict mode: a duplicate id is rejected where the second one is', () => {
  const b = new TopologyBuilder({ source: 'snap.ndjson' });
  b.addElement(vpc('vpc-1'), { line: 1 });
  b.addElement(vpc('vpc-2'), { line: 2 });
  const error = topologyError(() => b.addElement({ id: 'vpc-1', type: 'subnet' }, { line: 3 }));
  assert.equal(error.line, 3);
  assert.match(error.message, /^snap\.ndjson:3: duplicate element id "vpc-1" \(element 0 already has it\)/);
});

test('strict mode: invalid CIDRs, host bits set included, point at the bad entry', () => {
  for (const [bad, index] of [
    ['10.0.0.1/16', 1],
    ['10.0.0.0/33', 0],
    ['300.0.0.0/8', 0],
    ['10.0.0.0', 0],
    ['2600:1f14::1/56', 1],
    ['fe80::/129', 0],
    ['010.0.0.0/8', 0],
  ] as const) {
    const cidrs = index === 0 ? [bad] : ['192.168.0.0/16', bad];
    const error = topologyError(() =>
      new TopologyBuilder({ source: 'snap.json' }).addElement(vpc('vpc-9', cidrs), {
        pointer: '/elements/4',
      }),
    );
    assert.equal(error.pointer, `/elements/4/cidrs/${index}`, bad);
    assert.ok(
      error.message.includes(`element "vpc-9": "${bad}" in "cidrs" is not a valid CIDR prefix`),
      error.message,
    );
  }
});

test('strict mode: a dangling connection end is reported at build with the connection line', () => {
  const b = new TopologyBuilder({ source: 'snap.ndjson' });
  b.addElement(vpc('vpc-1'), { line: 1 });
  b.addConnection(contains('vpc-1', 'subnet-404'), { line: 2 });
  const error = topologyError(() => b.build());
  assert.equal(error.line, 2);
  assert.equal(
    error.message,
    'snap.ndjson:2: contains connection from "vpc-1" to "subnet-404": its target "subnet-404" is not an element id; add that element or correct the id',
  );
});

test('strict mode: dangling route tables and targets, and destinations that are not CIDRs', () => {
  const dangling = new TopologyBuilder();
  dangling.addElement({ id: 'rtb-1', type: 'tgw-route-table' });
  dangling.addRoute(route('rtb-1', '10.0.0.0/8', 'tgw-attach-404'), { line: 7 });
  const error = topologyError(() => dangling.build());
  assert.equal(error.line, 7);
  assert.match(error.message, /route to 10\.0\.0\.0\/8: its target "tgw-attach-404" is not an element id/);

  const noTable = new TopologyBuilder();
  noTable.addRoute(route('rtb-404', '10.0.0.0/8'), { line: 3 });
  assert.match(
    topologyError(() => noTable.build()).message,
    /:3: route to 10\.0\.0\.0\/8: its table "rtb-404"/,
  );

  const error2 = topologyError(() =>
    new TopologyBuilder().addRoute(route('rtb-1', 'pl-0123abcd'), { line: 9 }),
  );
  assert.equal(error2.line, 9);
  assert.match(
    error2.message,
    /route to "pl-0123abcd" in table "rtb-1": the destination is not a CIDR prefix/,
  );
  const badState = { ...route('rtb-1', '10.0.0.0/8'), state: 'ACTIVE' } as unknown as RouteRecord;
  assert.match(
    topologyError(() => new TopologyBuilder().addRoute(badState)).message,
    /"state" must be "active" or "blackhole", not "ACTIVE"/,
  );
});

test('strict mode: unknown connection types, missing ids and mistyped fields', () => {
  const b = new TopologyBuilder();
  assert.match(
    topologyError(() =>
      b.addConnection({ type: 'peers-with' as never, source: 'a', target: 'b' }, { line: 4 }),
    ).message,
    /^topology:4: connection from "a" to "b" has unknown type "peers-with"; use one of contains, /,
  );
  assert.match(
    topologyError(() => b.addConnection({ type: 'contains', source: 'a' } as never)).message,
    /contains connection has no "target"/,
  );
  assert.match(topologyError(() => b.addElement({ type: 'vpc' } as never)).message, /element has no "id"/);
  assert.match(
    topologyError(() => b.addElement({ id: 'v', type: 'vpc', asn: -1 })).message,
    /"asn" must be an integer from 0 to 4294967295, not -1/,
  );
  assert.match(
    topologyError(() => b.addElement({ id: 'v', type: 'vpc', region: 5 } as never)).message,
    /"region" must be a string, not number/,
  );
  assert.match(
    topologyError(() => b.addElement({ id: 'v', type: 'vpc', tags: { a: 1 } } as never)).message,
    /tag "a" must have a string value/,
  );
  // None of the rejected records left anything behind.
  const store = b.build();
  assert.equal(store.elementCount, 0);
  assert.equal(store.connectionCount, 0);
});

test('lenient mode skips bad records, warns with the same messages, and keeps the rest', () => {
  const warnings: TopologyWarning[] = [];
  const b = new TopologyBuilder({ source: 'snap.ndjson', lenient: true, onWarning: (w) => warnings.push(w) });
  b.addElement(vpc('vpc-1', ['10.1.0.0/16']), { line: 1 });
  b.addElement({ id: 'odd-1', type: 'router' as never }, { line: 2 });
  b.addElement(vpc('vpc-1', ['10.9.0.0/16']), { line: 3 }); // duplicate: the first one stays
  b.addElement(vpc('vpc-bad', ['10.2.0.1/16']), { line: 4 }); // bad CIDR: the whole element is skipped
  b.addElement({ id: 'subnet-1', type: 'subnet', cidrs: ['10.1.1.0/24'] }, { line: 5 });
  b.addConnection(contains('vpc-1', 'subnet-1'), { line: 6 });
  b.addConnection(contains('vpc-bad', 'subnet-1'), { line: 7 }); // names a skipped element
  b.addConnection(contains('ghost-1', 'ghost-2'), { line: 8 }); // both ends missing: one warning
  b.addConnection({ type: 'attached-to', source: 'subnet-1', target: 'vpc-1' }, { line: 9 });
  b.addRoute(route('vpc-1', '10.1.0.0/16', 'subnet-1'), { line: 10 });
  b.addRoute(route('vpc-1', '0.0.0.0/0', 'igw-404'), { line: 11 });
  b.addRoute(route('vpc-1', '192.168.0.0/16'), { line: 12 });
  b.setPolicy('core-network-404', { version: '2021.12' } as never);
  const store = b.build();

  assert.deepEqual(
    warnings.map((w) => w.line),
    [2, 3, 4, 7, 8, 11, undefined],
  );
  assert.equal(b.skipped, 7);
  assert.ok(warnings.every((w) => w.message.startsWith('snap.ndjson')));
  assert.match(
    warnings[3]?.message ?? '',
    /^snap\.ndjson:7: contains connection from "vpc-bad" to "subnet-1": its source "vpc-bad"/,
  );
  assert.match(warnings[4]?.message ?? '', /from "ghost-1" to "ghost-2": its source "ghost-1"/);
  assert.match(
    warnings[6]?.message ?? '',
    /policy is given for core network "core-network-404", but no element has that id/,
  );

  assert.equal(store.elementCount, 2);
  assert.deepEqual(store.element(0), { id: 'vpc-1', type: 'vpc', cidrs: ['10.1.0.0/16'] });
  assert.equal(store.indexOf('vpc-bad'), -1);
  assert.equal(store.connectionCount, 2);
  assert.deepEqual(
    [0, 1].map((c) => [store.connectionType(c), store.connectionSource(c), store.connectionTarget(c)]),
    [
      ['contains', 0, 1],
      ['attached-to', 1, 0],
    ],
  );
  assert.deepEqual([...store.outgoing(1)], [1]);
  assert.equal(store.routeCount, 2);
  assert.deepEqual([...store.routesOf(0)], [0, 1]);
  assert.deepEqual(store.route(1), {
    table: 0,
    destination: '192.168.0.0/16',
    target: -1,
    state: 'blackhole',
    origin: 'static',
  });
  assert.deepEqual(store.longestPrefixMatch('10.1.1.7'), { elements: [1], prefix: '10.1.1.0/24' });
  assert.equal(store.longestPrefixMatch('10.2.0.1'), undefined);
});

test('a policy is kept by core network index; a builder builds once', () => {
  const b = new TopologyBuilder();
  b.addElement({ id: 'gn-1', type: 'global-network' });
  b.addElement({ id: 'cn-1', type: 'core-network' });
  const policy = { version: '2021.12', segments: [{ name: 'prod' }] } as never;
  b.setPolicy('cn-1', policy);
  const store = b.build();
  assert.equal(store.policy(1), policy);
  assert.equal(store.policy(0), undefined);
  assert.throws(() => b.build(), /already built/);
  assert.throws(() => b.addElement(vpc('vpc-1')), /already built/);
});

test('strict mode: a policy for a core network that is not there', () => {
  const b = new TopologyBuilder({ source: 'snap.json' });
  b.setPolicy('core-network-0abc', { version: '2021.12' } as never);
  assert.match(
    topologyError(() => b.build()).message,
    /^snap\.json: a policy is given for core network "core-network-0abc"/,
  );
});

test('size hints are checked when the builder is made', () => {
  assert.throws(
    () => new TopologyBuilder({ expectedElements: -1 }),
    /expectedElements must be an integer from 0 to/,
  );
  assert.throws(
    () => new TopologyBuilder({ expectedConnections: 1.5 }),
    /expectedConnections must be an integer/,
  );
  assert.equal(new TopologyBuilder({ expectedElements: 0, expectedConnections: 10 }).build().elementCount, 0);
});
