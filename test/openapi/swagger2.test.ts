import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadSpec } from '../../src/openapi/load.js';
import { convertSwagger2 } from '../../src/openapi/swagger2.js';
import type { JsonObject } from '../../src/openapi/types.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');

async function convertFixture(
  name: string,
): Promise<{ input: JsonObject; out: JsonObject; warnings: string[] }> {
  const spec = await loadSpec(join(FIXTURES, name));
  const warnings: string[] = [];
  const out = convertSwagger2(deepFreeze(spec.document), (message) => warnings.push(message));
  return { input: spec.document, out, warnings };
}

function convert(doc: JsonObject): { out: JsonObject; warnings: string[] } {
  const warnings: string[] = [];
  const out = convertSwagger2(deepFreeze(structuredClone(doc)), (message) => warnings.push(message));
  return { out, warnings };
}

/** Frozen input: any write by the converter throws, since modules run in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value !== null && typeof value === 'object') {
    into.add(value);
    for (const child of Object.values(value)) objectsOf(child, into);
  }
  return into;
}

/** Every `$ref` string anywhere in `value`. */
function refsOf(value: unknown, into: string[] = []): string[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.push(child);
      else refsOf(child, into);
    }
  }
  return into;
}

// biome-ignore lint/suspicious/noExplicitAny: walking converted documents by path is what these tests do
type Any = any;

