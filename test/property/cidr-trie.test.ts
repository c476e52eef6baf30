/**
 * Property: the CIDR prefix trie (src/topology/store/prefix-trie.ts, and the store's
 * longestPrefixMatch / prefixMatches over it) agrees with a brute-force scan of the same prefixes.
 * For generated sets of IPv4 and IPv6 prefixes (clustered, so they nest, repeat, share owners and
 * meet at branch points) and generated addresses (random, inside a prefix, at its first and last
 * address), it checks that
 * - `match` lists exactly the distinct prefixes that contain the address, least specific first,
 *   each with all its owners ascending and once (the longest match is the last of them);
 * - the trie's prefix nodes enumerate the distinct prefixes in address order (then length), each
 *   with its owners, and an exact look-up of a prefix (its first address) finds it;
 * - through the store, the longest match is the most specific containing prefix and ties (elements
 *   sharing one prefix) are all returned, in element order, with the prefix text in canonical form.
 * Why it matters: longest-prefix match decides which VPC, attachment or route an address belongs
 * to in every Cloud WAN answer; a trie that skips a branch point or drops an owner gives a
 * confidently wrong route, and the path compression makes such bugs input-shape dependent: the
 * kind that hand-picked cases miss and shrinking pins down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TopologyBuilder } from '../../src/topology/builder.js';
import { MAX_DEPTH, type PrefixEntries, PrefixTrie } from '../../src/topology/store/prefix-trie.js';

/** A prefix as the oracle sees it: a BigInt network address (host bits zero) and a length. */
interface Prefix {
  network: bigint;
  length: number;
}

const BITS = { 1: 32, 4: 128 } as const;

function maskOf(length: number, bits: number): bigint {
  return length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(bits - length);
}

function toWords(value: bigint, width: number): Uint32Array {
  const words = new Uint32Array(width);
  for (let w = 0; w < width; w++) words[w] = Number((value >> BigInt(32 * (width - 1 - w))) & 0xffffffffn);
  return words;
}

function fromWords(words: ArrayLike<number>, at: number, width: number): bigint {
  let value = 0n;
  for (let w = 0; w < width; w++) value = (value << 32n) | BigInt(words[at + w]! >>> 0);
  return value;
}

/**
 * Addresses that cluster: most share a few high-bit patterns with small variations, so generated
 * prefixes nest and collide; some are anywhere.
 */
function clusteredAddress(bits: number): fc.Arbitrary<bigint> {
  const anywhere = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  const anchors =
    bits === 32
      ? [0x0a000000n, 0x0a800000n, 0xc0a80100n, 0n, 0xffffffffn]
      : [0x20010db8n << 96n, 0xfd00n << 112n, 0n, ((1n << 128n) - 1n) ^ 0xffffn, 0xffffn << 32n];
  const near = fc
    .tuple(
      fc.constantFrom(...anchors),
      fc.bigInt({ min: 0n, max: 0xffn }),
      fc.integer({ min: 0, max: bits - 8 }),
      fc.bigInt({ min: 0n, max: 0xfn }),
    )
    .map(
      ([anchor, low, shift, top]) =>
        (anchor ^ (low << BigInt(shift)) ^ (top << BigInt(bits - 4))) & ((1n << BigInt(bits)) - 1n),
    );
  return fc.oneof({ weight: 3, arbitrary: near }, { weight: 1, arbitrary: anywhere });
}

function prefixArb(bits: number): fc.Arbitrary<Prefix> {
  const length = fc.oneof(
    fc.integer({ min: 0, max: bits }),
    fc.constantFrom(0, 1, 8, 16, 24, 31, 32, bits - 1, bits),
  );
  return fc
    .tuple(clusteredAddress(bits), length)
    .map(([address, len]) => ({ network: address & maskOf(len, bits), length: len }));
}

/** Elements 0..n-1, each owning one or more prefixes (sometimes the same one twice). */
/** A generated set of owned prefixes and the addresses to look up. */
interface Scenario {
  owned: Prefix[][];
  addresses: bigint[];
}

/** An anchor (by index) with a few bits flipped: near-misses of one another at every length. */
function variantArb(bits: number) {
  return fc.record({
    anchor: fc.nat(),
    flips: fc.array(fc.integer({ min: 0, max: bits - 1 }), { maxLength: 2 }),
  });
}

function variant(anchors: bigint[], v: { anchor: number; flips: number[] }, bits: number): bigint {
  let value = anchors[v.anchor % anchors.length]!;
  for (const bit of v.flips) value ^= 1n << BigInt(bits - 1 - bit);
  return value;
}

/**
 * Elements 0..n-1 owning one or more prefixes each (sometimes the same one twice), drawn around a
 * few anchor addresses so that they nest at every length (a /31 over a /32 included), share
 * prefixes and part at branch points; and addresses around the same anchors, or anywhere.
 */
