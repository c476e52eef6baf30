import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
// @ts-expect-error: a JavaScript build script, without type declarations
import { assemble, binaryModule } from '../../scripts/wasm.mjs';
import { JsonScan } from '../../src/wasm/json-scan.js';

const scanOf = (text: string | Uint8Array): JsonScan =>
  JsonScan.of(typeof text === 'string' ? Buffer.from(text) : text) as JsonScan;

/** Byte-at-a-time versions of the scans, to compare against. */
function stringEndRef(bytes: Uint8Array, pos: number): number {
  for (let j = pos + 1; j < bytes.length; j++) {
    if (bytes[j] === 0x5c) j++;
    else if (bytes[j] === 0x22) return j + 1;
  }
  return -1;
}

function containerEndRef(bytes: Uint8Array, pos: number): number {
  let depth = 0;
  for (let j = pos; j < bytes.length; j++) {
    const c = bytes[j];
    if (c === 0x22) {
      j = stringEndRef(bytes, j) - 1;
      if (j < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/** A deterministic pseudo-random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

it('is the assembly of json-scan.wat (run `node scripts/wasm.mjs` after editing it)', () => {
  const wat = readFileSync(new URL('../../src/wasm/json-scan.wat', import.meta.url), 'utf8');
  const generated = readFileSync(new URL('../../src/wasm/json-scan-binary.ts', import.meta.url), 'utf8');
  assert.equal(generated, binaryModule('json-scan.wat', assemble('json-scan.wat', wat)));
});

it('ends strings and containers where a byte-at-a-time scan does, across 16-byte blocks', () => {
  const next = random(7);
  const alphabet = ['a', ' ', '\n', '"', '\\', '{', '}', '[', ']', ',', ':', 'é'];
  for (let round = 0; round < 3000; round++) {
    const length = 1 + Math.floor(next() * 80);
    let text = next() < 0.5 ? '{' : '"';
    for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)];
    const bytes = Buffer.from(text);
    const scan = scanOf(bytes);
    if (text[0] === '"') assert.equal(scan.stringEnd(0), stringEndRef(bytes, 0), JSON.stringify(text));
    else assert.equal(scan.containerEnd(0), containerEndRef(bytes, 0), JSON.stringify(text));
  }
});

it('skips real JSON values whole and reports unclosed ones', () => {
  const value = { a: ['x', { b: 'y}]"\\' }], long: 'z'.repeat(100), esc: '\\'.repeat(33), e: [] };
  const text = `${JSON.stringify(value, null, 2)} ,`;
  const scan = scanOf(text);
  assert.equal(scan.containerEnd(0), text.length - 2);
  assert.equal(scanOf('{"a": [1, 2}').containerEnd(0), -1);
  assert.equal(scanOf('{"a": "}').containerEnd(0), -1);
  assert.equal(scanOf(`"${'x'.repeat(40)}\\"`).stringEnd(0), -1);
  assert.equal(scanOf(`"${'x'.repeat(40)}\\\\"`).stringEnd(0), 44);
});

it('finds the first byte past ASCII at any position, or none', () => {
  for (let at = 0; at < 40; at++) {
    const bytes = Buffer.alloc(40, 0x61);
    bytes[at] = 0xc3;
    const scan = scanOf(bytes);
    assert.equal(scan.nonAscii(0, 40), at);
    assert.equal(scan.nonAscii(at + 1, 40), -1);
    assert.equal(scan.nonAscii(0, at), -1);
  }
});

it('turns JSON text into a one-byte string that parses to the same value', () => {
  const samples = [
    { plain: 'ascii only', n: [1, 2.5, true, null] },
    { 'clé é': 'ÿ ß ߿ ࠀ 中文 ￿ 😀 𐀀 🎉', mixed: 'a"é"\\é' },
    { many: '€'.repeat(5000) },
    { grows: `${'😀'.repeat(1500)} ${'é'.repeat(1500)}` },
  ];
  for (const sample of samples) {
    const bytes = Buffer.from(JSON.stringify(sample));
    const text = scanOf(bytes).jsonText(0, bytes.length);
    assert.deepEqual(JSON.parse(text), sample);
  }
  const few = Buffer.from(JSON.stringify({ a: 'é' }));
  assert.ok(/^[\x00-\x7f]*$/.test(scanOf(few).jsonText(0, few.length)));
});

/** Where the first `"$ref"` is whose value does not start with '#', byte by byte. */
function externalRefRef(bytes: Uint8Array): number {
  const text = Buffer.from(bytes).toString('latin1');
  for (let at = text.indexOf('"$ref"'); at >= 0; at = text.indexOf('"$ref"', at + 1)) {
    let i = at + 6;
    while (i < text.length && ' \n\r\t:'.includes(text[i] as string)) i++;
    if (text[i] === '"' && text[i + 1] !== '#') return at;
  }
  return -1;
}

it('finds refs into other documents, and only those', () => {
  const cases: Array<[string, number]> = [
    ['{"$ref": "#/components/schemas/A"}', -1],
    ['{"a": {"$ref" :\n "common.yaml#/A"}}', 7],
    ['{"a": "$ref", "b": "$ref\\""}', -1],
    ['{"$ref": "#", "x": {"$ref": "b.json"}}', 20],
    ['{"$ref":"', 1],
    ['{"$schema": "x", "$ref": 1}', -1],
  ];
  for (const [text, at] of cases) assert.equal(scanOf(text).externalRef(), at, text);
  const next = random(11);
  const alphabet = ['"$ref"', '"', '$', 'ref', ' ', ':', '#', 'x', '\n'];
  for (let round = 0; round < 3000; round++) {
    let text = '';
    const length = Math.floor(next() * 40);
    for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)];
    const bytes = Buffer.from(text);
    assert.equal(scanOf(bytes).externalRef(), externalRefRef(bytes), JSON.stringify(text));
  }
});

/**
 * `paths` with each operation's `responses` replaced by its number and its `externalDocs` and `x-...`
 * members by null, and the responses in order.
 */
function cutPathsRef(paths: unknown): { cut: unknown; values: unknown[] } {
  const values: unknown[] = [];
  const cut = structuredClone(paths) as Record<string, Record<string, unknown>>;
  for (const item of Object.values(cut)) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    for (const op of Object.values(item)) {
      if (!op || typeof op !== 'object' || Array.isArray(op)) continue;
      const record = op as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key === 'externalDocs' || key.startsWith('x-')) record[key] = null;
      }
      if (!Object.hasOwn(op, 'responses')) continue;
      values.push(record.responses);
      record.responses = values.length - 1;
    }
  }
  return { cut, values };
}

