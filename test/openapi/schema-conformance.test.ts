/**
 * Regressions from the conformance run (`npm run conformance`): each class of spec content that once
 * made a listed tool schema invalid, or silently wrong, in a small inline spec. A listed schema must
 * compile under Ajv 2020 and have every `$ref` resolve, or the SDK client rejects the whole list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaChecker, structuralProblem } from '../../scripts/conformance-check.js';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { Catalog, JsonObject } from '../../src/openapi/types.js';

const ROOT = 'file:///spec.json';

function catalogOf(partial: JsonObject, openapi = '3.0.3'): Catalog {
  const document: JsonObject = { openapi, info: { title: 'regression', version: '1' }, ...partial };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), {
    apiName: 'regression',
  });
}

/** One POST operation with these parameters and JSON body schema. */
function operation(parameters: unknown[], body?: unknown): JsonObject {
  return {
    post: {
      operationId: 'op',
      parameters,
      ...(body === undefined ? {} : { requestBody: { content: { 'application/json': { schema: body } } } }),
      responses: { 200: { description: 'ok' } },
    },
  };
}

const checker = new SchemaChecker(false);

/** The listed schema of the only operation, after checking that it is valid on the wire. */
function listedSchema(catalog: Catalog): JsonObject {
  assert.equal(catalog.operations.length, 1);
  const schema = toolInputSchema(catalog.operations[0]!, catalog.definitions);
  const wire = JSON.stringify(schema);
  assert.deepEqual(checker.check(wire), {}, wire);
  assert.equal(structuralProblem(JSON.parse(wire)), undefined, wire);
  return JSON.parse(wire) as JsonObject;
}

const property = (schema: JsonObject, ...path: string[]): JsonObject =>
  path.reduce((node, key) => (node.properties as Record<string, JsonObject>)[key] as JsonObject, schema);