describe('the Swagger 2.0 petstore', () => {
  it('converts without warnings, without touching or sharing the input', async () => {
    const { input, out, warnings } = await convertFixture('petstore-2.0.json');
    assert.deepEqual(warnings, []);
    assert.equal(out.openapi, '3.0.3');
    const shared = [...objectsOf(out)].filter((object) => objectsOf(input).has(object));
    assert.deepEqual(shared, []);
    assert.deepEqual(out.info, input.info);
    assert.deepEqual(out.tags, input.tags);
    assert.deepEqual(out.externalDocs, input.externalDocs);
  });

  it('turns host, basePath and schemes into servers', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    assert.deepEqual(out.servers, [
      { url: 'https://petstore.swagger.io/v2' },
      { url: 'http://petstore.swagger.io/v2' },
    ]);
    for (const key of ['swagger', 'host', 'basePath', 'schemes', 'definitions', 'securityDefinitions']) {
      assert.equal(key in out, false, key);
    }
  });

  it('keeps every operation', async () => {
    const { input, out } = await convertFixture('petstore-2.0.json');
    const ids = (doc: JsonObject) =>
      Object.values(doc.paths as Any).flatMap((item: Any) =>
        Object.values(item).map((op: Any) => op.operationId),
      );
    const expected = ids(input);
    assert.equal(expected.length, 20);
    assert.deepEqual(ids(out), expected);
    assert.deepEqual(Object.keys(out.paths as Any), Object.keys(input.paths as Any));
  });

  it('rewrites every reference and leaves no Swagger-only construct', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    const text = JSON.stringify(out);
    assert.doesNotMatch(text, /#\/definitions/);
    assert.doesNotMatch(text, /"in":"(body|formData)"/);
    assert.doesNotMatch(text, /"collectionFormat"|"consumes"|"produces"/);
    const schemas = (out.components as Any).schemas;
    assert.deepEqual(Object.keys(schemas), ['ApiResponse', 'Category', 'Pet', 'Tag', 'Order', 'User']);
    for (const ref of refsOf(out)) {
      const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
      assert.ok(name && name in schemas, ref);
    }
    assert.equal(schemas.Pet.properties.category.$ref, '#/components/schemas/Category');
    assert.equal(schemas.Pet.properties.tags.items.$ref, '#/components/schemas/Tag');
    assert.deepEqual(schemas.Pet.properties.tags.items.xml, { name: 'tag' });
  });

  it('turns body parameters into request bodies, one content entry per consumed type', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    const addPet = (out.paths as Any)['/pet'].post;
    assert.equal(addPet.parameters, undefined);
    assert.deepEqual(addPet.requestBody, {
      description: 'Pet object that needs to be added to the store',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Pet' } },
        'application/xml': { schema: { $ref: '#/components/schemas/Pet' } },
      },
      required: true,
      'x-codegen-request-body-name': 'body',
    });
    const createList = (out.paths as Any)['/user/createWithList'].post;
    assert.deepEqual(createList.requestBody.content, {
      'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/User' } } },
    });
    const updateUser = (out.paths as Any)['/user/{username}'].put;
    assert.deepEqual(
      updateUser.parameters.map((p: Any) => [p.name, p.in]),
      [['username', 'path']],
    );
    assert.ok(updateUser.requestBody.content['application/json']);
  });

  it('turns form fields into a urlencoded body and a file upload into multipart', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    const form = (out.paths as Any)['/pet/{petId}'].post;
    assert.deepEqual(form.parameters, [
      {
        name: 'petId',
        in: 'path',
        description: 'ID of pet that needs to be updated',
        required: true,
        schema: { type: 'integer', format: 'int64' },
      },
    ]);
    assert.deepEqual(form.requestBody, {
      content: {
        'application/x-www-form-urlencoded': {
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'Updated name of the pet' },
              status: { type: 'string', description: 'Updated status of the pet' },
            },
          },
        },
      },
    });
    const upload = (out.paths as Any)['/pet/{petId}/uploadImage'].post;
    assert.deepEqual(upload.requestBody.content['multipart/form-data'].schema.properties.file, {
      type: 'string',
      format: 'binary',
      description: 'file to upload',
    });
    assert.deepEqual(Object.keys(upload.requestBody.content), ['multipart/form-data']);
  });

  it('moves parameter types into schema and maps collectionFormat multi', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    const [status] = (out.paths as Any)['/pet/findByStatus'].get.parameters;
    assert.deepEqual(status, {
      name: 'status',
      in: 'query',
      description: 'Status values that need to be considered for filter',
      required: true,
      style: 'form',
      explode: true,
      schema: {
        type: 'array',
        items: { type: 'string', enum: ['available', 'pending', 'sold'], default: 'available' },
      },
    });
    const [orderId] = (out.paths as Any)['/store/order/{orderId}'].get.parameters;
    assert.deepEqual(orderId.schema, { type: 'integer', format: 'int64', maximum: 10, minimum: 1 });
    const [apiKey] = (out.paths as Any)['/pet/{petId}'].delete.parameters;
    assert.deepEqual(apiKey, { name: 'api_key', in: 'header', required: false, schema: { type: 'string' } });
    assert.equal((out.paths as Any)['/pet/findByTags'].get.deprecated, true);
  });

  it('puts response schemas under each produced type and keeps headers', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    const login = (out.paths as Any)['/user/login'].get.responses;
    assert.deepEqual(login['200'], {
      description: 'successful operation',
      headers: {
        'X-Expires-After': {
          description: 'date in UTC when token expires',
          schema: { type: 'string', format: 'date-time' },
        },
        'X-Rate-Limit': {
          description: 'calls per hour allowed by the user',
          schema: { type: 'integer', format: 'int32' },
        },
      },
      content: {
        'application/json': { schema: { type: 'string' } },
        'application/xml': { schema: { type: 'string' } },
      },
    });
    assert.deepEqual(login['400'], { description: 'Invalid username/password supplied' });
    const inventory = (out.paths as Any)['/store/inventory'].get.responses['200'];
    assert.deepEqual(Object.keys(inventory.content), ['application/json']);
  });

  it('converts the security definitions and keeps requirements', async () => {
    const { out } = await convertFixture('petstore-2.0.json');
    assert.deepEqual((out.components as Any).securitySchemes, {
      api_key: { type: 'apiKey', name: 'api_key', in: 'header' },
      petstore_auth: {
        type: 'oauth2',
        flows: {
          implicit: {
            authorizationUrl: 'https://petstore.swagger.io/oauth/authorize',
            scopes: { 'read:pets': 'read your pets', 'write:pets': 'modify pets in your account' },
          },
        },
      },
    });
    assert.deepEqual((out.paths as Any)['/pet/{petId}'].get.security, [{ api_key: [] }]);
  });
});

