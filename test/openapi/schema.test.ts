/**
 * The schema translator (OpenAPI 3.0 / 3.1 schemas to JSON Schema 2020-12): dialect repairs,
 * keywords that go, recursion through shared definitions, and the guards on depth and size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { type Schema, SchemaTranslator, trimDescription } from '../../src/openapi/schema.js';
import { toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { Catalog, JsonObject, SchemaDefinition } from '../../src/openapi/types.js';
import { danglingRefs, loadCompiler, nestingDepth } from './schema-helpers.js';

const ROOT = 'file:///spec.json';
const compile = await loadCompiler();
if (!compile) console.log('# ajv is not installed: the JSON Schema 2020-12 compile checks are skipped');

interface Translated {
  schema: Schema;
  refs: Set<string>;
  defs: Record<string, SchemaDefinition>;
  warnings: string[];
}

function translate(
  schema: unknown,
  options: {
    schemas?: JsonObject;
    dialect?: '3.0' | '3.1';
    maxDepth?: number;
    maxDescriptionLength?: number;
  } = {},
): Translated {
  const document = { components: { schemas: options.schemas ?? {} } };
  const warnings: string[] = [];
  const translator = new SchemaTranslator(new RefResolver(ROOT, new Map([[ROOT, document]])), {
    dialect: options.dialect ?? '3.0',
    warn: (message) => warnings.push(message),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.maxDescriptionLength === undefined
      ? {}
      : { maxDescriptionLength: options.maxDescriptionLength }),
  });
  const out = translator.translate(schema, ROOT, 'test');
  return { ...out, defs: translator.exportDefinitions(), warnings };
}

/** A catalog with one POST operation whose JSON body is `body`, and these component schemas. */
function bodyCatalog(body: unknown, schemas: JsonObject, openapi = '3.0.3'): Catalog {
  const document: JsonObject = {
    openapi,
    info: { title: 'schemas', version: '1' },
    paths: {
      '/things': {
        post: {
          operationId: 'postThing',
          requestBody: { required: true, content: { 'application/json': { schema: body } } },
          responses: { 200: { description: 'ok' } },
        },
      },
    },
    components: { schemas },
  };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), { apiName: 'schemas' });
}

function listed(catalog: Catalog, budget?: number): JsonObject {
  assert.equal(catalog.operations.length, 1);
  return toolInputSchema(catalog.operations[0]!, catalog.definitions, budget);
}

