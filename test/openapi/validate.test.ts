/**
 * ArgumentValidator: every problem with a call's arguments, in words a model can act on, checked
 * against the full input schema (no definition stubbed), with compiled validators kept in a bounded
 * LRU and a loose fallback for schemas Ajv cannot compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolArgumentError } from '../../src/errors.js';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { Catalog, JsonObject, Operation } from '../../src/openapi/types.js';
import { ArgumentValidator, displayPath } from '../../src/openapi/validate.js';

const ROOT = 'file:///spec.json';

function catalogOf(paths: JsonObject, schemas: JsonObject = {}): Catalog {
  const document: JsonObject = {
    openapi: '3.0.3',
    info: { title: 'pets', version: '1' },
    paths,
    components: { schemas },
  };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), { apiName: 'pets' });
}

const PETS = catalogOf(
  {
    '/pets/{petId}': {
      put: {
        operationId: 'updatePet',
        parameters: [
          { name: 'petId', in: 'path', required: true, schema: { type: 'integer' } },
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: ['available', 'pending', 'sold'] },
          },
          { name: 'note', in: 'query', schema: { type: 'string', nullable: true, maxLength: 5 } },
          { name: 'when', in: 'query', schema: { type: 'string', format: 'not-a-known-format' } },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
        },
        responses: { 200: { description: 'ok' } },
      },
    },
  },
  {
    Pet: {
      type: 'object',
      required: ['id', 'name'],
      additionalProperties: false,
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string' },
        tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
        size: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        owner: {
          anyOf: [
            { type: 'object', required: ['email'], properties: { email: { type: 'string' } } },
            { type: 'object', required: ['phone', 'country'], properties: { phone: { type: 'string' } } },
          ],
        },
      },
    },
    Tag: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  },
);
const UPDATE = PETS.operations[0] as Operation;

function problems(args: Record<string, unknown>, validator = new ArgumentValidator()): string[] {
  return validator.problems(UPDATE, PETS.definitions, args);
}

describe('ArgumentValidator: messages', () => {
  it('accepts valid arguments, an unknown format and a readOnly required property left out', () => {
    const validator = new ArgumentValidator();
    assert.doesNotThrow(() =>
      validator.validate(UPDATE, PETS.definitions, {
        petId: 1,
        status: 'sold',
        note: null,
        when: 'whenever',
        body: { name: 'Rex', tags: [{ name: 'a' }], size: 3, owner: { email: 'x@y' } },
      }),
    );
  });

  it('names missing required arguments', () => {
    assert.deepEqual(problems({}), ["missing required argument 'petId'", "missing required argument 'body'"]);
  });

  it('names wrong types with what was given', () => {
    assert.deepEqual(problems({ petId: '7', body: { name: 42 } }), [
      'petId: must be integer (got string)',
      'body.name: must be string (got integer)',
    ]);
    assert.deepEqual(problems({ petId: 1.5, body: 'Rex' }), [
      'petId: must be integer (got number)',
      'body: must be object (got string)',
    ]);
    assert.deepEqual(problems({ petId: 1, note: 3, body: { name: 'a' } }), [
      'note: must be string or null (got integer)',
    ]);
  });

  it('lists the arguments after an unknown one, with a suggestion', () => {
    assert.deepEqual(problems({ petid: 1, petId: 1, body: { name: 'a' } }), [
      "unknown argument 'petid' (arguments: petId, status, note, when, body); did you mean 'petId'?",
    ]);
    assert.deepEqual(problems({ petId: 1, body: { name: 'a', colour: 'red' } }), [
      "body: unknown property 'colour' (properties: id, name, tags, size, owner)",
    ]);
  });

  it('lists the allowed values of an enum', () => {
    assert.deepEqual(problems({ petId: 1, status: 'lost', body: { name: 'a' } }), [
      'status: must be one of available, pending, sold',
    ]);
  });

  it('reports nested problems with their paths', () => {
    assert.deepEqual(problems({ petId: 1, body: { name: 'a', tags: [{ name: 'ok' }, {}, { name: 5 }] } }), [
      "body.tags[1]: missing required property 'name'",
      'body.tags[2].name: must be string (got integer)',
    ]);
    assert.deepEqual(problems({ petId: 1, note: 'too long', body: { name: 'a' } }), [
      'note: must NOT have more than 5 characters',
    ]);
  });

  it('says what the alternatives of a oneOf or anyOf want, not every branch', () => {
    assert.deepEqual(problems({ petId: 1, body: { name: 'a', size: true } }), [
      'body.size: must be string or integer (got boolean)',
    ]);
    assert.deepEqual(problems({ petId: 1, body: { name: 'a', owner: {} } }), [
      "body.owner: missing required property 'email'",
      'body.owner: matches none of its 2 alternatives (anyOf)',
    ]);
  });

  it('throws one ToolArgumentError listing ten problems, then a count', () => {
    const args: Record<string, unknown> = { petId: 1, body: { name: 'a' } };
    for (let i = 0; i < 13; i++) args[`extra${i}`] = i;
    assert.throws(
      () => new ArgumentValidator().validate(UPDATE, PETS.definitions, args),
      (error: unknown) => {
        assert.ok(error instanceof ToolArgumentError);
        assert.equal(error.code, 'HR_TOOL_ARGUMENTS');
        const lines = error.message.split('\n');
        assert.equal(lines[0], 'invalid arguments:');
        assert.equal(lines.length, 12);
        assert.match(lines[1]!, /^- unknown argument 'extra0'/);
        assert.equal(lines[11], '- and 3 more');
        return true;
      },
    );
  });
});

describe('ArgumentValidator: the full schema', () => {
  it('checks definitions that the listed schema stubs to stay within its budget', () => {
    const big = 'x'.repeat(40_000);
    const catalog = catalogOf(
      {
        '/a': {
          post: {
            operationId: 'postA',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
      {
        A: {
          type: 'object',
          default: { filler: big },
          properties: { b: { $ref: '#/components/schemas/B' } },
        },
        B: { type: 'object', required: ['deep'], properties: { deep: { type: 'integer' } } },
      },
    );
    const op = catalog.operations[0] as Operation;
    const listed = JSON.stringify(toolInputSchema(op, catalog.definitions));
    assert.match(listed, /omitted to keep this tool's schema small/, 'B is a stub in the listed schema');
    assert.deepEqual(
      new ArgumentValidator().problems(op, catalog.definitions, { body: { b: { deep: 'x' } } }),
      ['body.b.deep: must be integer (got string)'],
    );
  });
});

/** No shared definitions; one object, as a catalog's is, so that cached validators are reused. */
const NONE: Catalog['definitions'] = {};

