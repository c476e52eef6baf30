/**
 * PrefixTrie.build on many random, clustered prefixes (so they nest, repeat and meet at branch
 * points), checked against a brute-force scan for every address tried, and the IPv4 radix sort
 * against a plain sort.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DEPTH, type PrefixEntries, PrefixTrie } from '../../../src/topology/store/prefix-trie.js';
import { sortV4 } from '../../../src/topology/store/radix-sort.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

/** Prefixes drawn near a few addresses, so many nest and some repeat. */
function entries(seed: number, count: number, width: number): PrefixEntries {
  const next = random(seed);
  const words = new Uint32Array(count * width);
  const lengths = new Uint8Array(count);
  const elements = new Uint32Array(count);
  let owner = 0;
  for (let i = 0; i < count; i++) {
    const length = next() % (32 * width + 1);
    lengths[i] = length;
    for (let w = 0; w < width; w++) {
      const bits = Math.max(0, Math.min(32, length - w * 32));
      const value = ((next() & 0xf000000f) | ((next() % 4) << 20)) >>> 0;
      words[i * width + w] = bits === 0 ? 0 : (value & (0xffffffff << (32 - bits))) >>> 0;
    }
    // Ascending, as the builder lists them, with some elements owning several prefixes.
    if (i > 0 && next() % 3 !== 0) owner++;
    elements[i] = owner;
  }
  return { words, lengths, elements, count };
}

/** Every (prefix, sorted distinct owners) containing `address`, least specific first. */
function bruteForce(e: PrefixEntries, width: number, address: Uint32Array): string[] {
  const owners = new Map<string, Set<number>>();
  for (let i = 0; i < e.count; i++) {
    let inside = true;
    for (let bit = 0; bit < e.lengths[i]! && inside; bit++) {
      const w = bit >>> 5;
      const mask = 1 << (31 - (bit & 31));
      inside = ((e.words[i * width + w]! & mask) !== 0) === ((address[w]! & mask) !== 0);
    }
    if (!inside) continue;
    const key = `${e.lengths[i]}:${[...e.words.subarray(i * width, i * width + width)].join('.')}`;
    owners.set(key, (owners.get(key) ?? new Set()).add(e.elements[i]!));
  }
  return [...owners]
    .sort((a, b) => Number(a[0].split(':')[0]) - Number(b[0].split(':')[0]))
    .map(([key, set]) => `${key}=${[...set].sort((x, y) => x - y).join(',')}`);
}

function matches(trie: PrefixTrie, address: Uint32Array): string[] {
  const out = new Int32Array(MAX_DEPTH);
  const found = trie.match(address, out);
  const result: string[] = [];
  for (let k = 0; k < found; k++) {
    const p = out[k]!;
    const words = [...trie.words.subarray(p * trie.width, p * trie.width + trie.width)].join('.');
    const owners = trie.owners.subarray(trie.ownerStart[p]!, trie.ownerStart[p + 1]!);
    result.push(`${trie.lengths[p]}:${words}=${[...owners].join(',')}`);
  }
  return result;
}

for (const [width, count] of [
  [1, 3000],
  [1, 40],
  [4, 1500],
] as const) {
  test(`${width === 1 ? 'IPv4' : 'IPv6'}, ${count} prefixes: every match equals a brute-force scan`, () => {
    for (const seed of [1, 2, 3]) {
      const e = entries(seed, count, width);
      const trie = PrefixTrie.build(e, width);
      const next = random(seed + 100);
      let matched = 0;
      for (let k = 0; k < 300; k++) {
        // Half the addresses inside a listed prefix, half anywhere near the clusters.
        const address = new Uint32Array(width);
        const i = next() % count;
        for (let w = 0; w < width; w++) {
          address[w] =
            k % 2 ? (e.words[i * width + w]! | (next() & 0xff)) >>> 0 : (next() & 0xf0f0000f) >>> 0;
        }
        const expected = bruteForce(e, width, address);
        assert.deepEqual(matches(trie, address), expected);
        if (expected.length > 1) matched++;
      }
      assert.ok(matched > 50, `only ${matched} addresses had nested matches`);
      // At most one branch node per distinct prefix.
      assert.ok(trie.lengths.length <= 2 * trie.prefixCount);
    }
  });
}

test('sortV4 orders by address, then length, and keeps equal entries in their order', () => {
  const e = entries(7, 5000, 1);
  const sorted = sortV4(e.words, e.lengths, e.elements, e.count);
  const expected = [...Array(e.count).keys()].sort(
    (a, b) => e.words[a]! - e.words[b]! || e.lengths[a]! - e.lengths[b]! || a - b,
  );
  assert.deepEqual(
    [...sorted.words],
    expected.map((i) => e.words[i]),
  );
  assert.deepEqual(
    [...sorted.lengths],
    expected.map((i) => e.lengths[i]),
  );
  assert.deepEqual(
    [...sorted.owners],
    expected.map((i) => e.elements[i]),
  );
});

test('sortV4 sorts every address bit and length, with small and large counts (16- and 19-bit digits)', () => {
  for (const count of [3000, 150_000]) {
    const next = random(count);
    const pool = Array.from({ length: 64 }, () => next() >>> 0);
    const words = new Uint32Array(count);
    const lengths = new Uint8Array(count);
    const owners = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      // Any bit may differ (digits part at bits 10, 13 and 26), and many keys repeat exactly.
      words[i] =
        i % 3 === 0
          ? next() >>> 0
          : (pool[next() % pool.length] as number) ^ (i % 3 === 1 ? 1 << (next() % 32) : 0);
      lengths[i] = next() % 33;
      owners[i] = i;
    }
    const sorted = sortV4(words, lengths, owners, count);
    const expected = [...Array(count).keys()].sort(
      (a, b) => words[a]! - words[b]! || lengths[a]! - lengths[b]! || a - b,
    );
    assert.deepEqual([...sorted.owners], expected, `count ${count}`);
    assert.deepEqual(
      [...sorted.words],
      expected.map((i) => words[i]),
    );
    assert.deepEqual(
      [...sorted.lengths],
      expected.map((i) => lengths[i]),
    );
  }
});