function scenarioArb(bits: number, maxElements: number, maxAddresses: number): fc.Arbitrary<Scenario> {
  const length = fc.oneof(
    fc.integer({ min: 0, max: bits }),
    fc.constantFrom(0, 1, 8, 16, 24, 31, 32, bits - 1, bits),
  );
  return fc
    .record({
      anchors: fc.array(clusteredAddress(bits), { minLength: 1, maxLength: 4 }),
      prefixes: fc.array(fc.array(fc.tuple(variantArb(bits), length), { minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: maxElements,
      }),
      addresses: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: variantArb(bits) },
          { weight: 1, arbitrary: clusteredAddress(bits) },
        ),
        { maxLength: maxAddresses },
      ),
    })
    .map(({ anchors, prefixes, addresses }) => ({
      owned: prefixes.map((list) =>
        list.map(([v, len]) => ({ network: variant(anchors, v, bits) & maskOf(len, bits), length: len })),
      ),
      addresses: addresses.map((a) => (typeof a === 'bigint' ? a : variant(anchors, a, bits))),
    }));
}

function contains(prefix: Prefix, address: bigint, bits: number): boolean {
  return (address & maskOf(prefix.length, bits)) === prefix.network;
}

/** Distinct prefixes with their sorted distinct owners, in address order, then length. */
function distinct(owned: Prefix[][]): Array<Prefix & { owners: number[] }> {
  const byKey = new Map<string, Prefix & { owners: number[] }>();
  owned.forEach((prefixes, element) => {
    for (const p of prefixes) {
      const key = `${p.network}/${p.length}`;
      const entry = byKey.get(key) ?? { ...p, owners: [] };
      if (!entry.owners.includes(element)) entry.owners.push(element);
      byKey.set(key, entry);
    }
  });
  return [...byKey.values()].sort((a, b) =>
    a.network < b.network ? -1 : a.network > b.network ? 1 : a.length - b.length,
  );
}

/** The entries as the builder hands them to PrefixTrie.build: ascending element order. */
function entriesOf(owned: Prefix[][], width: number): PrefixEntries {
  const all = owned.flatMap((prefixes, element) => prefixes.map((p) => ({ ...p, element })));
  const words = new Uint32Array(all.length * width);
  const lengths = new Uint8Array(all.length);
  const elements = new Uint32Array(all.length);
  all.forEach((entry, i) => {
    words.set(toWords(entry.network, width), i * width);
    lengths[i] = entry.length;
    elements[i] = entry.element;
  });
  return { words, lengths, elements, count: all.length };
}

function describePrefix(p: Prefix, owners: ArrayLike<number>): string {
  return `${p.network.toString(16)}/${p.length}=${Array.from(owners).join(',')}`;
}

/** What match() says for `address`, as comparable text, least specific first. */
function trieMatches(trie: PrefixTrie, address: bigint, out: Int32Array): string[] {
  const found = trie.match(toWords(address, trie.width), out);
  const result: string[] = [];
  for (let k = 0; k < found; k++) {
    const p = out[k]!;
    assert.ok(p >= 0 && p < trie.prefixCount, `match gave node ${p}, not a prefix node`);
    const prefix = { network: fromWords(trie.words, p * trie.width, trie.width), length: trie.lengths[p]! };
    result.push(describePrefix(prefix, trie.owners.subarray(trie.ownerStart[p]!, trie.ownerStart[p + 1]!)));
  }
  return result;
}

function bruteMatches(
  prefixes: Array<Prefix & { owners: number[] }>,
  address: bigint,
  bits: number,
): string[] {
  return prefixes
    .filter((p) => contains(p, address, bits))
    .sort((a, b) => a.length - b.length)
    .map((p) => describePrefix(p, p.owners));
}

/** Addresses worth asking about: the generated ones and each prefix's first and last address. */
function probes(prefixes: Prefix[], extra: bigint[], bits: number): bigint[] {
  const out = [...extra];
  for (const p of prefixes)
    out.push(p.network, p.network | (maskOf(p.length, bits) ^ ((1n << BigInt(bits)) - 1n)));
  return out;
}

// RFC 5952 text, written apart from the code under test so that its formatting is checked too.
function formatAddress(value: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** Full, uncompressed IPv6 text (or dotted IPv4), so parsing is exercised on a form apart from the output. */
function longText(value: bigint, bits: number): string {
  if (bits === 32) return formatAddress(value, 32);
  return Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0'),
  ).join(':');
}

const RUNS_TRIE = 200;
const RUNS_STORE = 100;

