/**
 * groupBy: the grouping the store's adjacency and by-type/region/segment indexes are made of. Every
 * key array kind the builder hands it (wide connection ends, narrowed dictionary codes) must give
 * the grouping a plain per-group list gives, items ascending within a group.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, groupBy } from '../../../src/topology/store/csr.js';

/** The grouping done the obvious way: a list per group. */
function naive(keys: ArrayLike<number>, count: number, groups: number, first: number): number[][] {
  const out: number[][] = Array.from({ length: Math.max(0, groups - first) }, () => []);
  for (let i = 0; i < count; i++) if (keys[i]! >= first) out[keys[i]! - first]!.push(i);
  return out;
}

function lists(csr: Csr): number[][] {
  const out: number[][] = [];
  for (let g = 0; g + 1 < csr.start.length; g++)
    out.push([...csr.items.subarray(csr.start[g]!, csr.start[g + 1]!)]);
  return out;
}

/** A small deterministic generator (no Math.random), so a failure repeats. */
function keysOf<T extends Uint8Array | Uint16Array | Uint32Array>(array: T, groups: number, seed: number): T {
  let x = seed;
  for (let i = 0; i < array.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    array[i] = (x >>> 8) % groups;
  }
  return array;
}

test('groupBy gives every kind of key array the plain grouping, with and without a first key', () => {
  const cases = [
    { keys: keysOf(new Uint32Array(5000), 1200, 1), groups: 1200 },
    { keys: keysOf(new Uint8Array(3000), 20, 2), groups: 20 },
    { keys: keysOf(new Uint16Array(3000), 300, 3), groups: 300 },
    { keys: keysOf(new Uint32Array(4000), 50, 4), groups: 50 },
  ];
  for (const { keys, groups } of cases) {
    for (const first of [0, 1]) {
      // A count short of the array's length: keys past it are not items.
      for (const count of [keys.length, keys.length - 7, 0]) {
        const csr = groupBy(keys, count, groups, first);
        assert.deepEqual(
          lists(csr),
          naive(keys, count, groups, first),
          `${keys.constructor.name} ${first} ${count}`,
        );
        assert.equal(csr.items.length, csr.start[csr.start.length - 1]);
      }
    }
  }
});

test('groupBy with no groups past the first gives one empty start', () => {
  const csr = groupBy(new Uint8Array([0, 0, 0]), 3, 1, 1);
  assert.deepEqual([...csr.start], [0]);
  assert.equal(csr.items.length, 0);
});