describe('the styles fixture', () => {
  it('maps every collectionFormat in the query string', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const params = (out.paths as Any)['/query'].get.parameters;
    const style = (name: string) => {
      const param = params.find((p: Any) => p.name === name);
      return [param.style, param.explode];
    };
    assert.deepEqual(style('csv'), ['form', false]);
    assert.deepEqual(style('ssv'), ['spaceDelimited', false]);
    assert.deepEqual(style('tsv'), ['form', false]);
    assert.deepEqual(style('pipes'), ['pipeDelimited', false]);
    assert.deepEqual(style('multi'), ['form', true]);
    assert.deepEqual(style('plain'), ['form', false], 'Swagger defaults to csv, not to exploded');
    assert.deepEqual(style('flag'), [undefined, undefined]);
    const flag = params.find((p: Any) => p.name === 'flag');
    assert.equal(flag.allowEmptyValue, true);
    const ratio = params.find((p: Any) => p.name === 'ratio');
    assert.deepEqual(ratio.schema, {
      type: 'number',
      format: 'float',
      minimum: 0,
      exclusiveMinimum: true,
      multipleOf: 0.5,
    });
    const code = params.find((p: Any) => p.name === 'code');
    assert.equal(code['x-example'], 'ABC');
    assert.deepEqual(code.schema, { type: 'string', maxLength: 3, minLength: 3, pattern: '^[A-Z]{3}$' });
    assert.deepEqual(params.at(-1), { $ref: '#/components/parameters/pageSize' });
  });

  it('maps path and header arrays to simple, warning where a format has no equivalent', async () => {
    const { out, warnings } = await convertFixture('styles-2.0.yaml');
    for (const param of (out.paths as Any)['/path/{csv}/{ssv}/{multi}'].get.parameters) {
      assert.deepEqual([param.style, param.explode, param.required], ['simple', false, true], param.name);
    }
    const headers = (out.paths as Any)['/header'].get;
    assert.deepEqual(
      headers.parameters.slice(0, 2).map((p: Any) => [p.name, p.style, p.explode]),
      [
        ['X-Csv', 'simple', false],
        ['X-Pipes', 'simple', false],
      ],
    );
    assert.deepEqual(headers.responses['200'].headers['X-Tags'], {
      description: 'tags of the result',
      style: 'simple',
      explode: false,
      schema: { type: 'array', items: { type: 'string' } },
    });
    assert.deepEqual(warnings, [
      'paths./query.get.parameters[2]: collectionFormat tsv is not supported; treated as csv',
      'paths./query.get.parameters[6].items: collectionFormat pipes for nested arrays cannot be expressed in OpenAPI 3; the inner arrays use the default',
      'paths./path/{csv}/{ssv}/{multi}.get.parameters[1]: collectionFormat ssv is not supported in a path parameter; treated as csv',
      'paths./path/{csv}/{ssv}/{multi}.get.parameters[2]: collectionFormat multi is not supported in a path parameter; treated as csv',
      'paths./header.get.parameters[1]: collectionFormat pipes is not supported in a header parameter; treated as csv',
    ]);
  });

  it('merges path-level parameters into each operation, the operation winning by name and location', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const item = (out.paths as Any)['/items/{itemId}'];
    assert.equal(item.parameters, undefined);
    const names = (op: Any) => op.parameters.map((p: Any) => p.name ?? p.$ref);
    assert.deepEqual(names(item.get), ['itemId', 'verbose', '#/components/parameters/traceId']);
    assert.deepEqual(names(item.put), ['itemId', '#/components/parameters/traceId', 'verbose']);
    const verbose = item.put.parameters.find((p: Any) => p.name === 'verbose');
    assert.deepEqual(verbose, {
      name: 'verbose',
      in: 'query',
      description: 'from the operation',
      schema: { type: 'integer' },
    });
  });

  it('references shared bodies, and copies one when an operation consumes other types', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const item = (out.paths as Any)['/items/{itemId}'];
    assert.deepEqual(item.put.requestBody, { $ref: '#/components/requestBodies/itemBody' });
    assert.deepEqual(item.patch.requestBody.content, {
      'application/merge-patch+json': { schema: { $ref: '#/components/schemas/Item' } },
    });
    const components = out.components as Any;
    assert.deepEqual(Object.keys(components.parameters), ['pageSize', 'traceId']);
    assert.deepEqual(components.requestBodies.itemBody, {
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
      required: true,
      'x-codegen-request-body-name': 'item',
    });
  });

  it('builds form bodies with encodings, inlined shared fields and multipart for files', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const form = (out.paths as Any)['/form'].post.requestBody;
    assert.equal(form.required, true);
    const urlencoded = form.content['application/x-www-form-urlencoded'];
    assert.deepEqual(urlencoded.schema.required, ['name', 'note']);
    assert.deepEqual(Object.keys(urlencoded.schema.properties), ['name', 'colors', 'sizes', 'note']);
    assert.deepEqual(urlencoded.encoding, {
      colors: { style: 'form', explode: true },
      sizes: { style: 'form', explode: false },
    });
    const upload = (out.paths as Any)['/upload'].post;
    assert.deepEqual(upload.requestBody, {
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              file: { type: 'string', format: 'binary', description: 'the file' },
              label: { type: 'string' },
            },
            required: ['file'],
          },
        },
      },
      required: true,
    });
    assert.deepEqual(upload.servers, [{ url: 'https://api.example.test/styles' }]);
    assert.deepEqual(upload.security, [{ basic_auth: [] }, { oauth_access_code: ['admin'] }]);
  });

  it('converts shared responses, examples and file responses', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const components = out.components as Any;
    assert.deepEqual(components.responses.NotFound, {
      description: 'Not found',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    assert.deepEqual(components.responses.RateLimited.headers['Retry-After'], {
      description: 'seconds to wait',
      schema: { type: 'integer' },
    });
    const query = (out.paths as Any)['/query'].get.responses;
    assert.deepEqual(query['404'], { $ref: '#/components/responses/NotFound' });
    const getItem = (out.paths as Any)['/items/{itemId}'].get.responses;
    assert.deepEqual(getItem['200'].content['application/json'].example, { id: 'it-1', name: 'first' });
    assert.deepEqual(Object.keys(getItem['404'].content), ['application/json', 'application/xml']);
    const download = (out.paths as Any)['/download/{name}'].get;
    assert.deepEqual(download.responses['200'].content, {
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    });
    assert.equal(download['x-internal'], false);
  });

  it('converts every security scheme type and oauth2 flow', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const schemes = (out.components as Any).securitySchemes;
    assert.deepEqual(schemes.basic_auth, {
      type: 'http',
      scheme: 'basic',
      description: 'HTTP basic authentication',
    });
    assert.deepEqual(schemes.key_query, { type: 'apiKey', name: 'key', in: 'query' });
    assert.deepEqual(schemes.oauth_implicit.flows, {
      implicit: {
        authorizationUrl: 'https://auth.example.test/authorize',
        scopes: { read: 'read things', write: 'write things' },
      },
    });
    assert.deepEqual(schemes.oauth_password.flows, {
      password: { tokenUrl: 'https://auth.example.test/token', scopes: { read: 'read things' } },
    });
    assert.deepEqual(schemes.oauth_application.flows, {
      clientCredentials: { tokenUrl: 'https://auth.example.test/token', scopes: {} },
    });
    assert.deepEqual(schemes.oauth_access_code, {
      type: 'oauth2',
      flows: {
        authorizationCode: {
          authorizationUrl: 'https://auth.example.test/authorize',
          tokenUrl: 'https://auth.example.test/token',
          scopes: { admin: 'administer' },
        },
      },
      'x-client-hint': 'use PKCE',
    });
    assert.deepEqual(out.security, [{ key_header: [] }]);
  });

  it('converts schemas: discriminator, x-nullable, nested references; keeps extensions', async () => {
    const { out } = await convertFixture('styles-2.0.yaml');
    const schemas = (out.components as Any).schemas;
    assert.deepEqual(schemas.Item.discriminator, { propertyName: 'kind' });
    assert.equal(schemas.Item.properties.name.nullable, true);
    assert.equal(schemas.Item['x-entity'], 'item');
    assert.equal(schemas.Gadget.allOf[0].$ref, '#/components/schemas/Item');
    assert.equal(schemas.Error.properties.related.items.$ref, '#/components/schemas/Item');
    assert.equal(schemas.Error.properties.details.additionalProperties.$ref, '#/components/schemas/Error');
    assert.equal(out['x-generated-by'], 'hand');
    assert.equal((out.info as Any)['x-audience'], 'tests');
    assert.deepEqual(out.servers, [{ url: 'http://api.example.test/styles' }]);
    assert.doesNotMatch(JSON.stringify(out), /#\/(definitions|parameters|responses)\//);
  });
});

