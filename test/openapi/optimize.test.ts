/**
 * optimizeSpec: examples and vendor extensions go (names that merely look like them stay),
 * long descriptions keep their first paragraph, identical component schemas collapse into refs,
 * and the measured report adds up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { parseSpecBytes } from '../../src/openapi/load.js';
import { optimizeSpec } from '../../src/openapi/optimize.js';
import { prepareCatalog } from '../../src/openapi/prepare.js';
import type { JsonObject } from '../../src/openapi/types.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');

/** Every key at any depth, as `a.b.c` paths (iterative). */
function keyPaths(value: unknown): string[] {
  const out: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const at = path === '' ? key : `${path}.${key}`;
      out.push(at);
      stack.push([child, at]);
    }
  }
  return out;
}

function spec(): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'Optimize', version: '1', 'x-logo': { url: 'https://example.test/logo.png' } },
    'x-generated': true,
    paths: {
      '/x-files/{id}': {
        'x-path-ext': 1,
        get: {
          operationId: 'getFile',
          'x-internal': true,
          'x-keep-me': 'kept',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              schema: { type: 'string' },
              example: 'abc',
              examples: { one: { value: 'abc' } },
            },
          ],
          responses: {
            200: {
              description: 'ok',
              headers: { 'x-rate-limit': { schema: { type: 'integer' }, 'x-header-ext': 1 } },
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/File' },
                  example: { id: 'abc' },
                  examples: { full: { value: { id: 'abc' } } },
                },
              },
            },
          },
        },
      },
    },
    components: {
      examples: { Shared: { value: { id: 'shared' } } },
      schemas: {
        File: {
          type: 'object',
          'x-codegen': 'File',
          example: { id: 'abc' },
          'x-examples': [{ id: 'abc' }],
          properties: {
            id: { type: 'string', example: 'abc' },
            // Properties that are called like the keywords stay.
            example: { type: 'string', description: 'an example text' },
            examples: { type: 'array', items: { type: 'string' } },
            'x-id': { type: 'string', 'x-nullable': true },
            // Data is never walked: an x- key inside a default value is the value.
            settings: { type: 'object', default: { 'x-mode': 'fast', example: 1 } },
            kind: { type: 'string', enum: ['x-large', 'example'] },
          },
        },
      },
    },
  };
}

describe('optimizeSpec: examples and extensions', () => {
  it('strips example, examples and x-* keywords everywhere they are keywords', () => {
    const document = spec();
    const report = optimizeSpec(document);
    const paths = keyPaths(document);
    const gone = paths.filter((p) => /(^|\.)(example|examples|x-[\w-]+)$/.test(p));
    assert.deepEqual(
      gone.sort(),
      [
        // Names in maps: a response header, properties.
        'components.schemas.File.properties.example',
        'components.schemas.File.properties.examples',
        'components.schemas.File.properties.x-id',
        'paths./x-files/{id}.get.responses.200.headers.x-rate-limit',
        // Inside data.
        'components.schemas.File.properties.settings.default.example',
        'components.schemas.File.properties.settings.default.x-mode',
      ].sort(),
    );
    assert.ok(paths.includes('paths./x-files/{id}.get'));
    // Parameter example+examples, media type example+examples, File example+x-examples, id example,
    // components.examples.
    assert.equal(report.counts.examples, 8);
    assert.equal(report.counts.extensions, 8);
    const file = (document.components as JsonObject).schemas as JsonObject;
    assert.deepEqual(((file.File as JsonObject).properties as JsonObject)['x-id'], { type: 'string' });
    assert.deepEqual(((file.File as JsonObject).properties as JsonObject).kind, {
      type: 'string',
      enum: ['x-large', 'example'],
    });
    assert.equal((document.components as JsonObject).examples, undefined);
  });

  it('keeps the extensions it is asked to keep', () => {
    const document = spec();
    optimizeSpec(document, { keepExtensions: ['x-keep-me', 'x-logo'] });
    const get = ((document.paths as JsonObject)['/x-files/{id}'] as JsonObject).get as JsonObject;
    assert.equal(get['x-keep-me'], 'kept');
    assert.equal(get['x-internal'], undefined);
    assert.deepEqual((document.info as JsonObject)['x-logo'], { url: 'https://example.test/logo.png' });
    assert.equal(document['x-generated'], undefined);
  });

  it('does each step only when asked', () => {
    const document = spec();
    const before = JSON.stringify(document);
    const report = optimizeSpec(document, {
      examples: false,
      extensions: false,
      maxDescriptionLength: 0,
      dedupeSchemas: false,
    });
    assert.equal(JSON.stringify(document), before);
    assert.deepEqual(report.counts, { examples: 0, extensions: 0, descriptions: 0, duplicateSchemas: 0 });
    assert.equal(report.bytesBefore, undefined);
  });

  it('keeps a security requirement whose scheme is named x-api-key', {}, () => {
    const document: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'keys', version: '1' },
      security: [{ 'x-api-key': [] }],
      paths: {
        '/a': { get: { security: [{ 'x-api-key': [] }], responses: { 200: { description: 'ok' } } } },
      },
      components: { securitySchemes: { 'x-api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    };
    optimizeSpec(document);
    assert.deepEqual(document.security, [{ 'x-api-key': [] }]);
    const get = ((document.paths as JsonObject)['/a'] as JsonObject).get as JsonObject;
    assert.deepEqual(get.security, [{ 'x-api-key': [] }]);
  });

  it('keeps discriminator mapping entries whose values look like keywords', {}, () => {
    const mapping = { example: '#/components/schemas/A', 'x-large': '#/components/schemas/A' };
    const document: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'd', version: '1' },
      paths: {},
      components: {
        schemas: { A: { type: 'object', discriminator: { propertyName: 'size', mapping: { ...mapping } } } },
      },
    };
    optimizeSpec(document);
    const a = ((document.components as JsonObject).schemas as JsonObject).A as JsonObject;
    assert.deepEqual((a.discriminator as JsonObject).mapping, mapping);
  });
});