it("cuts out every operation's responses and unread members, at any indentation and across 16-byte blocks", () => {
  const next = random(5);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
  // Keys an operation may have: some cut, some only close to one that is.
  const keys = ['a', 'x-b', 'x-', 'x', 'xb', 'externalDocs', 'externalDoc', 'externalDocsX', 'X-c', 'x-\\"'];
  const value = (depth: number): unknown =>
    depth > 2 || next() < 0.4
      ? pick([1, 'x', 'é"}{', '中😀', true, null, [], {}, 'responses', '\\', 'x-a', 'externalDocs'])
      : next() < 0.5
        ? [value(depth + 1), value(depth + 1)]
        : { responses: value(depth + 1), [pick(keys)]: value(depth + 1) };
  for (let round = 0; round < 400; round++) {
    const paths: Record<string, unknown> = {};
    for (let p = 0; p < 1 + Math.floor(next() * 4); p++) {
      const item: Record<string, unknown> = {};
      for (const key of ['get', 'parameters', 'x-a', 'post'].filter(() => next() < 0.6)) {
        const op: Record<string, unknown> = { [pick(keys)]: value(3), responses: value(3) };
        if (next() < 0.5) op[pick(keys)] = value(3);
        item[key] = key === 'parameters' ? [{ responses: value(3), 'x-b': 1 }] : op;
        if (next() < 0.3) delete (item[key] as Record<string, unknown>).responses;
      }
      paths[`/p${p}${'x'.repeat(Math.floor(next() * 20))}`] = item;
    }
    const text = Buffer.from(JSON.stringify(paths, null, Math.floor(next() * 5)));
    const scan = scanOf(text);
    const result = scan.cutPaths(0, text.length);
    assert.ok(result, text.toString());
    const expected = cutPathsRef(paths);
    assert.deepEqual(JSON.parse(result.text), expected.cut, text.toString());
    const values = [];
    for (let k = 0; k < result.cuts.length; k += 2) {
      values.push(JSON.parse(text.toString('utf8', result.cuts[k], result.cuts[k + 1])));
    }
    assert.deepEqual(values, expected.values);
  }
});

