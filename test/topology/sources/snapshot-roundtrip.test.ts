import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ObjectTopology } from '../../../src/topology/object-topology.js';
import { generateTopology } from '../../../src/topology/sources/generate.js';
import { readSnapshot } from '../../../src/topology/sources/snapshot-read.js';
import { generateSnapshot, writeSnapshot } from '../../../src/topology/sources/snapshot-write.js';
import { buildObjectTopology, buildTopology } from '../helpers.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headroom-snapshot-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// 4,000 elements make a ~2 MB NDJSON file, so lines also cross the reader's 1 MiB chunks.
const OPTIONS = { elements: 4000, seed: 9 };

function direct(): ObjectTopology {
  const topology = new ObjectTopology();
  generateTopology(OPTIONS, topology);
  return topology;
}

function assertSame(actual: ObjectTopology, expected: ObjectTopology): void {
  assert.equal(actual.elementCount, expected.elementCount);
  assert.deepStrictEqual(actual.elements, expected.elements);
  assert.deepStrictEqual(actual.connections, expected.connections);
  assert.deepStrictEqual(actual.routes, expected.routes);
  const core = expected.elementsOfType('core-network')[0] as number;
  assert.ok(expected.policy(core));
  assert.deepStrictEqual(actual.policy(core), expected.policy(core));
}

for (const format of ['ndjson', 'json'] as const) {
  describe(`snapshot round trip (${format})`, () => {
    it('generator -> file -> ObjectTopology equals generator -> ObjectTopology', async () => {
      const file = join(dir, `generated.${format}`);
      const written = await generateSnapshot(OPTIONS, file, { format });
      const expected = direct();
      assert.equal(written.elements, 4000);
      assert.equal(written.bytes, (await readFile(file)).length);
      const back = new ObjectTopology();
      const summary = await readSnapshot(file, back);
      assert.equal(summary.format, format);
      assert.deepEqual(
        [summary.elements, summary.connections, summary.routes, summary.policies, summary.skipped],
        [expected.elementCount, expected.connectionCount, expected.routeCount, 1, 0],
      );
      assertSame(back, expected);
    });

    it('writeSnapshot of a built view gives the same bytes as the generator wrote', async () => {
      const fromGenerator = join(dir, `g.${format}`);
      const fromView = join(dir, `v.${format}`);
      await generateSnapshot(OPTIONS, fromGenerator, { format });
      const result = await writeSnapshot(direct(), fromView, { format });
      const bytes = await readFile(fromView);
      assert.equal(result.bytes, bytes.length);
      assert.deepEqual(bytes, await readFile(fromGenerator));
    });

    it('keeps optional fields exactly: absent, empty lists, IPv6, odd characters', async () => {
      const view = buildObjectTopology({
        elements: [
          { id: 'core-1', type: 'core-network' },
          { id: 'tbl "quoted"', type: 'tgw-route-table', name: 'tab\there', cidrs: [] },
          {
            id: 'vpc-ü',
            type: 'vpc',
            region: 'eu-west-1',
            asn: 0,
            cidrs: ['fd00:1::/56', '10.0.0.0/16'],
            tags: {},
          },
          { id: 'att-1', type: 'vpc-attachment', segment: 'prod', tags: { segment: 'prod', 'a/b': 'c~d' } },
        ],
        connections: [
          { type: 'attachment-of', source: 'att-1', target: 'vpc-ü' },
          { type: 'attachment-of', source: 'att-1', target: 'vpc-ü' },
        ],
        routes: [
          {
            table: 'tbl "quoted"',
            destination: '0.0.0.0/0',
            target: 'att-1',
            state: 'active',
            origin: 'static',
          },
          { table: 'tbl "quoted"', destination: '192.0.2.0/24', state: 'blackhole', origin: 'static' },
        ],
        policies: {
          'core-1': {
            version: '2021.12',
            'core-network-configuration': { 'asn-ranges': [], 'edge-locations': [] },
            segments: [],
          },
        },
      });
      const file = join(dir, `odd.${format}`);
      await writeSnapshot(view, file, { format });
      const back = new ObjectTopology();
      await readSnapshot(file, back);
      assertSame(back, view);
    });
  });
}

describe('snapshot of an empty topology', () => {
  for (const format of ['ndjson', 'json'] as const) {
    it(`writes and reads back nothing but the frame (${format})`, async () => {
      const file = join(dir, `empty.${format}`);
      const result = await writeSnapshot(buildTopology({ elements: [] }), file, { format });
      assert.deepEqual([result.elements, result.connections, result.routes, result.policies], [0, 0, 0, 0]);
      const summary = await readSnapshot(file, new ObjectTopology());
      assert.equal(summary.format, format);
      assert.equal(summary.elements, 0);
    });
  }
});

describe('snapshot writing with back-pressure', () => {
  /** A slow disk: takes 64 KiB at a time and calls back a tick later. */
  function slowStream(): Writable & { chunks: Buffer[]; maxBuffered: number } {
    const stream = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        stream.chunks.push(chunk);
        stream.maxBuffered = Math.max(stream.maxBuffered, stream.writableLength);
        setImmediate(callback);
      },
    }) as Writable & { chunks: Buffer[]; maxBuffered: number };
    stream.chunks = [];
    stream.maxBuffered = 0;
    return stream;
  }

  it('waits for drain, so the stream never holds more than a batch beyond its high-water mark', async () => {
    const stream = slowStream();
    const result = await generateSnapshot({ elements: 20_000 }, stream);
    const total = Buffer.concat(stream.chunks);
    assert.equal(total.length, result.bytes);
    assert.ok(result.bytes > 8 * 1024 * 1024, `only ${result.bytes} bytes`);
    assert.ok(stream.maxBuffered <= 64 * 1024 + 1024 * 1024, `the stream held ${stream.maxBuffered} bytes`);
    assert.equal(stream.writableEnded, false, 'a stream passed in is left open');
    const file = join(dir, 'slow.ndjson');
    await writeFile(file, total);
    const summary = await readSnapshot(file, new ObjectTopology());
    assert.equal(summary.elements, 20_000);
  });

  it('writeSnapshot to a stream writes the same bytes as to a file', async () => {
    const stream = slowStream();
    const view = direct();
    await writeSnapshot(view, stream, { format: 'json' });
    const file = join(dir, 'same.json');
    await writeSnapshot(view, file, { format: 'json' });
    assert.deepEqual(Buffer.concat(stream.chunks), await readFile(file));
  });
});
