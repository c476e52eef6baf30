/**
 * Longest-prefix match on hand-built prefixes with known answers: nested and shared prefixes,
 * defaults, host routes, both families kept apart, and the deepest possible paths.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyBuilder } from '../../../src/topology/builder.js';
import { formatCidr, maskWord } from '../../../src/topology/cidr.js';
import type { ElementRecord } from '../../../src/topology/model.js';
import type { MemoryOptimizedTopology } from '../../../src/topology/store.js';

function store(elements: ElementRecord[]): MemoryOptimizedTopology {
  const b = new TopologyBuilder();
  for (const e of elements) b.addElement(e);
  return b.build();
}

const v4 = store([
  { id: 'vpc-a', type: 'vpc', cidrs: ['10.0.0.0/16'] },
  { id: 'subnet-a1', type: 'subnet', cidrs: ['10.0.1.0/24'] },
  { id: 'att-a', type: 'vpc-attachment', cidrs: ['10.0.0.0/16', '172.16.0.0/12'] },
  { id: 'host', type: 'connect-peer', cidrs: ['10.0.1.5/32'] },
  { id: 'edge', type: 'edge', cidrs: ['0.0.0.0/0'] },
  { id: 'vpc-b', type: 'vpc', cidrs: ['10.128.0.0/9'] },
  { id: 'vpc-c', type: 'vpc', cidrs: ['10.0.0.0/8'] },
  { id: 'vpc-d', type: 'vpc', cidrs: ['10.1.0.0/16'] },
  // Equals the branch point between 10.0.0.0/16 and 10.1.0.0/16.
  { id: 'vpc-e', type: 'vpc', cidrs: ['10.0.0.0/15'] },
]);
const [vpcA, subnetA1, attA, host, edge, vpcB, vpcC, vpcD, vpcE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

test('IPv4: every containing prefix, most specific first, shared prefixes with all owners', () => {
  assert.deepEqual(v4.prefixMatches('10.0.1.5'), [
    { elements: [host], prefix: '10.0.1.5/32' },
    { elements: [subnetA1], prefix: '10.0.1.0/24' },
    { elements: [vpcA, attA], prefix: '10.0.0.0/16' },
    { elements: [vpcE], prefix: '10.0.0.0/15' },
    { elements: [vpcC], prefix: '10.0.0.0/8' },
    { elements: [edge], prefix: '0.0.0.0/0' },
  ]);
  assert.deepEqual(v4.longestPrefixMatch('10.0.1.6'), { elements: [subnetA1], prefix: '10.0.1.0/24' });
  assert.deepEqual(v4.longestPrefixMatch('10.0.200.1'), { elements: [vpcA, attA], prefix: '10.0.0.0/16' });
  assert.deepEqual(v4.longestPrefixMatch('10.1.2.3'), { elements: [vpcD], prefix: '10.1.0.0/16' });
  assert.deepEqual(v4.longestPrefixMatch('10.2.0.1'), { elements: [vpcC], prefix: '10.0.0.0/8' });
  assert.deepEqual(
    v4.prefixMatches('10.200.0.1').map((m) => m.prefix),
    ['10.128.0.0/9', '10.0.0.0/8', '0.0.0.0/0'],
  );
  assert.deepEqual(v4.longestPrefixMatch('10.200.0.1')?.elements, [vpcB]);
  assert.deepEqual(v4.longestPrefixMatch('172.31.255.255'), { elements: [attA], prefix: '172.16.0.0/12' });
  assert.deepEqual(v4.longestPrefixMatch('172.32.0.0'), { elements: [edge], prefix: '0.0.0.0/0' });
  assert.deepEqual(v4.prefixMatches('255.255.255.255'), [{ elements: [edge], prefix: '0.0.0.0/0' }]);
});

test('IPv4 and IPv6 prefixes never match the other family', () => {
  assert.deepEqual(v4.prefixMatches('::ffff:10.0.1.5'), []);
  const six = store([{ id: 'edge', type: 'edge', cidrs: ['::/0'] }]);
  assert.equal(six.longestPrefixMatch('10.0.0.1'), undefined);
  assert.deepEqual(six.longestPrefixMatch('::ffff:10.0.1.5'), { elements: [0], prefix: '::/0' });
});

test('IPv6: nested prefixes, a host route, canonical text for non-canonical input', () => {
  const s = store([
    { id: 'vpc-6', type: 'vpc', cidrs: ['2600:1F14:0ABC::/48', '10.0.0.0/16'] },
    { id: 'subnet-6', type: 'subnet', cidrs: ['2600:1f14:abc:1::/64'] },
    { id: 'peer-6', type: 'connect-peer', cidrs: ['2600:1f14:abc:1:0:0:0:5/128'] },
    { id: 'edge', type: 'edge', cidrs: ['::/0'] },
    { id: 'other', type: 'vpc', cidrs: ['2600:1f14:abd::/48'] },
  ]);
  assert.deepEqual(s.cidrs(0), ['2600:1f14:abc::/48', '10.0.0.0/16']);
  assert.deepEqual(s.cidrs(2), ['2600:1f14:abc:1::5/128']);
  assert.deepEqual(s.prefixMatches('2600:1f14:abc:1::5'), [
    { elements: [2], prefix: '2600:1f14:abc:1::5/128' },
    { elements: [1], prefix: '2600:1f14:abc:1::/64' },
    { elements: [0], prefix: '2600:1f14:abc::/48' },
    { elements: [3], prefix: '::/0' },
  ]);
  assert.deepEqual(s.longestPrefixMatch('2600:1f14:abc:2::1'), {
    elements: [0],
    prefix: '2600:1f14:abc::/48',
  });
  assert.deepEqual(s.longestPrefixMatch('2600:1f14:abd:ffff::'), {
    elements: [4],
    prefix: '2600:1f14:abd::/48',
  });
  assert.deepEqual(s.longestPrefixMatch('fe80::1'), { elements: [3], prefix: '::/0' });
  assert.deepEqual(s.longestPrefixMatch('10.0.9.9'), { elements: [0], prefix: '10.0.0.0/16' });
});

test('the deepest paths: every length from /0 to /32 and /0 to /128 on one address', () => {
  const elements: ElementRecord[] = [];
  for (let length = 0; length <= 32; length++)
    elements.push({
      id: `v4-${length}`,
      type: 'vpc',
      // 10.0.0.0 cut to the length (host bits cleared): 0.0.0.0/4, 8.0.0.0/5, 10.0.0.0/7, ...
      cidrs: [formatCidr({ version: 4, words: [(0x0a000000 & maskWord(length, 0)) >>> 0], prefix: length })],
    });
  for (let length = 0; length <= 128; length++)
    elements.push({ id: `v6-${length}`, type: 'vpc', cidrs: [`::/${length}`] });
  const s = store(elements);
  const four = s.prefixMatches('10.0.0.0');
  assert.equal(four.length, 33);
  assert.deepEqual(four[0], { elements: [32], prefix: '10.0.0.0/32' });
  assert.deepEqual(four[32], { elements: [0], prefix: '0.0.0.0/0' });
  assert.deepEqual(
    four.map((m) => m.elements[0]),
    Array.from({ length: 33 }, (_, i) => 32 - i),
  );
  // 10.0.0.1 leaves the path after /31.
  assert.deepEqual(s.longestPrefixMatch('10.0.0.1'), { elements: [31], prefix: '10.0.0.0/31' });
  const six = s.prefixMatches('::');
  assert.equal(six.length, 129);
  assert.deepEqual(six[0], { elements: [33 + 128], prefix: '::/128' });
  assert.deepEqual(s.longestPrefixMatch('::1'), { elements: [33 + 127], prefix: '::/127' });
  assert.deepEqual(s.longestPrefixMatch('8000::'), { elements: [33], prefix: '::/0' });
});

test('an element listing a prefix twice owns it once', () => {
  const s = store([
    { id: 'a', type: 'vpc', cidrs: ['10.0.0.0/8', '10.0.0.0/8'] },
    { id: 'b', type: 'vpc', cidrs: ['10.0.0.0/8'] },
  ]);
  assert.deepEqual(s.cidrs(0), ['10.0.0.0/8', '10.0.0.0/8']);
  assert.deepEqual(s.longestPrefixMatch('10.1.1.1'), { elements: [0, 1], prefix: '10.0.0.0/8' });
});