it('cuts text with more characters past ASCII than it escapes, decoding it piece by piece', () => {
  const many = '中😀é'.repeat(2000);
  const text = Buffer.from(
    JSON.stringify({
      '/a': { get: { summary: many, 'x-b': many, responses: { 200: { description: many } } } },
    }),
  );
  const result = scanOf(text).cutPaths(0, text.length);
  assert.ok(result);
  assert.deepEqual(JSON.parse(result.text), { '/a': { get: { summary: many, 'x-b': null, responses: 0 } } });
  assert.deepEqual(JSON.parse(text.toString('utf8', result.cuts[0], result.cuts[1])), {
    200: { description: many },
  });
});

it('has room for the table when every few bytes of an operation are a member to cut', () => {
  const members = Array.from({ length: 100_000 }, () => '"x-":0').join(',');
  const text = Buffer.from(`{"/a":{"get":{${members},"responses":{"200":{}}}}}`);
  const result = scanOf(text).cutPaths(0, text.length);
  assert.ok(result);
  assert.deepEqual(JSON.parse(result.text), { '/a': { get: { 'x-': null, responses: 0 } } });
  assert.deepEqual(JSON.parse(text.toString('utf8', result.cuts[0], result.cuts[1])), { 200: {} });
});

it('cuts nothing from text with no operation responses, and gives up on an open one', () => {
  const text = Buffer.from('{"/a": {"get": {"summary": "responses"}}, "responses": {"responses": 1}}');
  assert.deepEqual(scanOf(text).cutPaths(0, text.length), {
    text: text.toString(),
    cuts: new Uint32Array(0),
  });
  const open = Buffer.from('{"/a": {"get": {"responses": {"200": "x}}}');
  assert.equal(scanOf(open).cutPaths(0, open.length), undefined);
});

it('accepts exactly what JSON.parse accepts, on mutated JSON', () => {
  const next = random(11);
  const samples = [
    '{"a":[1,-2.5e+3,0.25,true,false,null,"x\\u00e9\\n\\"é"],"b":{},"c":[],"d":{"e":[{"f":"g"}]}}',
    ' [ 1 , { "k" : "v" } , [ ] , "s" , -0 , 0e0 , 1E-2 ] ',
    '"just a string with a \\/ slash"',
    '-12.75',
  ];
  const pieces = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"',
    '\\',
    'u',
    '0',
    '1',
    '-',
    '+',
    '.',
    'e',
    't',
    'n',
    'f',
    ' ',
    '\n',
    '\t',
    'é',
    '\u0001',
    'a',
  ];
  let rejected = 0;
  for (let round = 0; round < 20000; round++) {
    let text = samples[round % samples.length] as string;
    for (let edits = Math.floor(next() * 3); edits > 0; edits--) {
      const at = Math.floor(next() * (text.length + 1));
      const piece = pieces[Math.floor(next() * pieces.length)] as string;
      const how = next();
      text =
        how < 0.4
          ? text.slice(0, at) + piece + text.slice(at)
          : how < 0.8
            ? text.slice(0, at) + text.slice(at + 1)
            : text.slice(0, at) + piece + text.slice(at + 1);
    }
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    if (!parses) rejected++;
    const bytes = Buffer.from(text);
    // At the start of the memory and at an offset that is not a multiple of 16.
    assert.equal(scanOf(bytes).isJson(0, bytes.length), parses, JSON.stringify(text));
    const padded = Buffer.concat([Buffer.from('xxxxxxx'), bytes, Buffer.from('yy')]);
    assert.equal(scanOf(padded).isJson(7, 7 + bytes.length), parses, JSON.stringify(text));
  }
  // The mutations must reach both answers often, or the test shows nothing.
  assert.ok(rejected > 5000 && rejected < 15000, `${rejected} of 20000 rejected`);
});

it('accepts deep nesting and long strings, and rejects what is left open or trails', () => {
  const deep = `${'['.repeat(50000)}${']'.repeat(50000)}`;
  assert.equal(scanOf(deep).isJson(0, deep.length), true);
  const open = `${'{"a":'.repeat(1000)}1${'}'.repeat(999)}`;
  assert.equal(scanOf(open).isJson(0, open.length), false);
  const long = JSON.stringify({ text: 'é'.repeat(100000) + '\\"'.repeat(1000) });
  assert.equal(scanOf(long).isJson(0, Buffer.byteLength(long)), true);
  for (const bad of [
    '',
    ' ',
    '{} {}',
    '[1,]',
    '{"a":1,}',
    '01',
    '1.',
    '.5',
    '+1',
    'tru',
    'nul',
    '"\\x"',
    '"\\u12g4"',
    "'a'",
    '{a:1}',
    '[1 2]',
  ])
    assert.equal(scanOf(bad).isJson(0, Buffer.byteLength(bad)), false, bad);
});
