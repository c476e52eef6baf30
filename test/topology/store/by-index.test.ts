/**
 * The builder's paths for sources that know more than ids: connections and routes by element index,
 * and elements whose ids are new by construction. Each must build the same store as the ordinary
 * path, and refuse what it cannot take with an error that says where and what to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { TopologyBuilder, type TopologyWarning } from '../../../src/topology/builder.js';
import { CONNECTION_TYPES, type ElementRecord, type TopologyView } from '../../../src/topology/model.js';

const elements: ElementRecord[] = [
  { id: 'vpc-a', type: 'vpc', cidrs: ['10.0.0.0/16'] },
  { id: 'subnet-a', type: 'subnet', cidrs: ['10.0.1.0/24'] },
  { id: 'rtb-1', type: 'tgw-route-table' },
  { id: 'att-a', type: 'vpc-attachment', cidrs: ['10.0.0.0/16'] },
];
const [vpcA, subnetA, rtb, attA] = [0, 1, 2, 3];

function thrown(run: () => unknown): TopologyError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TopologyError, `expected a TopologyError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a TopologyError, but nothing was thrown');
}

function everything(store: TopologyView): unknown[] {
  const out: unknown[] = [];
  for (let e = 0; e < store.elementCount; e++) out.push(store.element(e), [...store.outgoing(e)]);
  for (let c = 0; c < store.connectionCount; c++)
    out.push([store.connectionType(c), store.connectionSource(c), store.connectionTarget(c)]);
  for (let r = 0; r < store.routeCount; r++) out.push(store.route(r));
  out.push(store.prefixMatches('10.0.1.9'));
  return out;
}

test('connections and routes by index build the same store as by id', () => {
  const byId = new TopologyBuilder();
  const byIndex = new TopologyBuilder();
  for (const e of elements) {
    byId.addElement(e);
    byIndex.addElement(e);
  }
  byId.addConnection({ type: 'contains', source: 'vpc-a', target: 'subnet-a' });
  byId.addConnection({ type: 'attachment-of', source: 'att-a', target: 'vpc-a' });
  byId.addConnection({ type: 'association', source: 'att-a', target: 'rtb-1' });
  byId.addRoute({
    table: 'rtb-1',
    destination: '10.0.0.0/16',
    target: 'att-a',
    state: 'active',
    origin: 'propagated',
  });
  byId.addRoute({ table: 'rtb-1', destination: '192.0.2.0/24', state: 'blackhole', origin: 'static' });
  byIndex.addConnectionByIndex('contains', vpcA, subnetA);
  byIndex.addConnectionByIndex('attachment-of', attA, vpcA);
  byIndex.addConnectionByIndex('association', attA, rtb);
  byIndex.addRouteByIndex({
    table: rtb,
    destination: '10.0.0.0/16',
    target: attA,
    state: 'active',
    origin: 'propagated',
  });
  byIndex.addRouteByIndex({ table: rtb, destination: '192.0.2.0/24', state: 'blackhole', origin: 'static' });
  const [a, b] = [byId.build(), byIndex.build()];
  assert.deepEqual(everything(b), everything(a));
  assert.deepEqual([...b.outgoing(attA)], [1, 2]);
  assert.deepEqual(b.route(1), {
    table: rtb,
    destination: '192.0.2.0/24',
    target: -1,
    state: 'blackhole',
    origin: 'static',
  });
});

test('elementCount counts accepted elements only, and indexes must name one of them', () => {
  const b = new TopologyBuilder({ source: 'gen' });
  assert.equal(b.elementCount, 0);
  assert.match(
    thrown(() => b.addConnectionByIndex('contains', 0, 0)).message,
    /^gen: contains connection: its source 0 is not the index of an element added before it \(no element has been added yet\); add the element first/,
  );
  b.addElement(elements[0] as ElementRecord);
  thrown(() => b.addElement({ id: 'x', type: 'router' as never }));
  thrown(() => b.addElement(elements[0] as ElementRecord)); // a duplicate does not count either
  assert.equal(b.elementCount, 1);
  b.addElement(elements[1] as ElementRecord);
  assert.equal(b.elementCount, 2);
  for (const [source, target, end, shown] of [
    [0, 2, 'target', '2'],
    [-1, 1, 'source', '-1'],
    [0.5, 1, 'source', '0.5'],
    [Number.NaN, 1, 'source', 'null'],
  ] as const) {
    const error = thrown(() => b.addConnectionByIndex('contains', source, target, { line: 12 }));
    assert.equal(error.line, 12);
    assert.equal(
      error.message,
      `gen:12: contains connection: its ${end} ${shown} is not the index of an element added before it (0 to 1); add the element first or pass its id to addConnection`,
    );
  }
  assert.match(
    thrown(() => b.addConnectionByIndex('peers-with' as never, 0, 1)).message,
    /connection from element 0 to element 1 has unknown type "peers-with"; use one of contains, /,
  );
  // Nothing refused left a row behind.
  assert.equal(b.build().connectionCount, 0);
});

test('connections by index with a type code: the same rows as by name, bad codes and ends refused', () => {
  const byName = new TopologyBuilder({ source: 'gen' });
  const byCode = new TopologyBuilder({ source: 'gen' });
  for (const e of elements) {
    byName.addElement(e);
    byCode.addElement(e);
  }
  const links = [
    ['contains', vpcA, subnetA],
    ['attachment-of', attA, vpcA],
    ['association', attA, rtb],
  ] as const;
  for (const [type, source, target] of links) {
    byName.addConnectionByIndex(type, source, target);
    byCode.addConnectionByIndexCode(CONNECTION_TYPES.indexOf(type), source, target);
  }
  for (const code of [-1, CONNECTION_TYPES.length, 1.5, Number.NaN]) {
    const error = thrown(() => byCode.addConnectionByIndexCode(code, vpcA, subnetA, { line: 3 }));
    assert.equal(error.line, 3);
    assert.match(
      error.message,
      new RegExp(
        `^gen:3: connection from element 0 to element 1 has type code ${JSON.stringify(code)}, not 0 to ${CONNECTION_TYPES.length - 1}`,
      ),
    );
  }
  assert.equal(
    thrown(() => byCode.addConnectionByIndexCode(0, vpcA, elements.length)).message,
    `gen: ${CONNECTION_TYPES[0]} connection: its target 4 is not the index of an element added before it (0 to 3); add the element first or pass its id to addConnection`,
  );
  const [a, b] = [byName.build(), byCode.build()];
  assert.equal(b.connectionCount, links.length); // nothing refused left a row behind
  assert.deepEqual(everything(b), everything(a));
});

test('routes by index: bad tables and targets are named, the rest of the checks still apply', () => {
  const b = new TopologyBuilder({ source: 'gen' });
  for (const e of elements) b.addElement(e);
  const route = { destination: '10.0.0.0/16', state: 'active', origin: 'static' } as const;
  assert.match(
    thrown(() => b.addRouteByIndex({ ...route, table: 4 })).message,
    /^gen: route to "10\.0\.0\.0\/16": its table 4 is not the index of an element added before it \(0 to 3\)/,
  );
  assert.match(
    thrown(() => b.addRouteByIndex({ ...route, table: rtb, target: 9 })).message,
    /^gen: route to "10\.0\.0\.0\/16" in table "rtb-1": its target 9 is not the index of an element added before it \(0 to 3\); leave it out for a blackhole/,
  );
  assert.match(
    thrown(() => b.addRouteByIndex({ ...route, table: rtb, destination: '10.0.0.1/16' })).message,
    /in table "rtb-1": the destination is not a CIDR prefix/,
  );
  assert.match(
    thrown(() => b.addRouteByIndex({ ...route, table: rtb, state: 'up' as never })).message,
    /"state" must be "active" or "blackhole", not "up"/,
  );
  assert.equal(b.build().routeCount, 0);
});

test('lenient mode skips bad indexed records with a warning and keeps the good ones', () => {
  const warnings: TopologyWarning[] = [];
  const b = new TopologyBuilder({ source: 'gen', lenient: true, onWarning: (w) => warnings.push(w) });
  for (const e of elements) b.addElement(e);
  b.addConnectionByIndex('contains', vpcA, 7, { line: 5 });
  b.addConnectionByIndex('contains', vpcA, subnetA, { line: 6 });
  b.addRouteByIndex(
    { table: 40, destination: '10.0.0.0/16', state: 'blackhole', origin: 'static' },
    { line: 7 },
  );
  const store = b.build();
  assert.deepEqual(
    warnings.map((w) => [w.line, w.pointer]),
    [
      [5, undefined],
      [7, undefined],
    ],
  );
  assert.equal(b.skipped, 2);
  assert.equal(store.connectionCount, 1);
  assert.equal(store.connectionTarget(0), subnetA);
  assert.equal(store.routeCount, 0);
});

test('new elements build the same store as ordinary ones, across many batches and lookups between', () => {
  const make = (i: number): ElementRecord => ({
    id: `subnet-0${i.toString(16).padStart(16, '0')}`,
    type: 'subnet',
    region: i % 3 ? 'us-east-1' : 'eu-west-1',
    cidrs: [`10.${(i >> 8) & 255}.${i & 255}.0/24`],
  });
  const plain = new TopologyBuilder();
  const fresh = new TopologyBuilder();
  for (let i = 0; i < 3000; i++) {
    plain.addElement(make(i));
    fresh.addNewElement(make(i));
    // An ordinary connection now and then looks ids up while new ones still wait to be indexed.
    if (i % 700 === 1) {
      const c = { type: 'contains' as const, source: make(i).id, target: make(i - 1).id };
      plain.addConnection(c);
      fresh.addConnection(c);
    }
  }
  const [a, b] = [plain.build(), fresh.build()];
  assert.deepEqual(everything(b), everything(a));
  assert.deepEqual(b.byteSize(), a.byteSize());
  for (const i of [0, 1, 255, 256, 2999]) assert.equal(b.indexOf(make(i).id), i);
  assert.equal(b.indexOf('subnet-0'), -1);
  assert.equal(b.connectionCount, 5);
  assert.equal(b.connectionSource(4), 2801);
});

test('a new element whose id is taken after all fails the build, naming both elements', () => {
  const b = new TopologyBuilder({ source: 'gen' });
  b.addNewElement({ id: 'vpc-1', type: 'vpc' });
  b.addNewElement({ id: 'vpc-2', type: 'vpc' });
  b.addNewElement({ id: 'vpc-1', type: 'subnet' }); // not checked here: it waits in the batch
  const error = thrown(() => b.build());
  assert.equal(
    error.message,
    'gen: element 2 was added as new with id "vpc-1", but element 0 already has it; the source must give each element a unique id',
  );

  // Found by the next new element once a lookup has indexed the batch.
  const c = new TopologyBuilder({ source: 'gen' });
  c.addNewElement({ id: 'vpc-1', type: 'vpc' });
  c.addNewElement({ id: 'vpc-1', type: 'vpc' });
  c.addConnection({ type: 'contains', source: 'vpc-1', target: 'vpc-1' });
  assert.match(
    thrown(() => c.addNewElement({ id: 'vpc-3', type: 'vpc' })).message,
    /element 1 was added as new/,
  );

  // A bad new element is refused like any other, and leaves nothing behind.
  const d = new TopologyBuilder();
  thrown(() => d.addNewElement({ id: 'vpc-1', type: 'vpc', cidrs: ['10.0.0.1/8'] }));
  assert.equal(d.elementCount, 0);
  assert.equal(d.build().elementCount, 0);
});
