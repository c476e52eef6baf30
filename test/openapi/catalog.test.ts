/**
 * The catalog built from real specs (the petstores and the parameter-style fixtures, through
 * prepareCatalog without a cache) and from small inline specs for the cases the fixtures lack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildCatalog,
  type CatalogOptions,
  PlannedCatalog,
  planCatalog,
  settleResponses,
} from '../../src/openapi/catalog.js';
import { type PreparedApi, prepareCatalog } from '../../src/openapi/prepare.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { annotationsFor } from '../../src/openapi/tool-definition.js';
import { toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { Catalog, JsonObject, Operation, OperationParameter } from '../../src/openapi/types.js';
import { danglingRefs } from './schema-helpers.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const ROOT = 'file:///spec.json';

async function fixture(name: string, catalog: Partial<CatalogOptions> = {}): Promise<PreparedApi> {
  return prepareCatalog(join(FIXTURES, name), {
    catalog: { apiName: name.replace(/\W+/g, '_'), ...catalog },
    version: 'test',
  });
}

function inline(paths: JsonObject, extra: JsonObject = {}, options: Partial<CatalogOptions> = {}): Catalog {
  const document: JsonObject = { openapi: '3.0.3', info: { title: 'inline', version: '1' }, paths, ...extra };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), {
    apiName: 'inline',
    ...options,
  });
}

function named(catalog: Catalog, name: string): Operation {
  const op = catalog.operations.find((o) => o.name === name);
  assert.ok(op, `${name} among ${catalog.operations.map((o) => o.name).join(', ')}`);
  return op;
}

function param(op: Operation, name: string, location?: string): OperationParameter {
  const found = op.parameters.find((p) => p.name === name && (location === undefined || p.in === location));
  assert.ok(found, `${name} among ${op.parameters.map((p) => `${p.in}:${p.name}`).join(', ')}`);
  return found;
}

const summary = (catalog: Catalog) =>
  catalog.operations.map((o) => `${o.name} ${o.method.toUpperCase()} ${o.path}`);

describe('catalog from the petstore fixtures', () => {
  it('Swagger 2.0: names, methods and paths of all 20 operations, in spec order', async () => {
    const { catalog } = await fixture('petstore-2.0.json');
    assert.deepEqual(catalog.warnings, []);
    assert.deepEqual(summary(catalog), [
      'uploadFile POST /pet/{petId}/uploadImage',
      'updatePet PUT /pet',
      'addPet POST /pet',
      'findPetsByStatus GET /pet/findByStatus',
      'findPetsByTags GET /pet/findByTags',
      'getPetById GET /pet/{petId}',
      'updatePetWithForm POST /pet/{petId}',
      'deletePet DELETE /pet/{petId}',
      'getInventory GET /store/inventory',
      'placeOrder POST /store/order',
      'getOrderById GET /store/order/{orderId}',
      'deleteOrder DELETE /store/order/{orderId}',
      'createUsersWithListInput POST /user/createWithList',
      'getUserByName GET /user/{username}',
      'updateUser PUT /user/{username}',
      'deleteUser DELETE /user/{username}',
      'loginUser GET /user/login',
      'logoutUser GET /user/logout',
      'createUsersWithArrayInput POST /user/createWithArray',
      'createUser POST /user',
    ]);
    assert.equal(catalog.api.title, 'Swagger Petstore');
    assert.equal(catalog.api.version, '1.0.7');
  });

  it('OpenAPI 3.0: names (a spaced operationId sanitized), methods and paths', async () => {
    const { catalog } = await fixture('petstore-3.0.yaml');
    assert.deepEqual(catalog.warnings, []);
    assert.deepEqual(summary(catalog), [
      'findPets GET /pets',
      'addPet POST /pets',
      'find_pet_by_id GET /pets/{id}',
      'deletePet DELETE /pets/{id}',
    ]);
    assert.equal(named(catalog, 'find_pet_by_id').operationId, 'find pet by id');
  });

  it('OpenAPI 3.1: operations, tags and titles (webhooks are not operations)', async () => {
    const { catalog } = await fixture('petstore-3.1.yaml');
    assert.deepEqual(catalog.warnings, []);
    assert.deepEqual(summary(catalog), [
      'listPets GET /pets',
      'createPets POST /pets',
      'showPetById GET /pets/{petId}',
    ]);
    for (const op of catalog.operations) assert.deepEqual(op.tags, ['pets']);
    assert.equal(named(catalog, 'listPets').title, 'List all pets');
    // 3.0's petstore has no summaries: the title falls back to the method and path.
    assert.equal(named((await fixture('petstore-3.0.yaml')).catalog, 'addPet').title, 'POST /pets');
  });

  it('parameters: location, required flags, style and explode', async () => {
    const v2 = (await fixture('petstore-2.0.json')).catalog;
    const status = param(named(v2, 'findPetsByStatus'), 'status');
    assert.deepEqual(
      { in: status.in, required: status.required, style: status.style, explode: status.explode },
      { in: 'query', required: true, style: 'form', explode: true },
    );
    assert.deepEqual(status.schema.type, 'array');
    const deletePet = named(v2, 'deletePet');
    assert.deepEqual(
      deletePet.parameters.map((p) => [p.in, p.name, p.required]),
      [
        ['header', 'api_key', false],
        ['path', 'petId', true],
      ],
    );
    assert.deepEqual(deletePet.inputSchema.required, ['petId']);

    const v3 = (await fixture('petstore-3.0.yaml')).catalog;
    const findPets = named(v3, 'findPets');
    assert.deepEqual(
      findPets.parameters.map((p) => [p.name, p.in, p.required, p.style, p.explode]),
      [
        ['tags', 'query', false, 'form', undefined],
        ['limit', 'query', false, undefined, undefined],
      ],
    );
    assert.equal(findPets.inputSchema.required, undefined);
    assert.equal(param(findPets, 'tags').description, 'tags to filter by');
    // The parameter and its tool property share one schema, description included.
    assert.deepEqual(param(findPets, 'limit').schema, {
      type: 'integer',
      format: 'int32',
      description: 'maximum number of results to return',
    });
    // The argument carries the description for the model.
    assert.deepEqual((findPets.inputSchema.properties as JsonObject).limit, {
      type: 'integer',
      format: 'int32',
      description: 'maximum number of results to return',
    });

    const styles = (await fixture('styles-3.0.yaml')).catalog;
    const styleOf = (op: string, name: string) => {
      const p = param(named(styles, op), name);
      return [p.in, p.style, p.explode, p.required];
    };
    assert.deepEqual(styleOf('queryStyles', 'formJoined'), ['query', 'form', false, false]);
    assert.deepEqual(styleOf('queryStyles', 'spaces'), ['query', 'spaceDelimited', false, false]);
    assert.deepEqual(styleOf('queryStyles', 'pipes'), ['query', 'pipeDelimited', false, false]);
    assert.deepEqual(styleOf('queryStyles', 'filter'), ['query', 'deepObject', true, false]);
    assert.deepEqual(styleOf('pathStyles', 'labelExploded'), ['path', 'label', true, true]);
    assert.deepEqual(styleOf('pathStyles', 'matrix'), ['path', 'matrix', false, true]);
    assert.deepEqual(styleOf('headerStyles', 'X-List'), ['header', 'simple', false, false]);
    assert.deepEqual(styleOf('cookieStyles', 'session'), ['cookie', undefined, undefined, true]);
    assert.equal(param(named(styles, 'queryStyles'), 'reserved').allowReserved, true);
    // A parameter described by `content` takes that media type's schema.
    assert.deepEqual(param(named(styles, 'queryStyles'), 'json').schema, {
      type: 'object',
      properties: { lat: { type: 'number' }, long: { type: 'number' } },
    });

    const styles2 = (await fixture('styles-2.0.yaml')).catalog;
    const query2 = named(styles2, 'queryStyles');
    assert.deepEqual(
      ['csv', 'ssv', 'pipes', 'multi'].map((name) => [
        param(query2, name).style,
        param(query2, name).explode,
      ]),
      [
        ['form', false],
        ['spaceDelimited', false],
        ['pipeDelimited', false],
        ['form', true],
      ],
    );
  });

  it('a parameter described by content keeps its media type, so the caller can serialize it', {}, async () => {
    const styles = (await fixture('styles-3.0.yaml')).catalog;
    const json = param(named(styles, 'queryStyles'), 'json');
    assert.match(JSON.stringify(json), /application\/json/);
  });

  it('bodies: required flag, media types preferred first, form uploads as multipart with a binary field', async () => {
    const v2 = (await fixture('petstore-2.0.json')).catalog;
    const addPet = named(v2, 'addPet');
    assert.equal(addPet.body?.required, true);
    assert.deepEqual(addPet.body?.mediaTypes, ['application/json', 'application/xml']);
    assert.deepEqual(addPet.body?.schema, {
      $ref: '#/$defs/Pet',
      description: 'Pet object that needs to be added to the store',
    });
    assert.deepEqual(addPet.inputSchema.required, ['body']);

    const upload = named(v2, 'uploadFile');
    assert.deepEqual(upload.body?.mediaTypes, ['multipart/form-data']);
    assert.equal(upload.body?.required, false);
    assert.deepEqual(upload.body?.schema, {
      type: 'object',
      properties: {
        additionalMetadata: { type: 'string', description: 'Additional data to pass to server' },
        file: { type: 'string', format: 'binary', description: 'file to upload' },
      },
    });
    assert.deepEqual(upload.inputSchema.required, ['petId']);

    const form = named(v2, 'updatePetWithForm');
    assert.deepEqual(form.body?.mediaTypes, ['application/x-www-form-urlencoded']);

    const v3 = (await fixture('petstore-3.0.yaml')).catalog;
    assert.deepEqual(named(v3, 'addPet').body?.mediaTypes, ['application/json']);
    assert.equal(named(v3, 'addPet').body?.description, 'Pet to add to the store');
    assert.equal(named(v3, 'findPets').body, undefined);
  });

  it('prefers JSON over form, and form over text, whatever order the spec lists them in', () => {
    const body = (content: JsonObject) =>
      inline({
        '/x': {
          post: { operationId: 'x', requestBody: { content }, responses: { 200: { description: 'ok' } } },
        },
      }).operations[0]?.body;
    const object = { schema: { type: 'object', properties: { a: { type: 'string' } } } };
    assert.deepEqual(
      body({
        'text/plain': { schema: { type: 'string' } },
        'application/x-www-form-urlencoded': object,
        'multipart/form-data': object,
        'application/json': object,
      })?.mediaTypes,
      ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
    );
    assert.deepEqual(
      body({ 'application/x-www-form-urlencoded': object, 'application/vnd.api+json': object })?.mediaTypes,
      ['application/vnd.api+json', 'application/x-www-form-urlencoded'],
    );
    // Raw bytes become a base64 string argument; text becomes a string.
    assert.deepEqual(body({ 'application/octet-stream': {} })?.schema, {
      type: 'string',
      contentEncoding: 'base64',
    });
    assert.deepEqual(body({ 'text/csv': { schema: { type: 'object' } } })?.schema, { type: 'string' });
  });

  it('asks for a raw binary body as base64 also when its schema is a $ref', {}, () => {
    const catalog = inline(
      {
        '/inline': {
          put: {
            operationId: 'inline',
            requestBody: {
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
            responses: { 200: { description: 'ok' } },
          },
        },
        '/ref': {
          put: {
            operationId: 'ref',
            requestBody: {
              content: { 'application/octet-stream': { schema: { $ref: '#/components/schemas/File' } } },
            },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
      { components: { schemas: { File: { type: 'string', format: 'binary' } } } },
    );
    const base64 = { type: 'string', contentEncoding: 'base64' };
    assert.deepEqual(named(catalog, 'inline').body?.schema, base64);
    assert.deepEqual(named(catalog, 'ref').body?.schema, base64);
  });

  it('security requirements and schemes', async () => {
    const v2 = (await fixture('petstore-2.0.json')).catalog;
    assert.deepEqual(named(v2, 'uploadFile').security, [{ petstore_auth: ['write:pets', 'read:pets'] }]);
    assert.deepEqual(named(v2, 'getPetById').security, [{ api_key: [] }]);
    assert.deepEqual(named(v2, 'placeOrder').security, []);
    assert.deepEqual(v2.api.securitySchemes.api_key, { type: 'apiKey', name: 'api_key', in: 'header' });
    assert.equal(v2.api.securitySchemes.petstore_auth?.type, 'oauth2');
    assert.deepEqual(
      Object.keys(((v2.api.securitySchemes.petstore_auth as JsonObject).flows as JsonObject) ?? {}),
      ['implicit'],
    );

    const styles2 = (await fixture('styles-2.0.yaml')).catalog;
    // The global requirement applies unless the operation has its own.
    assert.deepEqual(named(styles2, 'getItem').security, [{ key_header: [] }]);
    assert.deepEqual(named(styles2, 'uploadFiles').security, [
      { basic_auth: [] },
      { oauth_access_code: ['admin'] },
    ]);

    // An empty list on the operation means "no authentication", overriding the global one.
    const open = inline(
      {
        '/open': { get: { operationId: 'open', security: [], responses: { 200: { description: 'ok' } } } },
        '/closed': { get: { operationId: 'closed', responses: { 200: { description: 'ok' } } } },
      },
      {
        security: [{ key: [] }],
        components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
      },
    );
    assert.deepEqual(named(open, 'open').security, []);
    assert.deepEqual(named(open, 'closed').security, [{ key: [] }]);
  });

  it('servers: from host, basePath and schemes (2.0), from servers (3.x), overridden per operation', async () => {
    assert.deepEqual((await fixture('petstore-2.0.json')).catalog.api.servers, [
      { url: 'https://petstore.swagger.io/v2' },
      { url: 'http://petstore.swagger.io/v2' },
    ]);
    assert.deepEqual((await fixture('petstore-3.0.yaml')).catalog.api.servers, [
      { url: 'https://petstore.swagger.io/v2' },
    ]);
    assert.deepEqual((await fixture('petstore-3.1.yaml')).catalog.api.servers, [
      { url: 'http://petstore.swagger.io/v1' },
    ]);
    const styles2 = (await fixture('styles-2.0.yaml')).catalog;
    assert.deepEqual(named(styles2, 'uploadFiles').servers, ['https://api.example.test/styles']);
    assert.equal(named(styles2, 'getItem').servers, undefined);

    const catalog = inline(
      {
        '/a': {
          servers: [{ url: 'https://path-level.example' }],
          get: { operationId: 'pathLevel', responses: { 200: { description: 'ok' } } },
          post: {
            operationId: 'opLevel',
            servers: [{ url: 'https://op-level.example' }],
            responses: { 200: { description: 'ok' } },
          },
        },
      },
      {
        servers: [
          {
            url: 'https://{region}.api.example/{version}',
            variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v1' } },
          },
        ],
      },
    );
    assert.deepEqual(catalog.api.servers, [
      {
        url: 'https://{region}.api.example/{version}',
        variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v1' } },
      },
    ]);
    assert.deepEqual(named(catalog, 'pathLevel').servers, ['https://path-level.example']);
    assert.deepEqual(named(catalog, 'opLevel').servers, ['https://op-level.example']);
  });

  it('annotations follow the method', async () => {
    const v2 = (await fixture('petstore-2.0.json')).catalog;
    const hints = (name: string) => {
      const a = annotationsFor(named(v2, name));
      return [a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint];
    };
    assert.deepEqual(hints('getPetById'), [true, false, true, true]);
    assert.deepEqual(hints('deletePet'), [false, true, true, true]);
    assert.deepEqual(hints('updatePet'), [false, false, true, true]);
    assert.deepEqual(hints('addPet'), [false, false, false, true]);
    assert.equal(annotationsFor(named(v2, 'addPet')).title, 'Add a new pet to the store');
  });

  it('every input schema is an object schema that refuses unknown arguments, and every listed $ref resolves', async () => {
    for (const name of [
      'petstore-2.0.json',
      'petstore-3.0.yaml',
      'petstore-3.1.yaml',
      'styles-2.0.yaml',
      'styles-3.0.yaml',
    ]) {
      const { catalog } = await fixture(name);
      assert.ok(catalog.operations.length > 0, name);
      for (const op of catalog.operations) {
        assert.equal(op.inputSchema.type, 'object', `${name} ${op.name}`);
        assert.equal(op.inputSchema.additionalProperties, false, `${name} ${op.name}`);
        assert.equal(typeof op.inputSchema.properties, 'object', `${name} ${op.name}`);
        const properties = Object.keys(op.inputSchema.properties as JsonObject);
        for (const required of (op.inputSchema.required as string[] | undefined) ?? [])
          assert.ok(properties.includes(required), `${name} ${op.name}: required ${required} is a property`);
        assert.deepEqual(danglingRefs(toolInputSchema(op, catalog.definitions)), [], `${name} ${op.name}`);
      }
    }
    // Even an operation with nothing to send.
    const { catalog } = await fixture('petstore-2.0.json');
    assert.deepEqual(named(catalog, 'logoutUser').inputSchema, {
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
  });
});

describe("catalog: operations' responses", () => {
  it('are read on first use, and all of them when the catalog is settled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-responses-'));
    try {
      const file = join(dir, 'spec.json');
      // The second operation's responses hold no JSON (a comma is missing), though its brackets
      // and strings close: a sparse parse cannot tell until it reads them.
      const text = JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'R', version: '1' },
        paths: {
          '/a': { get: { operationId: 'a', responses: { 200: { $ref: '#/components/responses/Ok' } } } },
          '/b': { get: { operationId: 'b', responses: { 200: { description: 'ok' } } } },
        },
        components: { responses: { Ok: { description: 'ok', content: { 'application/json': {} } } } },
      }).replace('{"description":"ok"}}', '{"description" "ok"}}');
      writeFileSync(file, text);
      const api = await prepareCatalog(file, { catalog: { apiName: 'r' }, version: 'test' });
      const [a, b] = api.catalog.operations as [Operation, Operation];
      assert.deepEqual(a.responses, [{ status: '200', mediaTypes: ['application/json'] }]);
      assert.deepEqual(api.catalog.warnings, []);
      const late = settleResponses(api.catalog);
      assert.deepEqual(b.responses, []);
      assert.equal(late.length, 1);
      assert.match(late[0] as string, /GET \/b responses: not valid JSON/);
      assert.deepEqual(api.catalog.warnings, late);
      assert.deepEqual(settleResponses(api.catalog), []);
      // Written like any field: what is written is read back, and the codec copies it.
      b.responses = [{ status: '204', mediaTypes: [] }];
      assert.deepEqual({ ...b }.responses, [{ status: '204', mediaTypes: [] }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('catalog: arguments', () => {
  const ok = { 200: { description: 'ok' } };

  it('renames the second of two parameters with one name: id in path and query -> query_id', () => {
    const catalog = inline({
      '/things/{id}': {
        get: {
          operationId: 'getThing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'id', in: 'query', schema: { type: 'string' } },
            { name: 'id', in: 'header', schema: { type: 'string' } },
          ],
          responses: ok,
        },
      },
    });
    const op = named(catalog, 'getThing');
    assert.deepEqual(
      op.parameters.map((p) => [p.in, p.name, p.argument]),
      [
        ['path', 'id', 'id'],
        ['query', 'id', 'query_id'],
        ['header', 'id', 'header_id'],
      ],
    );
    assert.deepEqual(Object.keys(op.inputSchema.properties as JsonObject), ['id', 'query_id', 'header_id']);
    assert.deepEqual(op.inputSchema.required, ['id']);
    assert.deepEqual((op.inputSchema.properties as JsonObject).query_id, { type: 'string' });
  });

  it('numbers a renamed argument that meets a parameter already called so, and keeps body for the body', () => {
    const catalog = inline({
      '/things/{id}': {
        post: {
          operationId: 'postThing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'query_id', in: 'query', schema: { type: 'string' } },
            { name: 'id', in: 'query', schema: { type: 'string' } },
            { name: 'body', in: 'query', schema: { type: 'string' } },
          ],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: ok,
        },
      },
    });
    const op = named(catalog, 'postThing');
    const args = op.parameters.map((p) => p.argument);
    assert.deepEqual(args, ['id', 'query_id', 'query_id_2', 'query_body']);
    assert.deepEqual(Object.keys(op.inputSchema.properties as JsonObject), [...args, 'body']);
  });

  it('lets operation parameters replace path-level ones with the same name and location', () => {
    const catalog = inline({
      '/things/{id}': {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'path level' },
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
        ],
        get: {
          operationId: 'getThing',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: ok,
        },
      },
    });
    const op = named(catalog, 'getThing');
    assert.deepEqual(
      op.parameters.map((p) => [p.name, p.schema.type]),
      [
        ['id', 'integer'],
        ['verbose', 'boolean'],
      ],
    );
  });

  it('ignores header parameters named Accept, Content-Type or Authorization (any case)', () => {
    const catalog = inline({
      '/x': {
        get: {
          operationId: 'x',
          parameters: [
            { name: 'Accept', in: 'header', schema: { type: 'string' } },
            { name: 'content-type', in: 'header', schema: { type: 'string' } },
            { name: 'AUTHORIZATION', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
            // Only headers: a query parameter may be called so.
            { name: 'accept', in: 'query', schema: { type: 'string' } },
          ],
          responses: ok,
        },
      },
    });
    const op = named(catalog, 'x');
    assert.deepEqual(
      op.parameters.map((p) => `${p.in}:${p.name}`),
      ['header:X-Request-Id', 'query:accept'],
    );
    assert.equal(op.inputSchema.required, undefined);
    assert.deepEqual(catalog.warnings, []);
  });

  it('skips a malformed parameter with a warning and keeps the rest', () => {
    const catalog = inline({
      '/x': {
        get: {
          operationId: 'x',
          parameters: [{ name: 'where', in: 'body-ish' }, { in: 'query' }, { name: 'ok', in: 'query' }],
          responses: ok,
        },
      },
    });
    assert.deepEqual(
      named(catalog, 'x').parameters.map((p) => p.name),
      ['ok'],
    );
    assert.equal(catalog.warnings.length, 2);
    assert.match(catalog.warnings[0]!, /GET \/x parameters\[0\]: not a parameter/);
  });
});

describe('catalog: filters and names', () => {
  it('filters by tags, methods and read-only', async () => {
    const byTag = (await fixture('petstore-2.0.json', { filter: { includeTags: ['store'] } })).catalog;
    assert.deepEqual(
      byTag.operations.map((o) => o.name),
      ['getInventory', 'placeOrder', 'getOrderById', 'deleteOrder'],
    );
    const notPet = (await fixture('petstore-2.0.json', { filter: { excludeTags: ['pet', 'user'] } })).catalog;
    assert.deepEqual(
      notPet.operations.map((o) => o.name),
      byTag.operations.map((o) => o.name),
    );
    const deletes = (await fixture('petstore-2.0.json', { filter: { methods: ['DELETE'] } })).catalog;
    assert.deepEqual(
      deletes.operations.map((o) => o.name),
      ['deletePet', 'deleteOrder', 'deleteUser'],
    );
    const readOnly = (await fixture('petstore-2.0.json', { filter: { readOnly: true } })).catalog;
    assert.ok(readOnly.operations.length > 0);
    for (const op of readOnly.operations) assert.equal(op.method, 'get', op.name);
    assert.equal(readOnly.operations.length, 8);
    const both = (await fixture('petstore-2.0.json', { filter: { includeTags: ['user'], readOnly: true } }))
      .catalog;
    assert.deepEqual(
      both.operations.map((o) => o.name),
      ['getUserByName', 'loginUser', 'logoutUser'],
    );
  });

  it('says why when the filter leaves nothing', async () => {
    const none = (await fixture('petstore-3.1.yaml', { filter: { includeTags: ['nope'] } })).catalog;
    assert.deepEqual(none.operations, []);
    assert.match(none.warnings[0]!, /the operation filter matches none of the 3 operations/);
  });

  it('keeps names within maxNameLength and unique', async () => {
    for (const maxNameLength of [9, 12, 16]) {
      const { catalog } = await fixture('petstore-2.0.json', { maxNameLength });
      const names = catalog.operations.map((o) => o.name);
      assert.equal(names.length, 20);
      assert.equal(new Set(names).size, 20, `unique at ${maxNameLength}: ${names.join(', ')}`);
      for (const name of names) {
        assert.ok(name.length <= maxNameLength, `${name} is longer than ${maxNameLength}`);
        assert.match(name, /^[A-Za-z0-9_-]+$/);
      }
    }
    // Short names are left as they are.
    const { catalog } = await fixture('petstore-2.0.json', { maxNameLength: 16 });
    assert.ok(catalog.operations.some((o) => o.name === 'addPet'));
  });

  it('prefixes names with the API name when asked, still within the limit and unique', async () => {
    const { catalog } = await fixture('petstore-3.0.yaml', { apiName: 'pets', prefix: true });
    assert.deepEqual(
      catalog.operations.map((o) => o.name),
      ['pets__findPets', 'pets__addPet', 'pets__find_pet_by_id', 'pets__deletePet'],
    );
    for (const op of catalog.operations) assert.equal(op.api, 'pets');
    const short = (
      await fixture('petstore-2.0.json', { apiName: 'petstore', prefix: true, maxNameLength: 14 })
    ).catalog;
    const names = short.operations.map((o) => o.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.ok(name.length <= 14, name);
  });

  it('names operations without an operationId after method and path, uniquely', () => {
    const catalog = inline({
      '/things/{id}': {
        get: { responses: { 200: { description: 'ok' } } },
        delete: { operationId: 'get_things_id', responses: { 200: { description: 'ok' } } },
      },
    });
    const names = catalog.operations.map((o) => o.name);
    assert.equal(names[0], 'get_things_id');
    assert.equal(new Set(names).size, 2);
  });
});

describe('catalog: built on first use', () => {
  const document: JsonObject = {
    openapi: '3.0.3',
    info: { title: 'Planned', version: '2' },
    servers: [{ url: 'https://planned.example' }],
    paths: {
      '/a': { get: { operationId: 'getA', responses: {} }, delete: { operationId: 'dropA', responses: {} } },
      '/b': { get: { operationId: 'getB', parameters: [{ $ref: '#/components/parameters/missing' }] } },
    },
  };
  const resolver = () => new RefResolver(ROOT, new Map([[ROOT, document]]));

  it('knows the API and the declared operations before it builds them, and builds them once', () => {
    const planned = planCatalog(document, resolver(), { apiName: 'planned', filter: { methods: ['get'] } });
    assert.equal(planned.api.title, 'Planned');
    assert.deepEqual(planned.api.servers, [{ url: 'https://planned.example' }]);
    assert.equal(planned.declared, 2);
    assert.equal(planned.built, false);
    const seen: number[] = [];
    planned.afterBuild((catalog) => seen.push(catalog.operations.length));
    assert.equal(seen.length, 0, 'told before the build');
    const operations = planned.operations;
    assert.equal(planned.built, true);
    assert.deepEqual(
      operations.map((op) => op.name),
      ['getA', 'getB'],
    );
    assert.strictEqual(planned.operations, operations, 'built again');
    assert.match(planned.warnings.join('\n'), /missing/);
    planned.afterBuild((catalog) => seen.push(catalog.warnings.length));
    assert.deepEqual(seen, [2, planned.warnings.length]);
  });

  it('fails every later read the way its build failed, without building again', () => {
    let builds = 0;
    const planned = new PlannedCatalog(
      { name: 'x', title: 'x', version: '1', servers: [], securitySchemes: {} },
      1,
      () => {
        builds++;
        throw new Error('the build broke');
      },
    );
    assert.throws(() => planned.operations, /the build broke/);
    assert.throws(() => planned.warnings, /the build broke/);
    assert.equal(builds, 1);
    assert.equal(planned.built, false);
  });

  it('counts the operations of paths kept as text, and builds what a parsed spec builds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-planned-'));
    try {
      const file = join(dir, 'spec.json');
      writeFileSync(file, JSON.stringify(document));
      const options = (filter = {}) => ({ catalog: { apiName: 'planned', filter }, version: 'test' });
      const parsed = await prepareCatalog(file, options());
      const kept = await prepareCatalog(file, { ...options(), lazyPaths: true });
      assert.ok(kept.catalog instanceof PlannedCatalog);
      assert.equal(kept.catalog.declared, 3);
      assert.equal(kept.catalog.built, false);
      assert.deepEqual(
        kept.catalog.operations.map((op) => op.name),
        parsed.catalog.operations.map((op) => op.name),
      );
      assert.deepEqual(kept.catalog.warnings, parsed.catalog.warnings);
      // A filter needs the operations themselves: the paths are parsed to count them.
      const filtered = await prepareCatalog(file, { ...options({ methods: ['get'] }), lazyPaths: true });
      assert.equal((filtered.catalog as PlannedCatalog).declared, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the same catalog as buildCatalog', () => {
    const planned = planCatalog(document, resolver(), { apiName: 'planned' });
    const { api, operations, definitions, warnings } = planned;
    assert.deepEqual(
      { api, operations, definitions, warnings },
      buildCatalog(document, resolver(), { apiName: 'planned' }),
    );
  });
});
