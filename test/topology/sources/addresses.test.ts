import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCidr, parseCidr } from '../../../src/topology/cidr.js';
import { AddressPlan, VPC_POOLS, VPC_V6_BASE } from '../../../src/topology/sources/generate/addresses.js';

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

describe('AddressPlan', () => {
  it('fills 10/8, then 100.64/10, then 192.168/16 with the largest blocks that fit', () => {
    const plan = new AddressPlan(321, VPC_POOLS, { min: 16, max: 26 }, VPC_V6_BASE, 2);
    assert.equal(plan.prefix, 16); // 256 + 64 + 1 blocks of /16 is exactly 321
    assert.equal(plan.v4Blocks, 321);
    assert.deepEqual(
      [0, 1, 255, 256, 319, 320].map((i) => plan.block(i)),
      ['10.0.0.0/16', '10.1.0.0/16', '10.255.0.0/16', '100.64.0.0/16', '100.127.0.0/16', '192.168.0.0/16'],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => plan.subnet(1, k)),
      ['10.1.0.0/18', '10.1.64.0/18', '10.1.128.0/18', '10.1.192.0/18'],
    );
    assert.equal(new AddressPlan(322, VPC_POOLS, { min: 16, max: 26 }, VPC_V6_BASE).prefix, 17);
  });

  it('spills into IPv6 /56 blocks, in canonical form, once IPv4 is used up', () => {
    const plan = new AddressPlan(
      1000,
      [{ base: v4(10, 0, 0, 0), prefix: 30 }],
      { min: 31, max: 31 },
      VPC_V6_BASE,
      1,
    );
    assert.equal(plan.prefix, 31);
    assert.equal(plan.v4Blocks, 2);
    assert.equal(plan.subnet(1, 1), '10.0.0.3/32');
    assert.deepEqual(
      [1, 2, 3, 2 + 256, 2 + 2 ** 24].map((i) => plan.block(i)),
      ['10.0.0.2/31', 'fd00::/56', 'fd00:0:0:100::/56', 'fd00:0:1::/56', 'fd00:1::/56'],
    );
    assert.equal(plan.subnet(3, 1), 'fd00:0:0:101::/64');
    for (const i of [2, 3, 300, 70_000, 2 ** 24 + 5, 2 ** 30]) {
      for (const text of [plan.block(i), plan.subnet(i, 1)]) {
        const cidr = parseCidr(text);
        assert.ok(cidr, text);
        assert.equal(formatCidr(cidr), text);
      }
    }
  });

  it('refuses subnets that do not fit in the block', () => {
    assert.throws(
      () => new AddressPlan(1, [{ base: 0, prefix: 30 }], { min: 32, max: 32 }, VPC_V6_BASE, 1),
      RangeError,
    );
  });
});
