import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareOut } from '../../../src/topology/render/budget.js';

/** Nodes a share uses: the items, plus a summary node for a group cut short. */
function used(sizes: number[], shown: number[], cost: number): number {
  return shown.reduce((sum, n, i) => sum + n * cost + (n < (sizes[i] as number) ? 1 : 0), 0);
}

describe('shareOut', () => {
  it('gives small groups all they have and splits the rest', () => {
    assert.deepEqual(shareOut([1, 2, 3], 100), [1, 2, 3]);
    // The 1 fits in its half; the 100 gets the other 9 minus one for its summary.
    assert.deepEqual(shareOut([100, 1], 10), [8, 1]);
    assert.deepEqual(shareOut([50, 50], 10), [4, 4]);
  });

  it('counts items at their cost and keeps one node for each summary', () => {
    // 7 nodes, items of 2: the group of 2 has a share of 3 (1 item + summary), the group of 5 a share of 4.
    assert.deepEqual(shareOut([2, 5], 7, 2), [1, 1]);
    // 12 nodes: the 2 items take 4 of their 6, the group of 5 gets 8: 3 items and a summary.
    assert.deepEqual(shareOut([2, 5], 12, 2), [2, 3]);
    assert.deepEqual(shareOut([2, 5], 14, 2), [2, 5]);
  });

  it('never uses more than the budget when it has a node per group', () => {
    // Fewer nodes than groups: nothing is shown, and only some groups have room for a summary.
    assert.deepEqual(shareOut([5, 5, 5], 2), [0, 0, 0]);
    assert.deepEqual(shareOut([], 10), []);
    let seed = 3;
    for (let round = 0; round < 200; round++) {
      seed = (seed * 48271) % 2147483647;
      const sizes = Array.from({ length: 1 + (seed % 7) }, (_, i) => (seed >> i) % 40);
      const budget = sizes.length + (seed % 60);
      const cost = 1 + (seed % 3);
      const shown = shareOut(sizes, budget, cost);
      assert.ok(used(sizes, shown, cost) <= budget, `${sizes} in ${budget} at ${cost}: ${shown}`);
      shown.forEach((n, i) => {
        assert.ok(n >= 0 && n <= (sizes[i] as number));
      });
    }
  });
});
