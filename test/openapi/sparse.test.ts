import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { getPointer } from '../../src/openapi/refs.js';
import { LazyJson, LazyPaths, parseSparse as parseScan, SparseParseError } from '../../src/openapi/sparse.js';
import { JsonScan } from '../../src/wasm/json-scan.js';

const parseSparse = (bytes: Uint8Array) => parseScan(JsonScan.of(bytes) as JsonScan);

const spec = {
  openapi: '3.0.3',
  info: { title: 'T', version: '1' },
  paths: { '/a': { get: { responses: { 200: { $ref: '#/components/responses/Ok' } } } } },
  components: {
    schemas: {
      Pet: { type: 'object', properties: { name: { type: 'string', description: 'a "quoted" }{ name' } } },
      'A/B': { type: 'integer' },
    },
    examples: { big: { value: [1, 2, 3] } },
    responses: { Ok: { description: 'ok' } },
  },
  'x-webhooks': { hook: { post: {} } },
};

it('parses what a catalog needs now and keeps schemas, examples and webhooks as bytes', () => {
  const text = Buffer.from(`\uFEFF  ${JSON.stringify(spec, null, 2)}\n`);
  const root = parseSparse(text) as typeof spec & Record<string, unknown>;
  assert.ok(root.paths['/a'].get.responses instanceof LazyJson);
  assert.deepEqual(getPointer(root, '/paths/~1a/get/responses'), spec.paths['/a'].get.responses);
  assert.deepEqual(root.paths, spec.paths);
  assert.deepEqual(root.info, spec.info);
  assert.deepEqual(root.components.responses, spec.components.responses);
  assert.ok((root.components.schemas as unknown as Record<string, unknown>).Pet instanceof LazyJson);
  assert.ok((root.components as unknown as Record<string, unknown>).examples instanceof LazyJson);
  assert.ok(root['x-webhooks'] instanceof LazyJson);
  // A pointer parses the lazy value on first use and puts it in place.
  assert.deepEqual(getPointer(root, '/components/schemas/Pet'), spec.components.schemas.Pet);
  assert.equal(
    (root.components.schemas as unknown as Record<string, unknown>).Pet instanceof LazyJson,
    false,
  );
  assert.deepEqual(getPointer(root, '/components/schemas/A~1B'), { type: 'integer' });
  assert.deepEqual(getPointer(root, '/components/examples/big/value'), [1, 2, 3]);
});

/** The value with everything kept lazy parsed, as plain JSON values. */
function materialized(value: unknown): unknown {
  if (value instanceof LazyJson) return materialized(value.value());
  if (Array.isArray(value)) return value.map(materialized);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialized(v)]));
  return value;
}

it('agrees with JSON.parse on a real specification once everything is materialized', () => {
  const bytes = readFileSync(new URL('./fixtures/petstore-2.0.json', import.meta.url));
  assert.deepEqual(materialized(parseSparse(bytes)), JSON.parse(bytes.toString('utf8')));
});

it("keeps each operation's responses as bytes, and only an operation's", () => {
  const paths = {
    '/a': {
      // Objects three levels in are operations; a parameter's own `responses` is four levels in.
      parameters: [{ name: 'p', in: 'query', responses: { kept: true } }],
      get: { summary: 'é', responses: { 200: { description: 'ok ü 😀', content: { 'a/b': {} } } } },
      put: { responses: 'a string, not an object' },
      'x-extension': { responses: [1, { 2: 3 }] },
    },
    '/b': {
      post: { responses: { default: { $ref: '#/components/responses/R' } } },
      delete: { responses: 7 },
    },
    '/c': { get: { operationId: 'none' } },
  };
  const document = { openapi: '3.0.3', info: { title: 'T', version: '1' }, paths };
  for (const text of [JSON.stringify(document), JSON.stringify(document, null, 3)]) {
    const root = parseSparse(Buffer.from(text)) as { paths: typeof paths };
    const a = root.paths['/a'] as unknown as Record<string, { responses: unknown }>;
    for (const op of ['get', 'put', 'x-extension']) assert.ok(a[op]?.responses instanceof LazyJson, op);
    assert.deepEqual(a.parameters, paths['/a'].parameters);
    assert.deepEqual(materialized(root.paths), paths);
  }
});

it('gives up (so the caller parses whole) when a repeated key hides a cut response', () => {
  for (const bad of [
    '{"openapi":"3.0.0","paths":{"/a":{"get":{"responses":{},"responses":{}}}}}',
    '{"openapi":"3.0.0","paths":{"/a":{"get":{"responses":{}},"get":{"responses":{}}}}}',
  ]) {
    assert.throws(() => parseSparse(Buffer.from(bad)), SparseParseError, bad);
  }
});

