import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  diffHeapSnapshots,
  HeapSnapshotError,
  parseHeapSnapshot,
  writeHeapSnapshot,
} from '../../src/profile/heap-snapshot.js';

class LeakyThing {
  constructor(readonly n: number) {}
}

/** Module-level, as a leak usually is: what the second snapshot must find. */
const leakyThings: LeakyThing[] = [];

const dir = mkdtempSync(join(tmpdir(), 'headroom-heap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [
    ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'],
    'string',
    'number',
    'number',
    'number',
    'number',
    'number',
  ],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [
    ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
    'string_or_number',
    'node',
  ],
};
const T = { hidden: 0, array: 1, string: 2, object: 3, synthetic: 9 } as const;
const E = { element: 1, property: 2, internal: 3, weak: 6 } as const;

/**
 * A hand-made snapshot: root -> (GC roots) -> Holder -items-> Array -[i]-> Leak x `leaks`,
 * plus a Leak held only weakly when `weakOne`. Ids of the Leaks are 100, 101, ... so a later
 * snapshot with more of them shares the first ids, as two snapshots of one process do.
 */
function handMade(leaks: number, weakOne = false): string {
  const strings = ['', '(GC roots)', 'Holder', 'items', 'Array', 'Leak', 'say "hi"\n\u00e9', 'cache'];
  const nodes: number[][] = [];
  const edges: number[][] = [];
  const node = (type: number, name: number, id: number, size: number, out: number[][]) => {
    nodes.push([type, name, id, size, out.length, 0, 0]);
    edges.push(...out);
    return nodes.length - 1;
  };
  const at = (index: number) => index * 7;
  // Nodes in order: 0 root, 1 (GC roots), 2 Holder, 3 Array, 4 a string, then the Leaks.
  const leakIndex = (i: number) => 5 + i;
  const total = leaks + (weakOne ? 1 : 0);
  node(T.synthetic, 0, 1, 0, [[E.element, 1, at(1)]]);
  node(T.synthetic, 1, 3, 0, [[E.element, 0, at(2)]]);
  node(T.object, 2, 5, 32, [
    [E.property, 3, at(3)],
    [E.property, 7, at(4)],
    ...(weakOne ? [[E.weak, 7, at(leakIndex(leaks))]] : []),
  ]);
  node(
    T.object,
    4,
    7,
    16,
    Array.from({ length: leaks }, (_, i) => [E.element, i, at(leakIndex(i))]),
  );
  node(T.string, 6, 9, 24, []);
  for (let i = 0; i < total; i++) node(T.object, 5, 100 + 2 * i, 40, []);
  return JSON.stringify({
    snapshot: { meta: META, node_count: nodes.length, edge_count: edges.length },
    nodes: nodes.flat(),
    edges: edges.flat(),
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations: [[1, 2], { a: '}]"' }],
    strings,
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('diffHeapSnapshots on hand-made snapshots', () => {
  it('counts each type before and after, and traces a new instance to the root', async () => {
    const before = file('hand-before.heapsnapshot', handMade(2));
    const afterPath = file('hand-after.heapsnapshot', handMade(5));
    const diff = await diffHeapSnapshots(before, afterPath);
    assert.deepEqual(
      diff.grown.map((g) => g.name),
      ['Leak'],
    );
    const leak = diff.grown[0];
    assert.ok(leak);
    assert.deepEqual(
      {
        countBefore: leak.countBefore,
        countAfter: leak.countAfter,
        countDelta: leak.countDelta,
        bytesDelta: leak.bytesDelta,
        newCount: leak.newCount,
      },
      { countBefore: 2, countAfter: 5, countDelta: 3, bytesDelta: 120, newCount: 3 },
    );
    // The newest instance (highest id) is traced: Leak id 108 is element [4] of the Array.
    assert.deepEqual(leak.instance, { id: 108, selfSize: 40 });
    assert.deepEqual(leak.retainers, [
      { name: 'Array', type: 'object', id: 7, selfSize: 16, edge: '[4]', edgeType: 'element' },
      { name: 'Holder', type: 'object', id: 5, selfSize: 32, edge: 'items', edgeType: 'property' },
      { name: '(GC roots)', type: 'synthetic', id: 3, selfSize: 0, edge: '[0]', edgeType: 'element' },
      { name: '(synthetic)', type: 'synthetic', id: 1, selfSize: 0, edge: '[1]', edgeType: 'element' },
    ]);
    assert.equal(leak.reachesRoot, true);
    assert.equal(
      leak.retainerText,
      'Leak@108 <- [4] in Array@7 <- items in Holder@5 <- [0] in (GC roots)@3 <- [1] in (synthetic)@1',
    );
    assert.equal(diff.before.nodeCount, 7);
    assert.equal(diff.after.nodeCount, 10);
    assert.equal(diff.countDelta, 3);
    assert.equal(diff.bytesDelta, 120);
  });

  it('decodes escaped strings and skips the parts it does not need', () => {
    const snapshot = parseHeapSnapshot(Buffer.from(handMade(1)), 'hand');
    assert.equal(snapshot.name(4), 'say "hi"\n\u00e9');
    assert.equal(snapshot.displayName(4), JSON.stringify('say "hi"\n\u00e9'));
    assert.equal(snapshot.groupName(4), '(string)');
    assert.equal(snapshot.nodeCount, 6);
    assert.equal(snapshot.edgeCount, 5);
  });

  it('cuts the path at retainerDepth, and follows a weak edge only when nothing else holds', async () => {
    const before = file('weak-before.heapsnapshot', handMade(1));
    const afterPath = file('weak-after.heapsnapshot', handMade(1, true));
    const diff = await diffHeapSnapshots(before, afterPath, { retainerDepth: 1 });
    const leak = diff.grown[0];
    assert.equal(leak?.name, 'Leak');
    assert.deepEqual(
      leak?.retainers?.map((r) => `${r.edge} ${r.edgeType} ${r.name}`),
      ['cache weak Holder'],
    );
    assert.equal(leak?.reachesRoot, false);
  });

  it('sorts by count when asked, and returns at most `top`', async () => {
    const before = file('top-before.heapsnapshot', handMade(1));
    const afterPath = file('top-after.heapsnapshot', handMade(3));
    const diff = await diffHeapSnapshots(before, afterPath, { top: 1, sortBy: 'count', retainerPaths: 0 });
    assert.equal(diff.grown.length, 1);
    assert.equal(diff.grown[0]?.retainers, undefined);
  });

  it('refuses options it cannot use', async () => {
    const path = file('opt.heapsnapshot', handMade(1));
    await assert.rejects(diffHeapSnapshots(path, path, { top: 0 }), /top must be a positive integer, got 0/);
    await assert.rejects(
      diffHeapSnapshots(path, path, { sortBy: 'size' as 'bytes' }),
      /sortBy must be 'bytes' or 'count', got "size"/,
    );
    await assert.rejects(
      diffHeapSnapshots(path, path, { maxBytes: 'huge' }),
      /maxBytes must be a positive size/,
    );
  });
});

describe('diffHeapSnapshots on files that are not snapshots', () => {
  const invalid = (pattern: RegExp) => (error: unknown) =>
    error instanceof HeapSnapshotError &&
    error.code === 'HR_HEAP_SNAPSHOT_INVALID' &&
    pattern.test(error.message);
  const good = () => file('good.heapsnapshot', handMade(2));

  it('names the file and what is wrong', async () => {
    const json = file('other.json', '{"name": "package", "version": "1.0.0"}');
    await assert.rejects(
      diffHeapSnapshots(json, good()),
      invalid(
        /other\.json is not a V8 heap snapshot: it does not begin with \{"snapshot": .*writeHeapSnapshot\(\)/,
      ),
    );
    const text = file('notes.txt', 'hello');
    await assert.rejects(diffHeapSnapshots(good(), text), invalid(/notes\.txt is not a V8 heap snapshot/));
    await assert.rejects(
      diffHeapSnapshots(join(dir, 'missing.heapsnapshot'), good()),
      invalid(/cannot read heap snapshot .*missing\.heapsnapshot: no such file/),
    );
  });

  it('finds a snapshot cut short, and one whose tables do not agree', async () => {
    const whole = handMade(3);
    const cut = file('cut.heapsnapshot', whole.slice(0, whole.indexOf('"edges"') + 12));
    await assert.rejects(
      diffHeapSnapshots(cut, good()),
      invalid(/cut\.heapsnapshot is not a V8 heap snapshot: .*cut short/),
    );
    // 7 edges of 3 fields: root, (GC roots), Holder's 2, the Array's 3.
    const short = JSON.parse(whole);
    short.edges.pop();
    await assert.rejects(
      diffHeapSnapshots(file('odd.heapsnapshot', JSON.stringify(short)), good()),
      invalid(/edges holds 20 numbers, not a multiple of 3 fields/),
    );
    const dangling = JSON.parse(whole);
    dangling.edges[20] = 9999;
    await assert.rejects(
      diffHeapSnapshots(file('dangling.heapsnapshot', JSON.stringify(dangling)), good()),
      invalid(/edge 6 points at 9999, which is not a node/),
    );
    const counts = JSON.parse(whole);
    counts.nodes[4] = 2; // the root claims 2 edges
    await assert.rejects(
      diffHeapSnapshots(file('counts.heapsnapshot', JSON.stringify(counts)), good()),
      invalid(/the nodes' edge counts add up to 8, but edges holds 7 edges/),
    );
    const noMeta = JSON.parse(whole);
    delete noMeta.snapshot.meta.node_fields;
    await assert.rejects(
      diffHeapSnapshots(file('meta.heapsnapshot', JSON.stringify(noMeta)), good()),
      invalid(/"snapshot.meta" lacks node_fields/),
    );
  });

  it('refuses a file over maxBytes before reading it, saying what to do', async () => {
    const path = good();
    await assert.rejects(diffHeapSnapshots(path, path, { maxBytes: 100 }), (error: unknown) => {
      assert.ok(error instanceof HeapSnapshotError);
      assert.equal(error.code, 'HR_HEAP_SNAPSHOT_TOO_LARGE');
      assert.match(
        error.message,
        /good\.heapsnapshot is \d+ B, over the maxBytes limit of 100 B: .*raise maxBytes/,
      );
      return true;
    });
  });
});

describe('heap snapshots of this process', () => {
  it('writes a snapshot to a named file and finds 20,000 new LeakyThings with their retainers', async () => {
    const before = writeHeapSnapshot(join(dir, 'real'));
    assert.match(before.path, /real\/headroom-.*-\d+-[0-9a-f]{6}\.heapsnapshot$/);
    assert.ok(before.bytes > 1_000_000, `${before.bytes} bytes`);
    assert.equal(readFileSync(before.path).subarray(0, 12).toString(), '{"snapshot":');
    for (let i = 0; i < 20_000; i++) leakyThings.push(new LeakyThing(i));
    const afterFile = writeHeapSnapshot(join(dir, 'real'));
    assert.notEqual(afterFile.path, before.path);

    const diff = await diffHeapSnapshots(before.path, afterFile.path, { top: 10 });
    const leaky = diff.grown.find((g) => g.name === 'LeakyThing');
    assert.ok(leaky, `LeakyThing not among ${diff.grown.map((g) => g.name).join(', ')}`);
    assert.ok(diff.grown.indexOf(leaky) < 3, `LeakyThing is number ${diff.grown.indexOf(leaky) + 1}`);
    assert.equal(leaky.type, 'object');
    assert.ok(leaky.countDelta >= 20_000, `count delta ${leaky.countDelta}`);
    assert.ok(leaky.newCount >= 20_000);
    assert.ok(leaky.bytesDelta >= 20_000 * 12);
    // The newest instance is held by the array, and the array by this module: a chain to a root.
    assert.ok(leaky.retainers && leaky.retainers.length >= 2, JSON.stringify(leaky.retainers));
    assert.equal(leaky.retainers[0]?.name, 'Array');
    assert.equal(leaky.retainers[0]?.edgeType, 'element');
    assert.match(leaky.retainerText ?? '', /^LeakyThing@\d+ <- \[\d+\] in Array@\d+ <- /);
    assert.equal(leaky.reachesRoot, true, leaky.retainerText);
    assert.ok(diff.after.nodeCount - diff.before.nodeCount >= 20_000);
    leakyThings.length = 0;
  });
});