describe('SchemaTranslator: OpenAPI 3.0 dialect repairs', () => {
  it('turns nullable into a type list (and adds null to an enum)', () => {
    assert.deepEqual(translate({ type: 'string', nullable: true }).schema, { type: ['string', 'null'] });
    assert.deepEqual(translate({ type: 'string', nullable: true, enum: ['a', 'b'] }).schema, {
      type: ['string', 'null'],
      enum: ['a', 'b', null],
    });
    assert.deepEqual(translate({ type: ['integer', 'null'], nullable: true }).schema, {
      type: ['integer', 'null'],
    });
    assert.deepEqual(translate({ type: 'string', nullable: false }).schema, { type: 'string' });
  });

  it('leaves nullable alone in 3.1, where it is not a keyword', () => {
    assert.deepEqual(translate({ type: 'string', nullable: true }, { dialect: '3.1' }).schema, {
      type: 'string',
    });
    assert.deepEqual(translate({ type: ['string', 'null'] }, { dialect: '3.1' }).schema, {
      type: ['string', 'null'],
    });
  });

  it('turns boolean exclusive bounds into numeric ones', () => {
    assert.deepEqual(
      translate({ type: 'integer', minimum: 1, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: true })
        .schema,
      { type: 'integer', exclusiveMinimum: 1, exclusiveMaximum: 9 },
    );
    // false means "inclusive": the bound stays, the flag goes.
    assert.deepEqual(translate({ type: 'number', maximum: 5, exclusiveMaximum: false }).schema, {
      type: 'number',
      maximum: 5,
    });
    // A flag without its bound says nothing.
    assert.deepEqual(translate({ type: 'number', exclusiveMinimum: true }).schema, { type: 'number' });
    // 3.1 bounds are numbers already.
    assert.deepEqual(translate({ type: 'number', exclusiveMinimum: 0 }, { dialect: '3.1' }).schema, {
      type: 'number',
      exclusiveMinimum: 0,
    });
  });

  it('removes example, xml, discriminator and x-* keywords, but not properties with those names', () => {
    const out = translate({
      type: 'object',
      example: { a: 1 },
      examples: [{ a: 1 }],
      xml: { name: 'thing' },
      discriminator: { propertyName: 'kind' },
      externalDocs: { url: 'https://example.test' },
      'x-internal': true,
      properties: {
        example: { type: 'string', example: 'e', 'x-order': 1 },
        'x-id': { type: 'string' },
        xml: { type: 'string', xml: { attribute: true } },
      },
    });
    assert.deepEqual(out.schema, {
      type: 'object',
      properties: { example: { type: 'string' }, 'x-id': { type: 'string' }, xml: { type: 'string' } },
    });
    assert.deepEqual(out.warnings, []);
  });

  it('drops an invalid regular expression with a warning, and keeps valid ones', () => {
    const bad = translate({ type: 'string', pattern: '[a-z' });
    assert.deepEqual(bad.schema, { type: 'string' });
    assert.equal(bad.warnings.length, 1);
    assert.match(bad.warnings[0]!, /test\.pattern: pattern "\[a-z" is not a valid regular expression/);
    assert.deepEqual(translate({ type: 'string', pattern: '^[a-z]+$' }).schema, {
      type: 'string',
      pattern: '^[a-z]+$',
    });
    const map = translate({ type: 'object', patternProperties: { '(': { type: 'string' }, '^x$': {} } });
    assert.deepEqual(map.schema, { type: 'object', patternProperties: { '^x$': {} } });
    assert.equal(map.warnings.length, 1);
  });

  it('turns type: file into a binary string', () => {
    assert.deepEqual(translate({ type: 'file' }).schema, { type: 'string', format: 'binary' });
    assert.deepEqual(translate({ type: 'file', description: 'upload' }).schema, {
      type: 'string',
      description: 'upload',
      format: 'binary',
    });
  });

  it('turns draft-4 tuple items into prefixItems', () => {
    assert.deepEqual(translate({ type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }).schema, {
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'integer' }],
    });
  });

  it('drops what a strict validator rejects, with a warning: unknown types, multipleOf 0', () => {
    const out = translate({ type: 'strung', multipleOf: 0, minLength: -1, maxItems: 1.5 });
    assert.deepEqual(out.schema, {});
    assert.equal(out.warnings.length, 2);
    assert.match(out.warnings.join('\n'), /unknown type "strung"/);
    assert.match(out.warnings.join('\n'), /multipleOf 0/);
  });

  it('says where each dropped keyword was: under members, list items, tuples and definitions', () => {
    const schemas = { Pet: { properties: { tags: { type: 'strung' } } } };
    const out = translate(
      {
        properties: { a: { items: { multipleOf: 0 } } },
        anyOf: [{}, { pattern: '[' }],
        items: [{ type: 7 }],
        allOf: [{ $ref: '#/components/schemas/Pet' }, { $ref: '#/components/schemas/Gone' }],
      },
      { schemas },
    );
    assert.deepEqual(out.warnings.map((w) => w.replace(/:.*/, '')).sort(), [
      '#/components/schemas/Pet.properties.tags.type',
      'test.allOf[1]',
      'test.anyOf[1].pattern',
      'test.items[0].type',
      'test.properties.a.items.multipleOf',
    ]);
  });

  it('keeps a property named __proto__ as a property', () => {
    const properties = JSON.parse('{"__proto__": {"type": "string"}, "ok": {"type": "integer"}}');
    const out = translate({ type: 'object', properties }).schema as JsonObject;
    const wire = JSON.parse(JSON.stringify(out));
    assert.deepEqual(Object.keys(wire.properties), ['__proto__', 'ok']);
    assert.deepEqual(Object.getPrototypeOf(out.properties), Object.prototype);
  });

  it('keeps a $ref sibling description in 3.1 only', () => {
    const schemas = { Pet: { type: 'object' } };
    const ref = { $ref: '#/components/schemas/Pet', description: 'The pet' };
    assert.deepEqual(translate(ref, { schemas, dialect: '3.1' }).schema, {
      $ref: '#/$defs/Pet',
      description: 'The pet',
    });
    assert.deepEqual(translate(ref, { schemas, dialect: '3.0' }).schema, { $ref: '#/$defs/Pet' });
  });
});

