/**
 * A path-compressed binary trie over prefixes, in typed arrays, for longest-prefix match. One trie
 * holds one address family (`width` 1 for IPv4, 4 for IPv6). Nodes 0..prefixCount-1 are the distinct
 * prefixes in address order; nodes after them are branch points with no prefix of their own, so a
 * node index is also the prefix index that finds its owners, with no extra column.
 */

import { sortPrefixes, sortV4 } from './radix-sort.js';

/** The deepest possible path (a /128 under every shorter v6 prefix), bounding every walk. */
export const MAX_DEPTH = 129;

export interface PrefixEntries {
  /** `width` words per entry. */
  words: Uint32Array;
  /** Prefix length per entry (0..32 or 0..128). */
  lengths: Uint8Array;
  /** The element that owns each entry. */
  elements: Uint32Array;
  count: number;
}

export class PrefixTrie {
  readonly width: number;
  readonly prefixCount: number;
  /** `width` words per node: the node's prefix, bits past its length zero. */
  readonly words: Uint32Array;
  readonly lengths: Uint8Array;
  /** Children of node n at 2n (bit 0) and 2n + 1 (bit 1); -1 for none. */
  readonly children: Int32Array;
  /** Owners of prefix p: owners[ownerStart[p]..ownerStart[p + 1]], ascending element indexes. */
  readonly ownerStart: Uint32Array;
  readonly owners: Uint32Array;
  readonly root: number;

  private constructor(parts: Omit<PrefixTrie, 'match' | 'byteSize'>) {
    this.width = parts.width;
    this.prefixCount = parts.prefixCount;
    this.words = parts.words;
    this.lengths = parts.lengths;
    this.children = parts.children;
    this.ownerStart = parts.ownerStart;
    this.owners = parts.owners;
    this.root = parts.root;
  }

  static build(entries: PrefixEntries, width: number): PrefixTrie {
    const { count } = entries;
    // The entries in prefix order, copied once so that every later pass reads them in sequence.
    const sorted = sortedCopy(entries, width);
    let prefixes = 0;
    for (let i = 0; i < count; i++) if (i === 0 || !samePrefix(sorted, width, i - 1, i)) prefixes++;
    // Each insertion adds at most one branch node beside its own.
    const capacity = Math.max(1, prefixes * 2);
    const nodeWords = new Uint32Array(capacity * width);
    const nodeLengths = new Uint8Array(capacity);
    const children = new Int32Array(capacity * 2).fill(-1);
    const ownerStart = new Uint32Array(prefixes + 1);
    const owners = new Uint32Array(count);
    let owned = 0;
    let p = -1;
    for (let i = 0; i < count; i++) {
      if (i === 0 || !samePrefix(sorted, width, i - 1, i)) {
        p++;
        ownerStart[p] = owned;
        for (let w = 0; w < width; w++) nodeWords[p * width + w] = sorted.words[i * width + w]!;
        nodeLengths[p] = sorted.lengths[i]!;
      }
      // An element listing the same prefix twice owns it once.
      const element = sorted.elements[i]!;
      if (owned === ownerStart[p] || owners[owned - 1] !== element) owners[owned++] = element;
    }
    ownerStart[prefixes] = owned;
    const tree = { words: nodeWords, lengths: nodeLengths, children, width, nodes: prefixes, root: -1 };
    insertAll(tree, prefixes);
    return new PrefixTrie({
      width,
      prefixCount: prefixes,
      words: nodeWords.slice(0, tree.nodes * width),
      lengths: nodeLengths.slice(0, tree.nodes),
      children: children.slice(0, tree.nodes * 2),
      ownerStart,
      owners: owners.slice(0, owned),
      root: tree.root,
    });
  }

  /**
   * Writes the prefixes containing `address` (`width` words) into `out`, least specific first,
   * and returns how many; `out` needs MAX_DEPTH entries.
   */
  match(address: Uint32Array, out: Int32Array): number {
    const { words, lengths, children, width, prefixCount } = this;
    let found = 0;
    let node = this.root;
    for (let depth = 0; depth <= MAX_DEPTH && node >= 0; depth++) {
      const length = lengths[node]!;
      // Path compression skips bits, so each node's own bits are checked against the address.
      if (commonBits(words, node * width, address, 0, width, length) < length) break;
      if (node < prefixCount) out[found++] = node;
      if (length === width * 32) break;
      node = children[node * 2 + bitAt(address, 0, length)]!;
    }
    return found;
  }

  byteSize(): number {
    return (
      this.words.byteLength +
      this.lengths.byteLength +
      this.children.byteLength +
      this.ownerStart.byteLength +
      this.owners.byteLength
    );
  }
}

interface Tree {
  words: Uint32Array;
  lengths: Uint8Array;
  children: Int32Array;
  width: number;
  nodes: number;
  root: number;
}

/**
 * Inserts prefix nodes 0..count-1, in prefix order. Each goes in at the deepest node on the path to
 * the one inserted before it that contains it: a later prefix in order can only hang below that
 * path, so the walk from the root that a single insertion needs (20 to 30 nodes deep at a million
 * prefixes) is replaced by a few steps back up a stack. The trie is the one root walks would build.
 */