for (const width of [1, 4] as const) {
  const bits = BITS[width];
  const family = width === 1 ? 'IPv4' : 'IPv6';

  describe(`PrefixTrie (${family}): property against a brute-force scan`, () => {
    it('match lists every containing prefix, least specific first, with all owners', () => {
      fc.assert(
        fc.property(scenarioArb(bits, 24, 24), ({ owned, addresses }) => {
          const trie = PrefixTrie.build(entriesOf(owned, width), width);
          const prefixes = distinct(owned);
          const out = new Int32Array(MAX_DEPTH);
          for (const address of probes(prefixes, addresses, bits)) {
            const expected = bruteMatches(prefixes, address, bits);
            assert.deepEqual(trieMatches(trie, address, out), expected, `address ${address.toString(16)}`);
          }
        }),
        { numRuns: RUNS_TRIE, includeErrorInReport: true },
      );
    });

    it('enumerates the distinct prefixes in address order with their owners, and finds each exactly', () => {
      fc.assert(
        fc.property(scenarioArb(bits, 24, 0), ({ owned }) => {
          const trie = PrefixTrie.build(entriesOf(owned, width), width);
          const prefixes = distinct(owned);
          assert.equal(trie.prefixCount, prefixes.length);
          const listed = Array.from({ length: trie.prefixCount }, (_, p) =>
            describePrefix(
              { network: fromWords(trie.words, p * width, width), length: trie.lengths[p]! },
              trie.owners.subarray(trie.ownerStart[p]!, trie.ownerStart[p + 1]!),
            ),
          );
          assert.deepEqual(
            listed,
            prefixes.map((p) => describePrefix(p, p.owners)),
          );
          // At most one branch node per distinct prefix.
          assert.ok(trie.lengths.length <= Math.max(1, 2 * trie.prefixCount));
          // Exact look-up: the prefix's own first address finds it, with exactly its owners.
          const out = new Int32Array(MAX_DEPTH);
          prefixes.forEach((p, index) => {
            const found = trie.match(toWords(p.network, width), out);
            const nodes = Array.from(out.subarray(0, found));
            assert.ok(
              nodes.includes(index),
              `prefix ${describePrefix(p, p.owners)} not found at node ${index}`,
            );
          });
        }),
        { numRuns: RUNS_TRIE, includeErrorInReport: true },
      );
    });
  });

  describe(`store longestPrefixMatch / prefixMatches (${family}): property against a brute-force scan`, () => {
    it('gives the most specific containing prefix, ties as all its elements, in canonical text', () => {
      fc.assert(
        fc.property(scenarioArb(bits, 16, 12), ({ owned, addresses }) => {
          const builder = new TopologyBuilder();
          owned.forEach((prefixes, element) => {
            builder.addElement({
              id: `vpc-${element}`,
              type: 'vpc',
              cidrs: prefixes.map((p) => `${longText(p.network, bits)}/${p.length}`),
            });
          });
          const store = builder.build();
          const prefixes = distinct(owned);
          for (const address of probes(prefixes, addresses, bits)) {
            const text = formatAddress(address, bits);
            const all = prefixes
              .filter((p) => contains(p, address, bits))
              .sort((a, b) => b.length - a.length)
              .map((p) => ({
                elements: p.owners,
                prefix: `${formatAddress(p.network, bits)}/${p.length}`,
              }));
            assert.deepEqual(store.prefixMatches(text), all, `prefixMatches(${text})`);
            assert.deepEqual(store.longestPrefixMatch(text), all[0], `longestPrefixMatch(${text})`);
          }
        }),
        { numRuns: RUNS_STORE, includeErrorInReport: true },
      );
    });
  });
}

describe('store: the families are kept apart', () => {
  it('an IPv4 address never matches an IPv6 prefix and the other way round', () => {
    fc.assert(
      fc.property(prefixArb(32), prefixArb(128), clusteredAddress(32), (p4, p6, address) => {
        const builder = new TopologyBuilder();
        builder.addElement({
          id: 'v6',
          type: 'vpc',
          cidrs: [`${formatAddress(p6.network, 128)}/${p6.length}`],
        });
        builder.addElement({
          id: 'v4',
          type: 'vpc',
          cidrs: [`${formatAddress(p4.network, 32)}/${p4.length}`],
        });
        const store = builder.build();
        const v4 = store.prefixMatches(formatAddress(address, 32));
        assert.ok(v4.every((m) => m.elements.length === 1 && m.elements[0] === 1));
        // The same 32 bits as the top of an IPv6 address only ever meet the IPv6 prefix.
        const v6 = store.prefixMatches(formatAddress(address << 96n, 128));
        assert.ok(v6.every((m) => m.elements.length === 1 && m.elements[0] === 0));
      }),
      { numRuns: 100, includeErrorInReport: true },
    );
  });
});