describe('optimizeSpec: descriptions', () => {
  it('trims long descriptions to their first paragraph, and leaves short ones', () => {
    const long = `Lists things.\n\n${'Many more details follow here. '.repeat(30)}`;
    const document: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'd', version: '1', description: long },
      paths: { '/a': { get: { description: long, summary: 'short', responses: {} } } },
      components: {
        schemas: {
          A: { type: 'string', description: 'short one' },
          B: { type: 'string', description: long },
        },
      },
    };
    const report = optimizeSpec(document, { maxDescriptionLength: 100 });
    assert.equal(report.counts.descriptions, 3);
    assert.equal((document.info as JsonObject).description, 'Lists things.…');
    const schemas = (document.components as JsonObject).schemas as JsonObject;
    assert.equal((schemas.A as JsonObject).description, 'short one');
    assert.equal((schemas.B as JsonObject).description, 'Lists things.…');
  });

  it('applies the default limit of 300 characters', () => {
    const text = 'word '.repeat(100).trim();
    const document: JsonObject = { info: { description: text } };
    optimizeSpec(document);
    const out = (document.info as JsonObject).description as string;
    assert.ok(out.length <= 300 && out.endsWith('…'), `${out.length}`);
  });
});

describe('optimizeSpec: duplicate schemas', () => {
  const address = {
    type: 'object',
    required: ['street', 'city'],
    properties: { street: { type: 'string' }, city: { type: 'string' }, zip: { type: 'string' } },
  };

  it('replaces each component schema identical to an earlier one with a ref to it (key order aside)', () => {
    const reordered = { properties: address.properties, required: address.required, type: 'object' };
    const document: JsonObject = {
      openapi: '3.0.3',
      components: {
        schemas: {
          HomeAddress: structuredClone(address),
          WorkAddress: structuredClone(reordered),
          'Billing/Address': structuredClone(address),
          Other: { ...structuredClone(address), description: 'differs' },
          Tiny: { type: 'string' },
          TinyToo: { type: 'string' },
        },
      },
    };
    const report = optimizeSpec(document);
    const schemas = (document.components as JsonObject).schemas as JsonObject;
    assert.deepEqual(schemas.HomeAddress, address);
    assert.deepEqual(schemas.WorkAddress, { $ref: '#/components/schemas/HomeAddress' });
    assert.deepEqual(schemas['Billing/Address'], { $ref: '#/components/schemas/HomeAddress' });
    assert.equal((schemas.Other as JsonObject).description, 'differs');
    // Small schemas are cheaper inline than as refs.
    assert.deepEqual(schemas.TinyToo, { type: 'string' });
    assert.equal(report.counts.duplicateSchemas, 2);
  });

  it('escapes the name of the schema it refers to', () => {
    const document: JsonObject = {
      components: { schemas: { 'a/b~c': structuredClone(address), Copy: structuredClone(address) } },
    };
    optimizeSpec(document);
    assert.deepEqual(((document.components as JsonObject).schemas as JsonObject).Copy, {
      $ref: '#/components/schemas/a~1b~0c',
    });
  });

  it('dedupes Swagger 2.0 definitions too', () => {
    const document: JsonObject = {
      swagger: '2.0',
      definitions: { A: structuredClone(address), B: structuredClone(address) },
    };
    optimizeSpec(document);
    assert.deepEqual((document.definitions as JsonObject).B, { $ref: '#/definitions/A' });
  });

  it('serves the same catalog after deduping (the refs resolve)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-optimize-'));
    try {
      const file = join(dir, 'api.yaml');
      writeFileSync(
        file,
        stringify({
          openapi: '3.0.3',
          info: { title: 'dedupe', version: '1' },
          paths: {
            '/a': {
              post: {
                operationId: 'postA',
                requestBody: {
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/B' } } },
                },
                responses: { 200: { description: 'ok' } },
              },
            },
          },
          components: { schemas: { A: address, B: address } },
        }),
      );
      const plain = await prepareCatalog(file, { catalog: { apiName: 'd' }, version: 'test' });
      const optimized = await prepareCatalog(file, {
        catalog: { apiName: 'd' },
        version: 'test',
        optimize: {},
      });
      assert.deepEqual(optimized.catalog.warnings, []);
      assert.deepEqual(plain.catalog.definitions.B?.schema, address);
      assert.deepEqual(optimized.catalog.definitions.B?.schema, { $ref: '#/$defs/A' });
      assert.deepEqual(optimized.catalog.definitions.A?.schema, address);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('optimizeSpec: the measured report', () => {
  for (const name of ['petstore-2.0.json', 'petstore-3.0.yaml', 'petstore-3.1.yaml', 'styles-2.0.yaml']) {
    it(`adds up on ${name}: bytesBefore - bytesAfter is the sum of what each step saved`, () => {
      const document = parseSpecBytes(readFileSync(join(FIXTURES, name)), name).value as JsonObject;
      const bytes = Buffer.byteLength(JSON.stringify(document));
      const report = optimizeSpec(document, { measure: true, maxDescriptionLength: 80 });
      assert.equal(report.bytesBefore, bytes);
      assert.equal(report.bytesAfter, Buffer.byteLength(JSON.stringify(document)));
      const saved = Object.values(report.saved).reduce((sum, n) => sum + (n ?? 0), 0);
      assert.equal((report.bytesBefore ?? 0) - (report.bytesAfter ?? 0), saved);
      assert.deepEqual(Object.keys(report.saved).sort(), [
        'descriptions',
        'duplicateSchemas',
        'examples',
        'extensions',
      ]);
      for (const value of Object.values(report.saved)) assert.ok((value ?? -1) >= 0);
    });
  }

  it('measures each step on a spec where each step saves something', () => {
    const document = spec();
    (document.components as JsonObject).schemas = {
      ...(((document.components as JsonObject).schemas as JsonObject) ?? {}),
      A: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } },
      },
      B: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } },
      },
    };
    (document.info as JsonObject).description = `Short first.\n\n${'x '.repeat(400)}`;
    const report = optimizeSpec(document, { measure: true });
    for (const [step, value] of Object.entries(report.saved)) assert.ok((value ?? 0) > 0, step);
    const saved = Object.values(report.saved).reduce((sum, n) => sum + (n ?? 0), 0);
    assert.equal((report.bytesBefore ?? 0) - (report.bytesAfter ?? 0), saved);
  });
});

describe('prepareCatalog with optimize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-optimize-json-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('optimizes a JSON spec like the same spec in YAML (component schemas deduped)', {}, async () => {
    const big = {
      type: 'object',
      description: 'A thing with enough fields to be worth deduplicating.',
      properties: { name: { type: 'string' }, count: { type: 'integer' } },
    };
    const document = {
      openapi: '3.0.3',
      info: { title: 'dedupe', version: '1' },
      paths: {
        '/a': {
          post: {
            operationId: 'postA',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/B' } } } },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
      components: { schemas: { A: big, B: big } },
    };
    writeFileSync(join(dir, 'api.json'), JSON.stringify(document));
    writeFileSync(join(dir, 'api.yaml'), stringify(document));
    const prepare = (file: string) =>
      prepareCatalog(join(dir, file), { catalog: { apiName: 'd' }, version: 'test', optimize: {} });
    const yaml = await prepare('api.yaml');
    assert.deepEqual(yaml.catalog.definitions.B?.schema, { $ref: '#/$defs/A' });
    const json = await prepare('api.json');
    assert.deepEqual(json.catalog.definitions, yaml.catalog.definitions);
  });
});