function looseOp(name: string, extra: JsonObject = {}): Operation {
  return {
    name,
    api: 'x',
    method: 'get',
    path: `/${name}`,
    title: name,
    tags: [],
    deprecated: false,
    parameters: [],
    responses: [],
    security: [],
    inputSchema: {
      type: 'object',
      properties: { id: { type: 'integer' }, q: { type: 'string', ...extra } },
      required: ['id'],
      additionalProperties: false,
    },
    defs: [],
  };
}

describe('ArgumentValidator: compiled validators', () => {
  it('compiles once per operation and reuses the validator', () => {
    const validator = new ArgumentValidator();
    for (let i = 0; i < 50; i++)
      validator.problems(UPDATE, PETS.definitions, { petId: i, body: { name: 'a' } });
    assert.deepEqual(validator.stats, { cached: 1, compilations: 1 });
  });

  it('keeps at most maxCached validators, dropping the least recently used', () => {
    const validator = new ArgumentValidator({ maxCached: 2 });
    const [a, b, c] = [looseOp('a'), looseOp('b'), looseOp('c')];
    validator.problems(a, NONE, { id: 1 });
    validator.problems(b, NONE, { id: 1 });
    validator.problems(a, NONE, { id: 1 }); // a is now the most recent; b goes next
    validator.problems(c, NONE, { id: 1 });
    assert.deepEqual(validator.stats, { cached: 2, compilations: 3 });
    validator.problems(a, NONE, { id: 1 });
    assert.equal(validator.stats.compilations, 3, 'a was kept');
    validator.problems(b, NONE, { id: 1 });
    assert.equal(validator.stats.compilations, 4, 'b was dropped and compiled again');
    assert.equal(validator.stats.cached, 2);
  });

  it('compiles again for a reloaded operation of the same name', () => {
    const validator = new ArgumentValidator();
    validator.problems(looseOp('a'), NONE, { id: 1 });
    const reloaded = looseOp('a');
    (reloaded.inputSchema.properties as JsonObject).id = { type: 'string' };
    assert.deepEqual(validator.problems(reloaded, NONE, { id: 1 }), ['id: must be string (got integer)']);
    assert.deepEqual(validator.stats, { cached: 1, compilations: 2 });
  });

  it('refuses a maxCached that is not a positive integer', () => {
    for (const maxCached of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new ArgumentValidator({ maxCached }), /maxCached must be an integer of at least 1/);
    }
  });

  it('falls back to required and unknown arguments for a schema Ajv rejects, warning once', () => {
    const warnings: string[] = [];
    const validator = new ArgumentValidator({ warn: (m) => warnings.push(m) });
    const broken = looseOp('broken', { pattern: '([' });
    assert.deepEqual(validator.problems(broken, NONE, { q: 5, other: 1 }), [
      "missing required argument 'id'",
      "unknown argument 'other' (arguments: id, q)",
    ]);
    // The loose check cannot see types.
    assert.deepEqual(validator.problems(broken, NONE, { id: 'x' }), []);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^broken: its input schema cannot be compiled .*only required and unknown arguments/,
    );
    assert.equal(validator.stats.compilations, 1);
  });

  it('falls back as well for a reference Ajv cannot resolve', () => {
    const warnings: string[] = [];
    const op = looseOp('dangling');
    (op.inputSchema.properties as JsonObject).q = { $ref: '#/$defs/Nowhere' };
    const validator = new ArgumentValidator({ warn: (m) => warnings.push(m) });
    assert.deepEqual(validator.problems(op, NONE, {}), ["missing required argument 'id'"]);
    assert.equal(warnings.length, 1);
  });
});

describe('displayPath', () => {
  it('writes JSON pointers as property paths', () => {
    assert.equal(displayPath(''), '');
    assert.equal(displayPath('/body/items/0/name'), 'body.items[0].name');
    assert.equal(displayPath('/body/a~1b/c d'), 'body["a/b"]["c d"]');
  });
});