describe('schema conformance regressions', () => {
  it('drops a multipleOf that is not above 0 (including one that underflows to 0)', () => {
    const catalog = catalogOf({
      paths: {
        '/a': operation([
          { name: 'zero', in: 'query', schema: { type: 'number', multipleOf: 0 } },
          { name: 'negative', in: 'query', schema: { type: 'number', multipleOf: -2 } },
          { name: 'tiny', in: 'query', schema: { type: 'number', multipleOf: JSON.parse('1e-400') } },
          { name: 'fine', in: 'query', schema: { type: 'number', multipleOf: 0.01 } },
        ]),
      },
    });
    const schema = listedSchema(catalog);
    for (const name of ['zero', 'negative', 'tiny'])
      assert.equal(property(schema, name).multipleOf, undefined);
    assert.equal(property(schema, 'fine').multipleOf, 0.01);
    assert.equal(catalog.warnings.filter((w) => w.includes('multipleOf')).length, 3);
  });

  it('drops patternProperties whose names are not valid regular expressions', () => {
    const catalog = catalogOf({
      paths: {
        '/a': operation([], {
          type: 'object',
          patternProperties: {
            '(': { type: 'string' },
            '\\_x': { type: 'string' },
            '^x-': { type: 'integer' },
          },
        }),
      },
    });
    const body = property(listedSchema(catalog), 'body');
    assert.deepEqual(Object.keys(body.patternProperties as JsonObject), ['^x-']);
    assert.equal(catalog.warnings.length, 2);
  });

  it('keeps only name lists in dependentRequired', () => {
    const catalog = catalogOf(
      {
        paths: {
          '/a': operation([], {
            type: 'object',
            dependentRequired: { a: 'b', c: [1, 'd', 'd', null], e: ['f'] },
          }),
        },
      },
      '3.1.0',
    );
    const body = property(listedSchema(catalog), 'body');
    assert.deepEqual(body.dependentRequired, { c: ['d'], e: ['f'] });
  });

  it('gives parameters unique argument names when a renamed one meets an existing name', () => {
    const catalog = catalogOf({
      paths: {
        '/a/{id}': operation(
          [
            { name: 'query_id', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'query', required: true, schema: { type: 'integer' } },
            { name: 'body', in: 'query', required: true, schema: { type: 'boolean' } },
            { name: 'query_body', in: 'header', schema: { type: 'string' } },
          ],
          { type: 'object' },
        ),
      },
    });
    const schema = listedSchema(catalog);
    const args = catalog.operations[0]!.parameters.map((p) => `${p.in}:${p.name}=${p.argument}`);
    assert.deepEqual(args, [
      'query:query_id=query_id',
      'path:id=id',
      'query:id=query_id_2',
      'query:body=query_body',
      'header:query_body=header_query_body',
    ]);
    assert.deepEqual(schema.required, ['query_id', 'id', 'query_id_2', 'query_body']);
    assert.equal(property(schema, 'query_id_2').type, 'integer');
    assert.equal(property(schema, 'body').type, 'object');
  });

  it('keeps properties and arguments named __proto__', () => {
    const catalog = catalogOf({
      paths: {
        '/a': operation([{ name: '__proto__', in: 'query', required: true, schema: { type: 'string' } }], {
          type: 'object',
          properties: JSON.parse('{"__proto__": {"type": "integer"}, "x": {"type": "string"}}'),
          required: ['__proto__'],
        }),
      },
    });
    const schema = listedSchema(catalog);
    assert.ok(Object.hasOwn(schema.properties as JsonObject, '__proto__'));
    assert.equal(property(schema, '__proto__').type, 'string');
    assert.deepEqual(Object.keys(property(schema, 'body').properties as JsonObject), ['__proto__', 'x']);
    assert.equal(property(schema, 'body', '__proto__').type, 'integer');
  });

  it('never names a shared definition __proto__, so its $ref resolves', () => {
    const catalog = catalogOf({
      paths: { '/a': operation([], { $ref: '#/components/schemas/__proto__' }) },
      components: {
        schemas: JSON.parse(
          '{"__proto__": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/__proto__"}}}}',
        ),
      },
    });
    const schema = listedSchema(catalog);
    const ref = property(schema, 'body').$ref as string;
    assert.notEqual(ref, '#/$defs/__proto__');
    assert.ok(Object.hasOwn(schema.$defs as JsonObject, ref.replace('#/$defs/', '')));
    assert.ok(Object.hasOwn(catalog.definitions, ref.replace('#/$defs/', '')));
  });

  it('still repairs the classes the translator handled before the corpus run', () => {
    // Invalid regular expressions, odd types, required that is not a list, tuple items, nullable,
    // boolean schemas, boolean exclusive bounds, non-schema values, empty combinators.
    const catalog = catalogOf({
      paths: {
        '/a': operation(
          [
            { name: 'p', in: 'query', schema: { type: 'string', pattern: '[\\w-\\.]+' } },
            { name: 't', in: 'query', schema: { type: ['string', 'string', 'int'] } },
            { name: 'n', in: 'query', schema: { type: 'string', nullable: true, enum: ['a'] } },
            { name: 'x', in: 'query', schema: { type: 'integer', minimum: 5, exclusiveMinimum: true } },
            { name: 'i', in: 'query', schema: { type: 'array', items: [{ type: 'string' }, 5] } },
          ],
          {
            type: 'object',
            required: 'a',
            properties: { a: true, b: false, c: null, d: { allOf: [], anyOf: {}, oneOf: [null] } },
            additionalProperties: 'no',
          },
        ),
      },
    });
    const schema = listedSchema(catalog);
    assert.equal(property(schema, 'p').pattern, undefined);
    assert.deepEqual(property(schema, 't').type, ['string']);
    assert.deepEqual(property(schema, 'n').type, ['string', 'null']);
    assert.deepEqual(property(schema, 'n').enum, ['a', null]);
    assert.equal(property(schema, 'x').exclusiveMinimum, 5);
    assert.equal(property(schema, 'x').minimum, undefined);
    assert.equal((property(schema, 'i').prefixItems as unknown[]).length, 2);
    const body = property(schema, 'body');
    assert.equal(body.required, undefined);
    assert.equal(property(body, 'a') as unknown, true);
    assert.equal(property(body, 'b') as unknown, false);
  });
});

describe('specs that give no tools', () => {
  it('say why first: webhooks only', () => {
    const catalog = catalogOf(
      { paths: {}, webhooks: { created: { post: { responses: { 200: { description: 'ok' } } } } } },
      '3.1.0',
    );
    assert.equal(catalog.operations.length, 0);
    assert.match(
      catalog.warnings[0] ?? '',
      /no operations under paths; its 1 webhooks .*: no tools to serve/,
    );
  });

  it('say why first: a filter that matches nothing', () => {
    const document: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'filtered', version: '1' },
      paths: { '/a': operation([]) },
    };
    const catalog = buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), {
      apiName: 'filtered',
      filter: { includeTags: ['nothing'] },
    });
    assert.deepEqual(catalog.warnings, [
      'the operation filter matches none of the 1 operations: no tools to serve',
    ]);
  });

  it('say nothing when there are tools', () => {
    assert.deepEqual(catalogOf({ paths: { '/a': operation([]) } }).warnings, []);
  });
});
