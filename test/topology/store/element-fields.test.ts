/**
 * The builder's record-free paths for a trusted source: elements as ElementFields (bytes and codes)
 * and routes with a parsed destination. Each must build exactly the store the records build, and a
 * source's mistake must be refused with a message that names it, leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { ElementFields, TopologyBuilder } from '../../../src/topology/builder.js';
import { ELEMENT_TYPES, type ElementRecord, type TopologyView } from '../../../src/topology/model.js';
import { parsePrefix } from '../../../src/topology/store/prefix.js';

const records: ElementRecord[] = [
  { id: 'core-1', type: 'core-network', name: 'core', accountId: '111122223333', state: 'available' },
  { id: 'edge-a', type: 'edge', name: 'us-east-1', region: 'us-east-1', asn: 64512, state: 'available' },
  {
    id: 'vpc-1',
    type: 'vpc',
    name: 'café-1', // latin1, two UTF-8 bytes for é
    region: 'us-east-1',
    accountId: '111122223333',
    cidrs: ['10.0.0.0/16', '2600:1f14::/56'],
  },
  { id: 'subnet-1', type: 'subnet', region: 'eu-west-1', cidrs: [] }, // an empty list stays a list
  { id: 'att-1', type: 'vpc-attachment', segment: 'prod', cidrs: ['10.0.0.0/16'], tags: { segment: 'prod' } },
  { id: 'att-2', type: 'vpn-attachment', segment: 'hybrid', asn: 4_200_000_000, tags: {} },
  { id: 'tgw-ø', type: 'transit-gateway', tags: { nfg: 'prod', segment: 'hybrid' } },
];

/** The record as fields, values coded through the builder just before first use (as the generator does). */
function fill(b: TopologyBuilder, r: ElementRecord, f: ElementFields): ElementFields {
  const latin1 = (text: string, into: Uint8Array): number => {
    for (let i = 0; i < text.length; i++) into[i] = text.charCodeAt(i);
    return text.length;
  };
  f.type = ELEMENT_TYPES.indexOf(r.type);
  f.idLength = latin1(r.id, f.id);
  f.nameLength = r.name === undefined ? -1 : latin1(r.name, f.name);
  f.region = r.region === undefined ? 0 : b.valueCode('region', r.region);
  f.segment = r.segment === undefined ? 0 : b.valueCode('segment', r.segment);
  f.account = r.accountId === undefined ? 0 : b.valueCode('accountId', r.accountId);
  f.state = r.state === undefined ? 0 : b.valueCode('state', r.state);
  f.asn = r.asn ?? -1;
  f.cidrCount = r.cidrs === undefined ? -1 : r.cidrs.length;
  const words = new Uint32Array(4);
  r.cidrs?.forEach((cidr, k) => {
    words.fill(0);
    f.cidrCodes[k] = parsePrefix(cidr, words);
    f.cidrWords.set(words, k * 4);
  });
  const tags = Object.entries(r.tags ?? {});
  f.tagCount = r.tags === undefined ? -1 : tags.length;
  tags.forEach(([key, value], k) => {
    f.tagKeys[k] = b.valueCode('tagKey', key);
    f.tagValues[k] = b.valueCode('tagValue', value);
  });
  return f;
}

function cidr(f: ElementFields, code: number, words: number[]): void {
  f.cidrCount = 1;
  f.cidrCodes[0] = code;
  f.cidrWords.set(words);
}

function tag(f: ElementFields, key: number): void {
  f.tagCount = 1;
  f.tagKeys[0] = key;
}

function everything(view: TopologyView): unknown[] {
  const out: unknown[] = [view.regions(), view.segments(), view.byteSize()];
  for (let e = 0; e < view.elementCount; e++) out.push(view.element(e), view.indexOf(view.id(e)));
  for (let r = 0; r < view.routeCount; r++) out.push(view.route(r));
  out.push(view.prefixMatches('10.0.3.4'), view.prefixMatches('2600:1f14::9'));
  return out;
}

test('elements as fields build the same store as the same records', () => {
  const fromRecords = new TopologyBuilder();
  for (const r of records) fromRecords.addElement(r);
  const fromFields = new TopologyBuilder();
  const f = new ElementFields();
  for (const r of records) fromFields.addNewElementFields(fill(fromFields, r, f));
  const [a, b] = [fromFields.build(), fromRecords.build()];
  assert.deepEqual(everything(a), everything(b));
  assert.equal(a.name(2), 'café-1');
  assert.equal(a.indexOf('tgw-ø'), 6);
  assert.deepEqual(a.cidrs(3), []);
  assert.deepEqual(a.tags(5), {});
});

