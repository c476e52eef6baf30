/** The store's allocation-free prefix parser must accept exactly what parseCidr accepts, with the same value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidr, parseIp } from '../../../src/topology/cidr.js';
import {
  formatPrefix,
  parseAddress,
  parsePrefix,
  V6_LENGTH_BASE,
} from '../../../src/topology/store/prefix.js';

const CIDRS = [
  '10.0.0.0/8',
  '10.0.0.0/08',
  '10.0.0.0/008',
  '0.0.0.0/0',
  '255.255.255.255/32',
  '10.0.0.1/32',
  '10.0.0.1/31',
  '10.0.0.0/33',
  '10.0.0.0/',
  '10.0.0.0',
  '10.0.0/8',
  '10.0.0.0.0/8',
  '010.0.0.0/8',
  '10.00.0.0/16',
  '256.0.0.0/8',
  '1.2.3.4/32 ',
  ' 1.2.3.4/32',
  '1.2.3.4/+3',
  '1.2.3.4/3a',
  '128.0.0.0/1',
  '192.168.0.0/15',
  '2600:1f14::/56',
  '::/0',
  '::1/128',
  '2600:1F14:0abc::/48',
  'fe80::/129',
  '::ffff:10.0.0.0/104',
  '1.2.3.4/0032',
  '',
];

test('parsePrefix agrees with parseCidr on valid, invalid and odd inputs', () => {
  const words = new Uint32Array(4);
  for (const text of CIDRS) {
    const expected = parseCidr(text);
    const code = parsePrefix(text, words);
    if (expected === undefined) {
      assert.equal(code, -1, text);
      continue;
    }
    assert.equal(code, expected.version === 4 ? expected.prefix : V6_LENGTH_BASE + expected.prefix, text);
    assert.deepEqual([...words.subarray(0, expected.words.length)], expected.words, text);
  }
});

test('parseAddress agrees with parseIp', () => {
  const words = new Uint32Array(4);
  for (const text of [
    '10.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '256.0.0.1',
    '01.0.0.1',
    '1.2.3',
    '::1',
    'fe80::1%eth0',
    '::ffff:1.2.3.4',
    'x',
  ]) {
    const expected = parseIp(text);
    assert.equal(parseAddress(text, words), expected?.version ?? 0, text);
    if (expected) assert.deepEqual([...words.subarray(0, expected.words.length)], expected.words, text);
  }
});

test('formatPrefix writes canonical text', () => {
  assert.equal(formatPrefix(24, [0x0a000100], 0), '10.0.1.0/24');
  assert.equal(formatPrefix(V6_LENGTH_BASE + 48, [0, 0x26001f14, 0x0abc0000, 0, 0], 1), '2600:1f14:abc::/48');
  assert.equal(formatPrefix(V6_LENGTH_BASE, [0, 0, 0, 0], 0), '::/0');
});
