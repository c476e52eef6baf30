/**
 * operationToolJson: the text a cold stdio tools/list writes for each operation straight from the
 * catalog must be exactly JSON.stringify of the tool it stands for, whatever the spec holds.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { OpenApiTools } from '../../src/mcp/openapi-tools.js';
import { wireTools } from '../../src/mcp/wire-tools.js';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { type PreparedApi, prepareCatalog } from '../../src/openapi/prepare.js';
import { RefResolver } from '../../src/openapi/refs.js';
import type { JsonObject } from '../../src/openapi/types.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const ROOT = 'file:///spec.json';
const execute = async () => ({ content: [] });

/** The texts a fresh provider writes, and the JSON of the tools it lists. */
function bothWays(apis: PreparedApi[], options: { budget?: number; reader?: boolean } = {}) {
  const make = () =>
    new OpenApiTools(apis, {
      mode: 'all',
      execute,
      ...(options.budget === undefined ? {} : { schemaBudgetBytes: options.budget }),
      ...(options.reader ? { readResult: execute } : {}),
    });
  const texts = [...(make().listTexts() ?? [])];
  const listed = make();
  return { texts, json: wireTools(listed.list()).map((tool) => JSON.stringify(tool)), names: listed.names() };
}

function prepared(document: JsonObject, outputSchemas = false): PreparedApi {
  const catalog = buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), {
    apiName: 'edge',
    ...(outputSchemas ? { outputSchemas: true } : {}),
  });
  const operationCount = catalog.operations.length;
  return {
    catalog,
    operationCount,
    source: 'edge',
    specBytes: 1,
    fromCache: false,
    timings: {},
  } as unknown as PreparedApi;
}

const EDGES: JsonObject = {
  openapi: '3.0.3',
  info: { title: 'edges', version: '1' },
  paths: {
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {
        operationId: 'getItem',
        deprecated: true,
        summary: 'Get "one" item',
        description: 'Line one.\n\nLine two with ünïcode and a tab\t.',
        parameters: [
          { name: '__proto__', in: 'query', schema: { type: 'string' } },
          {
            name: '_fields',
            in: 'query',
            schema: { type: 'string' },
            description: 'clashes with a meta argument',
          },
          { name: '2', in: 'query', schema: { $ref: '#/components/schemas/200' } },
          { name: 'id', in: 'query', schema: { $ref: '#/components/schemas/Node' } },
        ],
        responses: {
          200: {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
          },
        },
      },
      put: {
        requestBody: {
          required: true,
          description: 'the item',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Big' } } },
        },
        responses: { 204: { description: 'done' } },
      },
    },
    '/nothing': { delete: { responses: { 204: { description: 'gone' } } } },
  },
  components: {
    schemas: {
      200: { type: 'string', description: 'a definition named like an array index' },
      Node: {
        type: 'object',
        properties: {
          child: { $ref: '#/components/schemas/Node' },
          big: { $ref: '#/components/schemas/Big' },
        },
      },
      Big: {
        type: 'object',
        properties: Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [`p${i}`, { type: 'string', description: 'x'.repeat(200) }]),
        ),
      },
    },
  },
};

describe('operation tools written as text', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => /\.(json|ya?ml)$/.test(name));

  for (const name of fixtures) {
    it(`${name}: each text is the JSON of its tool`, async () => {
      const api = await prepareCatalog(join(FIXTURES, name), {
        catalog: { apiName: name.replace(/\W+/g, '_') },
        version: 'test',
      });
      const { texts, json, names } = bothWays([api], { reader: true });
      assert.ok(texts.length > 1);
      assert.deepEqual(texts, json);
      assert.deepEqual(
        names,
        json.map((text) => (JSON.parse(text) as { name: string }).name),
      );
    });
  }

  it('the same for __proto__, meta-argument and index-like names, cycles, stubs and output schemas', () => {
    for (const outputSchemas of [false, true])
      for (const budget of [undefined, 1, 500, 100_000]) {
        const { texts, json } = bothWays(
          [prepared(EDGES, outputSchemas)],
          budget === undefined ? {} : { budget },
        );
        assert.equal(texts.length, 3);
        assert.deepEqual(texts, json, `budget ${budget}, output schemas ${outputSchemas}`);
      }
    // The cases are really there: a stub past the budget, the index-like definition, __proto__.
    const [get] = bothWays([prepared(EDGES)], { budget: 500 }).texts;
    assert.match(get ?? '', /omitted to keep this tool's schema small/);
    assert.match(get ?? '', /"\$defs":\{"200":/);
    assert.match(get ?? '', /"properties":\{"2":.*"__proto__":/);
  });

  it('is not offered once the tools are built, nor in dynamic mode', () => {
    const api = prepared(EDGES);
    const tools = new OpenApiTools([api], { mode: 'all', execute });
    assert.ok(tools.listTexts());
    tools.list();
    assert.equal(tools.listTexts(), undefined);
    assert.equal(new OpenApiTools([api], { mode: 'dynamic', execute }).listTexts(), undefined);
  });
});
