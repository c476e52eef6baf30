/**
 * toolInputSchema: a tool's input schema with the shared definitions it reaches, nearest first,
 * within a byte budget; stubs past it. Whatever the budget, every `$ref` in the result resolves
 * inside it, and the result compiles as JSON Schema 2020-12.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { prepareCatalog } from '../../src/openapi/prepare.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { DEFAULT_SCHEMA_BUDGET_BYTES, toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { Catalog, JsonObject, Operation } from '../../src/openapi/types.js';
import { allRefs, danglingRefs, loadCompiler, resolveLocalRef } from './schema-helpers.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const ROOT = 'file:///spec.json';
const compile = await loadCompiler();
if (!compile) console.log('# ajv is not installed: the JSON Schema 2020-12 compile checks are skipped');

function catalogWith(schemas: JsonObject, body: unknown = { $ref: '#/components/schemas/A' }): Catalog {
  const document: JsonObject = {
    openapi: '3.0.3',
    info: { title: 'budget', version: '1' },
    paths: {
      '/a': {
        post: {
          operationId: 'postA',
          parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: body } } },
          responses: { 200: { description: 'ok' } },
        },
      },
    },
    components: { schemas },
  };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), { apiName: 'budget' });
}

const isStub = (value: unknown) =>
  typeof (value as JsonObject)?.description === 'string' &&
  /omitted to keep this tool's schema small/.test((value as JsonObject).description as string);

/**
 * Every check a listed schema must pass; returns it for further assertions. `compiles: false` skips
 * the Ajv compile, for budgets far above the default (see the chain test below for why).
 */