it('gives up (so the caller parses whole) on anything it does not expect', () => {
  for (const bad of ['[1]', '{"a" 1}', '{"a":1', '{"a":"x', '{"a":1}x', '{"a":1,}']) {
    assert.throws(
      () => parseSparse(Buffer.from(bad)),
      (error: unknown) => error instanceof SparseParseError || error instanceof SyntaxError,
      bad,
    );
  }
});

it('ends strings at the first quote not escaped by an odd run of backslashes', () => {
  const tricky = {
    openapi: '3.0.3',
    info: { title: 'ends in a backslash \\', version: '1 \\"quoted\\" \\\\' },
    paths: { '/\\\\"x': { get: { description: '\\\\\\"}{][' } } },
    components: { schemas: { S: { description: '\\', enum: ['"', '\\"', '\\\\'] } } },
  };
  const root = parseSparse(Buffer.from(JSON.stringify(tricky))) as typeof tricky;
  assert.deepEqual(root.info, tricky.info);
  assert.deepEqual(materialized(root.paths), tricky.paths);
  assert.deepEqual(getPointer(root, '/components/schemas/S'), tricky.components.schemas.S);
});

it('decodes escaped keys as JSON.parse does, and reads plain ones as they are', () => {
  const text =
    '{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},' +
    '"components":{"schemas":{"Plain":{"type":"string"},"Q\\"uote":{"type":"integer"},' +
    '"\\u0053lash\\/ed":{"type":"boolean"},"tab\\tkey":{}}}}';
  const root = parseSparse(Buffer.from(text)) as { components: { schemas: Record<string, unknown> } };
  assert.deepEqual(Object.keys(root.components.schemas), Object.keys(JSON.parse(text).components.schemas));
  assert.deepEqual(getPointer(root, '/components/schemas/Slash~1ed'), { type: 'boolean' });
  assert.deepEqual(getPointer(root, '/components/schemas/Q"uote'), { type: 'integer' });
});

it('reads characters past ASCII, in keys and in lazy and eager values, as JSON.parse does', () => {
  const wide = {
    openapi: '3.1.0',
    info: { title: 'café 中文 😀', version: ' ' },
    paths: { '/ü': { get: { summary: 'éé " " \\ ÿ' } } },
    components: { schemas: { Å: { description: '🎉 party', enum: ['ÿ', '߿ࠀ'] } } },
  };
  const root = parseSparse(Buffer.from(JSON.stringify(wide))) as typeof wide;
  assert.deepEqual(root.info, wide.info);
  assert.deepEqual(materialized(root.paths), wide.paths);
  assert.deepEqual(getPointer(root, '/components/schemas/Å'), wide.components.schemas['Å']);
});

it('keeps paths as checked text when asked, counts their operations there, and parses them as the eager parse does', () => {
  const paths = {
    '/a': {
      summary: 'not an operation',
      parameters: [{ name: 'id', in: 'query' }],
      get: { operationId: 'getA', responses: { 200: { description: 'ok' } } },
      post: { operationId: 'postA' },
      'x-get': { operationId: 'vendor' },
    },
    '/b': { delete: { operationId: 'dropB' }, put: 'not an object' },
    '/c': 'not a path item',
    '/d': {},
  };
  const bytes = Buffer.from(JSON.stringify({ ...spec, paths }, null, 1));
  const lazy = parseScan(JsonScan.of(bytes) as JsonScan, { lazyPaths: true });
  assert.ok(lazy.paths instanceof LazyPaths);
  assert.equal(lazy.paths.countOperations(new Set(['get', 'post', 'put', 'delete'])), 3);
  const eager = parseSparse(bytes);
  assert.deepEqual(materialized(lazy.paths.value()), materialized(eager.paths));
  assert.deepEqual(materialized(lazy.paths.value()), paths);
});

it('counts no operations of a path item that refers elsewhere', () => {
  const bytes = Buffer.from(JSON.stringify({ ...spec, paths: { '/a': { $ref: '#/x-items/a' } } }));
  const root = parseScan(JsonScan.of(bytes) as JsonScan, { lazyPaths: true });
  assert.ok(root.paths instanceof LazyPaths);
  assert.equal(root.paths.countOperations(new Set(['get'])), undefined);
});

it('gives up (so the caller parses whole and says where) when paths kept as text are not JSON', () => {
  for (const broken of [
    '{"get": {"a": 1,}}',
    '{"get": {"a": tru}}',
    '{"get": {"a": "\u0001"}}',
    '{"get": {"a": 01}}',
  ]) {
    const text = `{"openapi": "3.0.3", "info": {}, "paths": {"/a": ${broken}}}`;
    assert.throws(
      () => parseScan(JsonScan.of(Buffer.from(text)) as JsonScan, { lazyPaths: true }),
      SparseParseError,
      broken,
    );
  }
});
