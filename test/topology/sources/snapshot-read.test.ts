import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AbortedError, TopologyError } from '../../../src/errors.js';
import type { ElementRecord, TopologySink } from '../../../src/topology/model.js';
import { readSnapshot } from '../../../src/topology/sources/snapshot-read.js';
import { RecordingSink } from './recording-sink.js';

let dir = '';
let files = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headroom-snapshot-read-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string | Buffer): Promise<string> {
  const path = join(dir, `s${files++}.ndjson`);
  await writeFile(path, text);
  return path;
}

const HEADER = '{"kind":"header","format":"headroom-topology","version":1}';
const line = (value: unknown): string => JSON.stringify(value);
const element = (id: string, type = 'vpc', extra: object = {}) =>
  line({ kind: 'element', id, type, ...extra });

async function rejects(
  path: string,
  check: { line?: number; pointer?: string; message: RegExp },
  options = {},
) {
  await assert.rejects(readSnapshot(path, new RecordingSink(), options), (error: unknown) => {
    assert.ok(error instanceof TopologyError, String(error));
    assert.equal(error.code, 'HR_TOPOLOGY_INVALID');
    assert.equal(error.source, path);
    assert.equal(error.line, check.line);
    assert.equal(error.pointer, check.pointer);
    assert.match(error.message, check.message);
    return true;
  });
}

describe('readSnapshot: malformed NDJSON lines', () => {
  const bad: Array<[string, string, RegExp]> = [
    [
      'bad JSON',
      '{"kind":"element","id":',
      /:2: not valid JSON \(.*\); each line must be one JSON object; fix it, or read the snapshot leniently/,
    ],
    ['not an object', '[1,2]', /:2: expected a JSON object with a kind, got \[1,2\]/],
    [
      'unknown kind',
      line({ kind: 'gizmo' }),
      /:2: unknown record kind "gizmo"; the kinds are header, element/,
    ],
    [
      'unknown element type',
      element('x', 'vpcc'),
      /:2: element x has unknown element type "vpcc" \(did you mean "vpc"\?\); known types: global-network/,
    ],
    ['element without id', line({ kind: 'element', type: 'vpc' }), /:2: element has no id/],
    ['bad field type', element('x', 'vpc', { region: 5 }), /element x: region must be a string, got 5/],
    [
      'host bits set',
      element('x', 'vpc', { cidrs: ['10.0.0.1/16'] }),
      /element x: cidrs\[0\] "10.0.0.1\/16" is not a CIDR block/,
    ],
    ['bad asn', element('x', 'vpc', { asn: -1 }), /element x: asn must be a whole number/],
    ['bad tag', element('x', 'vpc', { tags: { a: 1 } }), /element x: tag a must be a string, got 1/],
    [
      'connection without target',
      line({ kind: 'connection', type: 'contains', source: 'a' }),
      /contains connection has no target element id/,
    ],
    [
      'unknown connection type',
      line({ kind: 'connection', type: 'contain', source: 'a', target: 'b' }),
      /unknown connection type "contain" \(did you mean "contains"\?\)/,
    ],
    [
      'route with bad state',
      line({ kind: 'route', table: 't', destination: '10.0.0.0/8', state: 'up', origin: 'static' }),
      /state must be "active" or "blackhole", got "up"/,
    ],
    [
      'route with bad destination',
      line({ kind: 'route', table: 't', destination: '10.0.0/8', state: 'active', origin: 'static' }),
      /route in t: destination "10.0.0\/8" is not a CIDR block/,
    ],
    [
      'policy without document',
      line({ kind: 'policy', coreNetwork: 'c' }),
      /policy of c: document must be a policy JSON object, got nothing/,
    ],
    ['second header', HEADER, /:2: a second header line/],
  ];
  for (const [what, text, message] of bad) {
    it(`stops at ${what} with the line number`, async () => {
      await rejects(await file(`${HEADER}\n${text}\n${element('after')}\n`), { line: 2, message });
    });
  }

  it('with lenient, warns about each bad line, skips it and loads the rest, each record with its line', async () => {
    const text = [
      HEADER, // 1
      element('core', 'core-network'), // 2
      '{not json', // 3
      element('x', 'widget'), // 4
      line({ kind: 'connection', type: 'contains', source: 'core' }), // 5
      element('vpc-1', 'vpc', { cidrs: ['10.0.0.0/16'], unknownField: true }), // 6
      line({ kind: 'connection', type: 'contains', source: 'core', target: 'vpc-1' }), // 7
      element('v', 'vpc', { cidrs: ['10.0.0.1/16'] }), // 8
      '', // 9: blank lines are fine
      line({ kind: 'gizmo' }), // 10
      line({ kind: 'route', table: 'vpc-1', destination: '0.0.0.0/0', state: 'blackhole', origin: 'static' }), // 11
      line({ kind: 'policy', coreNetwork: 'core', document: { version: '2021.12' } }), // 12
    ].join('\n');
    const warnings: TopologyError[] = [];
    const sink = new RecordingSink();
    const summary = await readSnapshot(await file(text), sink, {
      lenient: true,
      onWarning: (w) => warnings.push(w),
    });
    assert.deepEqual(
      warnings.map((w) => w.line),
      [3, 4, 5, 8, 10],
    );
    assert.ok(warnings.every((w) => w instanceof TopologyError && /; skipped$/.test(w.message)));
    assert.deepEqual(sink.locations, ['element:2', 'element:6', 'connection:7', 'route:11']);
    assert.deepEqual(sink.elements[1], { id: 'vpc-1', type: 'vpc', cidrs: ['10.0.0.0/16'] });
    assert.deepEqual(sink.policies.get('core'), { version: '2021.12' });
    assert.deepEqual(
      [
        summary.elements,
        summary.connections,
        summary.routes,
        summary.policies,
        summary.skipped,
        summary.lines,
      ],
      [2, 1, 1, 1, 5, 12],
    );
  });

  it('passes lenient through a sink that refuses a record (a duplicate id) as a warning', async () => {
    const seen = new Set<string>();
    const sink: TopologySink = {
      addElement(e: ElementRecord, at) {
        if (seen.has(e.id)) throw new TopologyError('x', `line ${at?.line}: duplicate id ${e.id}`, at ?? {});
        seen.add(e.id);
      },
      addConnection() {},
      addRoute() {},
      setPolicy() {},
    };
    const path = await file(`${HEADER}\n${element('a')}\n${element('a')}\n${element('b')}\n`);
    const warnings: string[] = [];
    const summary = await readSnapshot(path, sink, {
      lenient: true,
      onWarning: (w) => warnings.push(w.message),
    });
    assert.deepEqual(warnings, ['line 3: duplicate id a']);
    assert.equal(summary.elements, 2);
    await assert.rejects(
      readSnapshot(path, { ...sink, addElement: () => sink.addElement({ id: 'a', type: 'vpc' }) }),
      /duplicate id a/,
    );
  });
});