describe('SchemaTranslator: descriptions', () => {
  const long = `First paragraph, short.\n\n${'More words here. '.repeat(40)}`;

  it('keeps the first paragraph of a long description, marked as cut', () => {
    assert.deepEqual(translate({ type: 'string', description: long }).schema, {
      type: 'string',
      description: 'First paragraph, short.…',
    });
  });

  it('leaves a short description whole, even with several paragraphs', () => {
    const short = 'One.\n\nTwo.';
    assert.equal((translate({ description: short }).schema as JsonObject).description, short);
  });

  it('clips a long first paragraph at a word boundary, within the limit', () => {
    const text = 'word '.repeat(200).trim();
    const out = trimDescription(text, 100);
    assert.ok(out.length <= 100, `${out.length} characters`);
    assert.ok(out.endsWith('word…'), out);
  });

  it('keeps descriptions whole with maxDescriptionLength 0', () => {
    const out = translate({ description: long }, { maxDescriptionLength: 0 }).schema as JsonObject;
    assert.equal(out.description, long);
  });
});

describe('SchemaTranslator: recursion and size', () => {
  it('translates a directly self-recursive schema into one definition that refers to itself', () => {
    const catalog = bodyCatalog(
      { $ref: '#/components/schemas/Node' },
      {
        Node: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
          },
        },
      },
    );
    assert.deepEqual(catalog.warnings, []);
    assert.deepEqual(catalog.definitions.Node?.refs, ['Node']);
    const schema = listed(catalog);
    assert.deepEqual(Object.keys(schema.$defs as JsonObject), ['Node']);
    assert.deepEqual(((schema.$defs as JsonObject).Node as JsonObject).properties, {
      name: { type: 'string' },
      children: { type: 'array', items: { $ref: '#/$defs/Node' } },
    });
    const text = JSON.stringify(schema);
    assert.ok(text.length < 1000, `finite and small: ${text.length} bytes`);
    assert.deepEqual(danglingRefs(schema), []);
    if (compile) {
      const validate = compile(JSON.parse(text));
      const tree = { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] };
      assert.equal(validate({ body: tree }), true);
      assert.equal(validate({ body: { name: 'a', children: [{ children: [] }] } }), false);
    }
  });

  it('translates a mutually recursive pair into two definitions that refer to each other', () => {
    const catalog = bodyCatalog(
      { $ref: '#/components/schemas/Person' },
      {
        Person: { type: 'object', properties: { employer: { $ref: '#/components/schemas/Company' } } },
        Company: {
          type: 'object',
          properties: { staff: { type: 'array', items: { $ref: '#/components/schemas/Person' } } },
        },
      },
    );
    assert.deepEqual(catalog.definitions.Person?.refs, ['Company']);
    assert.deepEqual(catalog.definitions.Company?.refs, ['Person']);
    const schema = listed(catalog);
    assert.deepEqual(Object.keys(schema.$defs as JsonObject).sort(), ['Company', 'Person']);
    assert.deepEqual(danglingRefs(schema), []);
    assert.ok(JSON.stringify(schema).length < 1000);
    if (compile) {
      const validate = compile(schema);
      assert.equal(validate({ body: { employer: { staff: [{ employer: { staff: [] } }] } } }), true);
      assert.equal(validate({ body: { employer: { staff: [{ employer: 'nope' }] } } }), false);
    }
  });

  it('reports a cycle of bare $refs (A -> B -> A) instead of listing a schema validators cannot compile', {}, () => {
    const catalog = bodyCatalog(
      { $ref: '#/components/schemas/A' },
      { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } },
    );
    assert.ok(
      catalog.warnings.some((w) => /loop|cycle/i.test(w)),
      `a warning about the cycle, got: ${JSON.stringify(catalog.warnings)}`,
    );
    const schema = listed(catalog);
    assert.deepEqual(danglingRefs(schema), []);
    if (compile) assert.doesNotThrow(() => compile(schema));
  });

  it('follows a chain of 5,000 refs without overflowing the stack', () => {
    const schemas: JsonObject = {};
    for (let i = 0; i < 5000; i++) {
      schemas[`S${i}`] =
        i === 4999
          ? { type: 'string' }
          : { type: 'object', properties: { next: { $ref: `#/components/schemas/S${i + 1}` } } };
    }
    const catalog = bodyCatalog({ $ref: '#/components/schemas/S0' }, schemas);
    assert.deepEqual(catalog.warnings, []);
    assert.equal(Object.keys(catalog.definitions).length, 5000);
    assert.deepEqual(catalog.definitions.S4998?.refs, ['S4999']);
    // The listing stays within its budget and every ref still resolves (the far ones to stubs).
    const schema = listed(catalog, 4096);
    const defs = schema.$defs as JsonObject;
    assert.ok(JSON.stringify(schema).length < 16 * 1024, `${JSON.stringify(schema).length} bytes`);
    assert.deepEqual(danglingRefs(schema), []);
    assert.deepEqual(defs.S0, { type: 'object', properties: { next: { $ref: '#/$defs/S1' } } });
    const stubs = Object.values(defs).filter((def) =>
      /omitted/.test(String((def as JsonObject).description)),
    );
    assert.equal(stubs.length, 1, 'the first definition past the budget is a stub, and the walk stops there');
  });

  it('follows a chain of 5,000 bare refs (S0 -> S1 -> ... -> string) too', () => {
    const schemas: JsonObject = {};
    for (let i = 0; i < 5000; i++)
      schemas[`S${i}`] = i === 4999 ? { type: 'string' } : { $ref: `#/components/schemas/S${i + 1}` };
    const out = translate({ $ref: '#/components/schemas/S0' }, { schemas });
    assert.deepEqual(out.schema, { $ref: '#/$defs/S0' });
    assert.equal(Object.keys(out.defs).length, 5000);
    assert.deepEqual(out.defs.S4999?.schema, { type: 'string' });
  });

  it('cuts a schema nested 200 levels deep at the depth limit, with a marker and a warning', () => {
    let deep: JsonObject = { type: 'string' };
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { inner: deep } };
    const out = translate(deep);
    let node = out.schema as JsonObject;
    let levels = 0;
    while ((node.properties as JsonObject | undefined)?.inner) {
      node = (node.properties as JsonObject).inner as JsonObject;
      levels++;
    }
    assert.equal(levels, 65);
    assert.deepEqual(node, { description: '(schema nested deeper than 64 levels is not shown)' });
    assert.equal(out.warnings.length, 1);
    assert.match(out.warnings[0]!, /nested deeper than 64 levels; cut there/);
    assert.ok(nestingDepth(out.schema) < 200);

    const shallow = translate(deep, { maxDepth: 3 });
    assert.ok(JSON.stringify(shallow.schema).includes('nested deeper than 3 levels'));
    assert.ok(nestingDepth(shallow.schema) <= 12);
  });

  it('counts depth afresh inside each shared definition (refs are not nesting)', () => {
    let inner: JsonObject = { type: 'string' };
    for (let i = 0; i < 40; i++) inner = { type: 'object', properties: { inner } };
    // 40 levels in Outer, then a ref to another 40 levels: no cut, since each definition is shallow.
    const schemas = {
      Outer: { type: 'object', properties: { deep: inner, next: { $ref: '#/components/schemas/Inner' } } },
      Inner: inner,
    };
    const out = translate({ $ref: '#/components/schemas/Outer' }, { schemas });
    assert.deepEqual(out.warnings, []);
  });
});