describe('convertSwagger2 details', () => {
  const base = { swagger: '2.0', info: { title: 't', version: '1' } };

  it('derives servers from whatever of host, basePath and schemes is there', () => {
    assert.deepEqual(convert({ ...base, host: 'api.test', paths: {} }).out.servers, [
      { url: 'https://api.test' },
    ]);
    assert.deepEqual(convert({ ...base, basePath: '/v1/', paths: {} }).out.servers, [{ url: '/v1' }]);
    assert.equal(convert({ ...base, paths: {} }).out.servers, undefined);
    assert.deepEqual(
      convert({ ...base, host: 'api.test:8443', basePath: '/', schemes: ['wss'], paths: {} }).out.servers,
      [{ url: 'wss://api.test:8443' }],
    );
  });

  it('rewrites references into other files, keeping the file part', () => {
    const { out, warnings } = convert({
      ...base,
      paths: {
        '/a': {
          post: {
            parameters: [
              { $ref: 'common.yaml#/parameters/Limit' },
              { name: 'body', in: 'body', schema: { $ref: 'models.yaml#/definitions/Pet' } },
            ],
            responses: {
              '200': { description: 'ok', schema: { $ref: 'models.json#/definitions/Pet/properties/id' } },
              '404': { $ref: 'common.yaml#/responses/NotFound' },
              '500': { description: 'whole file', schema: { $ref: 'error.yaml' } },
            },
          },
        },
      },
    });
    const op = (out.paths as Any)['/a'].post;
    assert.deepEqual(op.parameters, [{ $ref: 'common.yaml#/components/parameters/Limit' }]);
    assert.equal(
      op.requestBody.content['application/json'].schema.$ref,
      'models.yaml#/components/schemas/Pet',
    );
    assert.equal(
      op.responses['200'].content['application/json'].schema.$ref,
      'models.json#/components/schemas/Pet/properties/id',
    );
    assert.deepEqual(op.responses['404'], { $ref: 'common.yaml#/components/responses/NotFound' });
    assert.equal(op.responses['500'].content['application/json'].schema.$ref, 'error.yaml');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^paths\.\/a\.post\.parameters\[0\]: common\.yaml#\/parameters\/Limit is a parameter in another file/,
    );
  });

  it('warns about what it cannot keep', () => {
    const { out, warnings } = convert({
      ...base,
      madeUp: true,
      paths: {
        '/a': {
          post: {
            parameters: [
              { name: 'one', in: 'body', schema: { type: 'string' } },
              { name: 'two', in: 'body', schema: { type: 'string' } },
              { name: 'field', in: 'formData', type: 'string' },
              { $ref: '#/parameters/missing' },
              { name: 'q', in: 'query', type: 'string', bogus: 1 },
            ],
          },
        },
      },
    });
    assert.deepEqual(warnings, [
      'paths./a.post.parameters[3]: #/parameters/missing does not exist in this document; kept as a dangling reference',
      'paths./a.post.parameters[1]: a second body parameter; only the first (paths./a.post.parameters[0]) is kept',
      'paths./a.post.parameters[4].bogus: not a Swagger 2.0 parameter field; dropped',
      'paths./a.post: has both a body and formData parameters (field); the formData parameters are dropped',
      'paths./a.post.responses: missing; OpenAPI requires at least one response',
      'madeUp: not a Swagger 2.0 field; dropped',
    ]);
    const op = (out.paths as Any)['/a'].post;
    assert.equal(op.requestBody['x-codegen-request-body-name'], 'one');
    assert.deepEqual(op.parameters[0], { $ref: '#/components/parameters/missing' });
  });

  it('reports a problem of a path-level parameter once, not once per operation', () => {
    const tags = {
      name: 'tags',
      in: 'query',
      type: 'array',
      items: { type: 'string' },
      collectionFormat: 'tsv',
    };
    const ok = { 200: { description: 'ok' } };
    const { out, warnings } = convert({
      ...base,
      paths: { '/a': { parameters: [tags], get: { responses: ok }, delete: { responses: ok } } },
    });
    assert.deepEqual(warnings, [
      'paths./a.parameters[0]: collectionFormat tsv is not supported; treated as csv',
    ]);
    assert.equal((out.paths as Any)['/a'].delete.parameters[0].style, 'form');
  });

  it('keeps path-level parameters on a path item without operations', () => {
    const { out } = convert({
      ...base,
      paths: { '/a': { parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }] } },
    });
    assert.deepEqual((out.paths as Any)['/a'].parameters, [
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('uses multipart when a file is uploaded even if consumes says otherwise', () => {
    const { out, warnings } = convert({
      ...base,
      consumes: ['application/x-www-form-urlencoded'],
      paths: {
        '/a': {
          post: {
            parameters: [{ name: 'f', in: 'formData', type: 'file' }],
            responses: { 204: { description: 'ok' } },
          },
        },
      },
    });
    assert.deepEqual(Object.keys((out.paths as Any)['/a'].post.requestBody.content), ['multipart/form-data']);
    assert.match(warnings[0]!, /uploads a file but consumes only application\/x-www-form-urlencoded/);
  });
});