describe('readSnapshot: the header', () => {
  it('must come first', async () => {
    const path = await file(`${element('a')}\n${element('b')}\n`);
    await rejects(path, {
      line: 1,
      message: /the first line is a "element" record, but a snapshot starts with its header line/,
    });
    const sink = new RecordingSink();
    const summary = await readSnapshot(path, sink, { lenient: true });
    assert.deepEqual([summary.elements, summary.warnings, summary.skipped], [2, 1, 0]);
  });

  it('must name the format and a supported version, even when lenient', async () => {
    const other = await file(`${line({ kind: 'header', format: 'other', version: 1 })}\n`);
    await rejects(
      other,
      { line: 1, message: /not a topology snapshot: the header's format is "other"/ },
      { lenient: true },
    );
    const future = await file(`${line({ kind: 'header', format: 'headroom-topology', version: 2 })}\n`);
    await rejects(
      future,
      { line: 1, message: /snapshot version 2 is not supported; this Headroom reads version 1/ },
      { lenient: true },
    );
  });

  it('catches a truncated file from the counts it promised', async () => {
    const header = line({
      kind: 'header',
      format: 'headroom-topology',
      version: 1,
      elements: 3,
      connections: 0,
    });
    const path = await file(`${header}\n${element('a')}\n${element('b')}\n`);
    await rejects(path, {
      line: 1,
      message: /the header says 3 elements but 2 were read; the file may be truncated/,
    });
    const warnings: string[] = [];
    await readSnapshot(path, new RecordingSink(), {
      lenient: true,
      onWarning: (w) => warnings.push(w.message),
    });
    assert.equal(warnings.length, 1);
  });

  it('refuses an empty file, a missing file and something that is not a snapshot', async () => {
    await rejects(await file(''), { message: /the file is empty; a snapshot has at least its header line/ });
    await rejects(await file('\n  \n'), { message: /the file is empty/ });
    await rejects(join(dir, 'nope.ndjson'), {
      message: /nope\.ndjson: cannot read the snapshot \(no such file\); check the path/,
    });
    await rejects(await file('id,type\nvpc-1,vpc\n'), {
      line: 1,
      message: /not a topology snapshot: it starts with "id,type"/,
    });
  });

  it('accepts a byte order mark, CRLF line ends and no newline at the end', async () => {
    const text = `\ufeff${HEADER}\r\n${element('a')}\r\n${element('b')}`;
    const sink = new RecordingSink();
    const summary = await readSnapshot(await file(text), sink);
    assert.deepEqual(
      sink.elements.map((e) => e.id),
      ['a', 'b'],
    );
    assert.equal(summary.lines, 3);
  });
});

describe('readSnapshot: line length limit', () => {
  const long = element('big', 'vpc', { name: 'x'.repeat(2000) });

  it('stops at a line over maxLineBytes, naming the line, the limit and the option', async () => {
    const path = await file(`${HEADER}\n${element('a')}\n${long}\n${element('b')}\n`);
    await rejects(
      path,
      { line: 3, message: /:3: line 3 is over the 1000 B line limit \(at least 2 KiB\); raise maxLineBytes/ },
      { maxLineBytes: 1000 },
    );
    const sink = new RecordingSink();
    const summary = await readSnapshot(path, sink, { maxLineBytes: 1000, lenient: true });
    assert.deepEqual(
      sink.elements.map((e) => e.id),
      ['a', 'b'],
    );
    assert.equal(summary.skipped, 1);
    assert.equal((await readSnapshot(path, new RecordingSink())).elements, 3); // the default is 16 MiB
  });

  it('notices a long line before it ends, across reads, without holding it', async () => {
    // 3 MiB on one line spans several 1 MiB reads; the limit is 2 MiB.
    const huge = element('huge', 'vpc', { name: 'y'.repeat(3 * 1024 * 1024) });
    const path = await file(`${HEADER}\n${huge}\n${element('b')}\n`);
    await rejects(
      path,
      { line: 2, message: /line 2 is over the 2 MiB line limit/ },
      { maxLineBytes: 2 * 1024 * 1024 },
    );
    const sink = new RecordingSink();
    await readSnapshot(path, sink, { maxLineBytes: 2 * 1024 * 1024, lenient: true });
    assert.deepEqual(sink.locations, ['element:3']);
  });

  it('rejects a limit that is not a positive whole number', async () => {
    await assert.rejects(
      readSnapshot(await file(HEADER), new RecordingSink(), { maxLineBytes: 0 }),
      /option maxLineBytes must be a positive whole number/,
    );
  });
});

describe('readSnapshot: the JSON form', () => {
  const doc = {
    format: 'headroom-topology',
    version: 1,
    elements: [
      { id: 'core', type: 'core-network' },
      { id: 'vpc-1', type: 'vpc', cidrs: ['10.1.0.0/16'] },
    ],
    connections: [{ type: 'contains', source: 'core', target: 'vpc-1' }],
    routes: [],
    policies: { core: { version: '2021.12' } },
  };

  it('is told from NDJSON by its content, on one line or many', async () => {
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      const sink = new RecordingSink();
      const summary = await readSnapshot(await file(text), sink);
      assert.equal(summary.format, 'json');
      assert.deepEqual(sink.locations, [
        'element:/elements/0',
        'element:/elements/1',
        'connection:/connections/0',
      ]);
      assert.deepEqual(sink.policies.get('core'), { version: '2021.12' });
    }
  });

  it('names a bad record by its JSON pointer, and skips it when lenient', async () => {
    const broken = { ...doc, elements: [doc.elements[0], { id: 'v', type: 'vpc', cidrs: ['300.0.0.0/8'] }] };
    const path = await file(JSON.stringify(broken, null, 1));
    await rejects(path, {
      pointer: '/elements/1',
      message: / at \/elements\/1: element v: cidrs\[0\] "300.0.0.0\/8" is not a CIDR block/,
    });
    const warnings: TopologyError[] = [];
    const sink = new RecordingSink();
    await readSnapshot(path, sink, { lenient: true, onWarning: (w) => warnings.push(w) });
    assert.deepEqual(
      warnings.map((w) => w.pointer),
      ['/elements/1'],
    );
    assert.equal(sink.elements.length, 1);
  });

  it('reports invalid JSON with its line, a wrong format, and a file over the cap', async () => {
    await rejects(await file('{\n"format": "headroom-topology",\n"elements": [,]\n}'), {
      line: 3,
      message: /:3: not valid JSON/,
    });
    await rejects(await file(JSON.stringify({ ...doc, format: 'x' })), {
      pointer: '',
      message: /format is "x", expected "headroom-topology"/,
    });
    await rejects(await file(JSON.stringify({ ...doc, elements: 'none' })), {
      pointer: '/elements',
      message: /elements must be an array of element records/,
    });
    await rejects(
      await file(JSON.stringify(doc, null, 2)),
      { message: /over the 100 B cap for the JSON form, which is read whole; write it as NDJSON/ },
      { maxJsonBytes: 100 },
    );
  });
});

describe('readSnapshot: cancelling', () => {
  it('stops with AbortedError', async () => {
    const controller = new AbortController();
    controller.abort();
    const path = await file(`${HEADER}\n${element('a')}\n`);
    await assert.rejects(
      readSnapshot(path, new RecordingSink(), { signal: controller.signal }),
      AbortedError,
    );
  });
});