function insertAll(tree: Tree, count: number): void {
  const { lengths, children, width, words } = tree;
  const path = new Int32Array(MAX_DEPTH + 2);
  let depth = 0;
  for (let p = 0; p < count; p++) {
    const pBase = p * width;
    const pLength = lengths[p]!;
    // Only a node strictly shorter than p can hold it below; an equal one must be met by `insert`.
    while (depth > 0) {
      const top = path[depth - 1]!;
      const topLength = lengths[top]!;
      if (topLength < pLength && commonBits(words, pBase, words, top * width, width, topLength) === topLength)
        break;
      depth--;
    }
    const above = depth > 0 ? path[depth - 1]! : -1;
    insert(tree, p, above);
    // The path now runs from `above` down to p, through a new branch node if one was made.
    let node = above < 0 ? tree.root : children[above * 2 + bitAt(words, pBase, lengths[above]!)]!;
    for (let step = 0; step <= MAX_DEPTH && node !== p && node >= 0; step++) {
      path[depth++] = node;
      node = children[node * 2 + bitAt(words, pBase, lengths[node]!)]!;
    }
    path[depth++] = p;
  }
}

/**
 * Inserts prefix node `p` (its words and length already written) below node `above`, which must
 * contain it, or below the root when `above` is -1.
 */
function insert(tree: Tree, p: number, above: number): void {
  const { words, lengths, children, width } = tree;
  const pBase = p * width;
  const pLength = lengths[p]!;
  let parentSlot = above < 0 ? -1 : above * 2 + bitAt(words, pBase, lengths[above]!);
  let node = parentSlot < 0 ? tree.root : children[parentSlot]!;
  for (let depth = 0; depth <= MAX_DEPTH + 1; depth++) {
    if (node < 0) {
      attach(tree, parentSlot, p);
      return;
    }
    const nodeLength = lengths[node]!;
    const common = commonBits(words, pBase, words, node * width, width, Math.min(pLength, nodeLength));
    if (common < nodeLength) {
      if (common === pLength) {
        // p is a shorter prefix of the node: it takes the node's place and the node hangs below it.
        children[p * 2 + bitAt(words, node * width, pLength)] = node;
        attach(tree, parentSlot, p);
      } else {
        // They part at bit `common`: a branch node there holds both.
        const branch = tree.nodes++;
        for (let w = 0; w < width; w++) words[branch * width + w] = words[pBase + w]! & maskWord(common, w);
        lengths[branch] = common;
        children[branch * 2 + bitAt(words, pBase, common)] = p;
        children[branch * 2 + bitAt(words, node * width, common)] = node;
        attach(tree, parentSlot, branch);
      }
      return;
    }
    if (nodeLength === pLength) {
      // Only a branch node can equal a new prefix; the prefix replaces it (the branch slot is left unused).
      children[p * 2] = children[node * 2]!;
      children[p * 2 + 1] = children[node * 2 + 1]!;
      attach(tree, parentSlot, p);
      return;
    }
    parentSlot = node * 2 + bitAt(words, pBase, nodeLength);
    node = children[parentSlot]!;
  }
  throw new Error(`prefix trie deeper than ${MAX_DEPTH} levels: a bug in the insertion`);
}

function attach(tree: Tree, parentSlot: number, node: number): void {
  if (parentSlot < 0) tree.root = node;
  else tree.children[parentSlot] = node;
}

/** The entries sorted by prefix (address, then length), in arrays of their own. */
function sortedCopy(entries: PrefixEntries, width: number): PrefixEntries {
  const { words, lengths, elements, count } = entries;
  if (width === 1) {
    const sorted = sortV4(words, lengths, elements, count);
    return { words: sorted.words, lengths: sorted.lengths, elements: sorted.owners, count };
  }
  const order = sortPrefixes(words, width, lengths, count);
  const sorted = {
    words: new Uint32Array(count * width),
    lengths: new Uint8Array(count),
    elements: new Uint32Array(count),
    count,
  };
  for (let i = 0; i < count; i++) {
    const entry = order[i]!;
    for (let w = 0; w < width; w++) sorted.words[i * width + w] = words[entry * width + w]!;
    sorted.lengths[i] = lengths[entry]!;
    sorted.elements[i] = elements[entry]!;
  }
  return sorted;
}

function samePrefix(entries: PrefixEntries, width: number, a: number, b: number): boolean {
  if (entries.lengths[a] !== entries.lengths[b]) return false;
  for (let w = 0; w < width; w++)
    if (entries.words[a * width + w] !== entries.words[b * width + w]) return false;
  return true;
}

/** How many leading bits (at most `limit`) two keys share. */
function commonBits(
  a: Uint32Array,
  aBase: number,
  b: Uint32Array,
  bBase: number,
  width: number,
  limit: number,
) {
  for (let w = 0; w < width && w * 32 < limit; w++) {
    const diff = (a[aBase + w]! ^ b[bBase + w]!) >>> 0;
    if (diff !== 0) return Math.min(limit, w * 32 + Math.clz32(diff));
  }
  return limit;
}

function bitAt(words: Uint32Array, base: number, position: number): number {
  return (words[base + (position >>> 5)]! >>> (31 - (position & 31))) & 1;
}

function maskWord(length: number, index: number): number {
  const bits = Math.min(32, Math.max(0, length - index * 32));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}