test('fields a source got wrong are refused by name, and leave nothing behind', () => {
  const cases: Array<[string, (f: ElementFields) => void, RegExp]> = [
    [
      'type',
      (f) => {
        f.type = ELEMENT_TYPES.length;
      },
      /type code 17 is not 0 to 16/,
    ],
    [
      'id',
      (f) => {
        f.idLength = 0;
      },
      /id length 0 is not 1 to 256/,
    ],
    [
      'region',
      (f) => {
        f.region = 5;
      },
      /region code 5 was not given by valueCode/,
    ],
    [
      'asn',
      (f) => {
        f.asn = 2 ** 32;
      },
      /asn 4294967296 is not -1 or 0 to 4294967295/,
    ],
    ['host bits', (f) => cidr(f, 16, [0x0a000001, 0, 0, 0]), /CIDR 0/],
    ['v6 host bits', (f) => cidr(f, 33 + 56, [1, 0, 0, 1]), /CIDR 0/],
    ['tag', (f) => tag(f, 9), /tag 0 has codes that were not given by valueCode/],
  ];
  for (const [name, spoil, message] of cases) {
    const warnings: string[] = [];
    const b = new TopologyBuilder({ lenient: true, onWarning: (w) => warnings.push(w.message) });
    const f = new ElementFields();
    b.addNewElementFields(fill(b, records[0] as ElementRecord, f));
    fill(b, records[1] as ElementRecord, f);
    spoil(f);
    b.addNewElementFields(f);
    assert.equal(warnings.length, 1, name);
    assert.match(warnings[0] as string, message, name);
    assert.match(warnings[0] as string, /a bug in the source/, name);
    // Nothing of the refused element: the next one takes its index and the store is whole.
    b.addNewElementFields(fill(b, records[2] as ElementRecord, f));
    const store = b.build();
    assert.equal(store.elementCount, 2, name);
    assert.equal(store.id(1), 'vpc-1', name);
    assert.deepEqual(store.cidrs(1), ['10.0.0.0/16', '2600:1f14::/56'], name);
    assert.equal(store.name(1), 'café-1', name);
  }
  // Strict mode throws, naming the source.
  const strict = new TopologyBuilder({ source: 'my-source' });
  const f = fill(strict, records[0] as ElementRecord, new ElementFields());
  f.type = -1;
  assert.throws(
    () => strict.addNewElementFields(f),
    (e) => e instanceof TopologyError && /type code -1/.test(e.message),
  );
  assert.throws(() => strict.valueCode('colour' as never, 'red'), /no field "colour" takes value codes/);
});

test('routes with a parsed destination build the same store as with its text, and bad ones are named', () => {
  const byText = new TopologyBuilder();
  const byWords = new TopologyBuilder();
  for (const b of [byText, byWords]) {
    b.addElement({ id: 'rtb', type: 'tgw-route-table' });
    b.addElement({ id: 'att', type: 'vpc-attachment' });
  }
  const routes = [
    { destination: '0.0.0.0/0', target: 1, state: 'active', origin: 'static' },
    { destination: '192.0.2.0/24', state: 'blackhole', origin: 'static' },
    { destination: '2600:1f14::/56', target: 1, state: 'active', origin: 'propagated' },
  ] as const;
  const words = new Uint32Array(4);
  for (const r of routes) {
    byText.addRouteByIndex({ table: 0, ...r });
    words.fill(0);
    const code = parsePrefix(r.destination, words);
    byWords.addRouteByIndexPrefix({ table: 0, code, words, ...r });
  }
  const bad = (route: Parameters<TopologyBuilder['addRouteByIndexPrefix']>[0]): string => {
    try {
      byWords.addRouteByIndexPrefix(route);
    } catch (error) {
      return (error as Error).message;
    }
    return assert.fail('expected the route to be refused');
  };
  const good = { table: 0, code: 24, words: Uint32Array.of(0xc0000200, 0, 0, 0), state: 'active' } as const;
  assert.match(
    bad({ ...good, code: 8, origin: 'static' }),
    /length code 8 with words 3221225984, 0, 0, 0" in table "rtb": the destination is not a CIDR prefix/,
  );
  assert.match(bad({ ...good, code: -1, origin: 'static' }), /not a CIDR prefix/);
  assert.match(
    bad({ ...good, table: 7, origin: 'static' }),
    /route to "192\.0\.2\.0\/24": its table 7 is not the index/,
  );
  assert.match(
    bad({ ...good, origin: 'learned' as never }),
    /route to "192\.0\.2\.0\/24" in table "rtb": "origin" must be/,
  );
  assert.deepEqual(everything(byWords.build()), everything(byText.build()));
});