function checkListed(schema: JsonObject, where: string, compiles = true): JsonObject {
  const wire = JSON.parse(JSON.stringify(schema)) as JsonObject;
  assert.equal(wire.type, 'object', where);
  assert.deepEqual(danglingRefs(wire), [], `${where}: dangling refs`);
  for (const ref of allRefs(wire)) assert.match(ref, /^#\/\$defs\/[^/]+$/, `${where}: ${ref}`);
  if (compile && compiles) assert.doesNotThrow(() => compile(wire), where);
  return wire;
}

/** A tree of 100-odd-byte definitions: A -> B, C; B -> D; C -> E. */
const tree: JsonObject = {
  A: {
    type: 'object',
    description: 'The root, with two children and some padding to weigh something.',
    properties: { b: { $ref: '#/components/schemas/B' }, c: { $ref: '#/components/schemas/C' } },
  },
  B: {
    type: 'object',
    description: 'First child, which has a child of its own, and padding.',
    properties: { d: { $ref: '#/components/schemas/D' } },
  },
  C: {
    type: 'object',
    description: 'Second child, which has a child of its own, and padding.',
    properties: { e: { $ref: '#/components/schemas/E' } },
  },
  D: { type: 'string', description: 'A grandchild, reached through B, some padding here.' },
  E: { type: 'string', description: 'A grandchild, reached through C, some padding here.' },
  Unreached: { type: 'string', description: 'Nothing refers to this one.' },
};

describe('toolInputSchema', () => {
  const catalog = catalogWith(tree);
  const op = catalog.operations[0] as Operation;
  const bytes = (key: string) => catalog.definitions[key]?.bytes ?? Number.NaN;

  it('returns the input schema itself when the operation refers to no definitions', () => {
    const plain = catalogWith({}, { type: 'object', properties: { a: { type: 'string' } } });
    const only = plain.operations[0] as Operation;
    assert.deepEqual(only.defs, []);
    assert.equal(toolInputSchema(only, plain.definitions), only.inputSchema);
    assert.equal('$defs' in only.inputSchema, false);
  });

  it('includes every reachable definition, and only those, when the budget allows', () => {
    const schema = checkListed(toolInputSchema(op, catalog.definitions), 'whole');
    const defs = schema.$defs as JsonObject;
    assert.deepEqual(Object.keys(defs), ['A', 'B', 'C', 'D', 'E']);
    for (const key of Object.keys(defs)) assert.deepEqual(defs[key], catalog.definitions[key]?.schema);
    // The operation's own schema is not changed by listing it.
    assert.equal('$defs' in op.inputSchema, false);
  });

  it('takes definitions nearest first and stubs those past the budget', () => {
    const upToChildren = bytes('A') + bytes('B') + bytes('C');
    const schema = checkListed(toolInputSchema(op, catalog.definitions, upToChildren), 'children');
    const defs = schema.$defs as JsonObject;
    assert.deepEqual(Object.keys(defs), ['A', 'B', 'C', 'D', 'E']);
    assert.deepEqual(defs.A, catalog.definitions.A?.schema);
    assert.deepEqual(defs.C, catalog.definitions.C?.schema);
    assert.ok(isStub(defs.D) && isStub(defs.E), JSON.stringify(defs));
    assert.match(String((defs.D as JsonObject).description), /^\(D: /);

    // One more definition's worth: D (queued before E, through B) is in, E is not.
    const schema2 = checkListed(toolInputSchema(op, catalog.definitions, upToChildren + bytes('D')), 'd');
    const defs2 = schema2.$defs as JsonObject;
    assert.deepEqual(defs2.D, catalog.definitions.D?.schema);
    assert.ok(isStub(defs2.E));
  });

  it('always includes the first definition, however small the budget, and never follows a stub', () => {
    for (const budget of [0, 1, bytes('A')]) {
      const schema = checkListed(toolInputSchema(op, catalog.definitions, budget), `budget ${budget}`);
      const defs = schema.$defs as JsonObject;
      assert.deepEqual(defs.A, catalog.definitions.A?.schema);
      assert.deepEqual(Object.keys(defs), ['A', 'B', 'C']);
      assert.ok(isStub(defs.B) && isStub(defs.C));
    }
  });

  it('keeps the included definitions within the budget', () => {
    for (const budget of [50, 200, 300, 400, 1000]) {
      const defs = toolInputSchema(op, catalog.definitions, budget).$defs as JsonObject;
      const spent = Object.entries(defs)
        .filter(([, value]) => !isStub(value))
        .reduce((sum, [key]) => sum + bytes(key), 0);
      const whole = Object.values(defs).filter((value) => !isStub(value)).length;
      assert.ok(spent <= budget || whole === 1, `budget ${budget}: spent ${spent} on ${whole} definitions`);
    }
  });

  it('lists a recursive definition once, whatever the budget', () => {
    const recursive = catalogWith({
      A: {
        type: 'object',
        properties: {
          self: { $ref: '#/components/schemas/A' },
          list: { type: 'array', items: { $ref: '#/components/schemas/A' } },
        },
      },
    });
    const only = recursive.operations[0] as Operation;
    for (const budget of [0, 100, DEFAULT_SCHEMA_BUDGET_BYTES]) {
      const schema = checkListed(toolInputSchema(only, recursive.definitions, budget), `recursive ${budget}`);
      assert.deepEqual(Object.keys(schema.$defs as JsonObject), ['A']);
    }
  });
});

describe('toolInputSchema over larger graphs', () => {
  it('keeps every $ref resolvable in an interlinked graph of 400 schemas at any budget', () => {
    const schemas: JsonObject = {};
    const n = 400;
    for (let i = 0; i < n; i++) {
      schemas[`E${i}`] = {
        type: 'object',
        description: `Entity ${i}: ${'padding '.repeat(i % 17)}`,
        properties: {
          id: { type: 'string' },
          parent: { $ref: `#/components/schemas/E${(i * 7 + 1) % n}` },
          children: { type: 'array', items: { $ref: `#/components/schemas/E${(i * 13 + 5) % n}` } },
          related: {
            anyOf: [{ $ref: `#/components/schemas/E${(i * 31 + 11) % n}` }, { type: 'null' }],
          },
        },
      };
    }
    const catalog = catalogWith(schemas, { $ref: '#/components/schemas/E0' });
    const op = catalog.operations[0] as Operation;
    let previous = -1;
    for (const budget of [0, 512, 4096, DEFAULT_SCHEMA_BUDGET_BYTES, 10_000_000]) {
      const schema = checkListed(
        toolInputSchema(op, catalog.definitions, budget),
        `graph ${budget}`,
        budget <= DEFAULT_SCHEMA_BUDGET_BYTES,
      );
      const defs = schema.$defs as JsonObject;
      const whole = Object.values(defs).filter((value) => !isStub(value)).length;
      assert.ok(whole >= previous, `a larger budget includes at least as many definitions (${budget})`);
      previous = whole;
      if (budget === 10_000_000) assert.equal(Object.values(defs).filter(isStub).length, 0);
      else assert.ok(JSON.stringify(schema).length < budget + 64 * 1024, `budget ${budget}`);
    }
  });

  it('lists a long chain of small definitions (S0 -> S1 -> ... -> S999) so that Ajv can compile it at the default budget', {
    skip: compile ? false : 'ajv not installed',
  }, () => {
    const schemas: JsonObject = {};
    for (let i = 0; i < 1000; i++)
      schemas[`S${i}`] =
        i === 999
          ? { type: 'string' }
          : { type: 'object', properties: { next: { $ref: `#/components/schemas/S${i + 1}` } } };
    const catalog = catalogWith(schemas, { $ref: '#/components/schemas/S0' });
    const schema = toolInputSchema(catalog.operations[0] as Operation, catalog.definitions);
    checkListed(schema, 'chain', false);
    assert.doesNotThrow(() => compile!(JSON.parse(JSON.stringify(schema))));
  });

  it('lists every fixture operation with valid, self-contained schemas at several budgets', async () => {
    let checked = 0;
    for (const name of [
      'petstore-2.0.json',
      'petstore-3.0.yaml',
      'petstore-3.1.yaml',
      'styles-2.0.yaml',
      'styles-3.0.yaml',
      'refs/main.yaml',
    ]) {
      const { catalog } = await prepareCatalog(join(FIXTURES, name), {
        catalog: { apiName: 'fixture' },
        version: 'test',
      });
      for (const op of catalog.operations) {
        for (const budget of [0, 256, DEFAULT_SCHEMA_BUDGET_BYTES]) {
          checkListed(toolInputSchema(op, catalog.definitions, budget), `${name} ${op.name} ${budget}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `${checked} schemas checked`);
  });

  it('produces schemas that validate real arguments (petstore 2.0 addPet)', {
    skip: compile ? false : 'ajv not installed',
  }, async () => {
    const { catalog } = await prepareCatalog(join(FIXTURES, 'petstore-2.0.json'), {
      catalog: { apiName: 'p' },
      version: 'test',
    });
    const addPet = catalog.operations.find((o) => o.name === 'addPet') as Operation;
    const validate = compile!(toolInputSchema(addPet, catalog.definitions));
    const pet = { name: 'Rex', photoUrls: [], category: { id: 1, name: 'dogs' }, status: 'sold' };
    assert.equal(validate({ body: pet }), true);
    assert.equal(validate({}), false, 'body is required');
    assert.equal(validate({ body: pet, extra: 1 }), false, 'no unknown arguments');
    assert.equal(validate({ body: { ...pet, status: 'lost' } }), false, 'status is an enum');
    assert.equal(validate({ body: { photoUrls: [] } }), false, 'name is required');
  });
});

describe('the $ref checker itself', () => {
  it('finds dangling refs, escaped names, and refs outside the schema', () => {
    const schema = {
      properties: {
        a: { $ref: '#/$defs/a~1b' },
        b: { $ref: '#/$defs/missing' },
        c: { $ref: 'other.json#/x' },
      },
      $defs: { 'a/b': { type: 'string' } },
    };
    assert.deepEqual(danglingRefs(schema).sort(), ['#/$defs/missing', 'other.json#/x']);
    assert.deepEqual(resolveLocalRef(schema, '#/$defs/a~1b'), { type: 'string' });
    assert.equal(resolveLocalRef(schema, '#/$defs/toString'), undefined);
  });
});
