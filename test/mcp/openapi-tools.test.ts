/**
 * OpenApiTools over real catalogs: the mode `auto` picks, the tools each mode lists, search ranking,
 * describe_operation's schema, calls reaching the executor, and the errors a model sees.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { HeadroomError } from '../../src/errors.js';
import { Logger } from '../../src/log/logger.js';
import { DYNAMIC_TOOLS, OpenApiTools, type OpenApiToolsOptions } from '../../src/mcp/openapi-tools.js';
import { createMcpServer, type ToolCallContext, type ToolResult } from '../../src/mcp/server.js';
import { PlannedCatalog } from '../../src/openapi/catalog.js';
import { type PreparedApi, prepareCatalog } from '../../src/openapi/prepare.js';
import { withMetaArguments } from '../../src/openapi/tool-definition.js';
import { DEFAULT_SCHEMA_BUDGET_BYTES, toolInputSchema } from '../../src/openapi/tool-schema.js';
import type { JsonObject, Operation } from '../../src/openapi/types.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'openapi', 'fixtures');
const context: ToolCallContext = { signal: new AbortController().signal };

interface Call {
  op: Operation;
  args: Record<string, unknown>;
}

function recorder(): { calls: Call[]; execute: OpenApiToolsOptions['execute'] } {
  const calls: Call[] = [];
  return {
    calls,
    execute: async (op, args) => {
      calls.push({ op, args });
      return { content: [{ type: 'text', text: `ran ${op.method.toUpperCase()} ${op.path}` }] };
    },
  };
}

async function fixture(
  name: string,
  catalog: { apiName?: string; prefix?: boolean } = {},
): Promise<PreparedApi> {
  return prepareCatalog(join(FIXTURES, name), {
    catalog: {
      apiName: catalog.apiName ?? name.replace(/\W+/g, '_'),
      ...(catalog.prefix ? { prefix: true } : {}),
    },
    version: 'test',
  });
}

function text(result: ToolResult): string {
  const first = result.content[0];
  assert.equal(first?.type, 'text');
  return (first as { text: string }).text;
}

function parsed(result: ToolResult): JsonObject {
  return JSON.parse(text(result)) as JsonObject;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof HeadroomError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

const dir = mkdtempSync(join(tmpdir(), 'headroom-openapi-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A synthetic API of `count` operations across a few resources. */
async function synthetic(count: number): Promise<PreparedApi> {
  const resources = ['invoice', 'customer', 'subscription', 'webhook', 'product', 'coupon'];
  const paths: JsonObject = {};
  for (let i = 0; i < count; i++) {
    const resource = resources[i % resources.length] as string;
    paths[`/${resource}s/v${i}/{id}`] = {
      get: {
        operationId: `get_${resource}_${i}`,
        summary: `Retrieve ${resource} variant ${i}`,
        tags: [resource],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    };
  }
  const file = join(dir, `synthetic-${count}.json`);
  writeFileSync(
    file,
    JSON.stringify({ openapi: '3.0.3', info: { title: 'Synthetic', version: '1' }, paths }),
  );
  return prepareCatalog(file, { catalog: { apiName: 'synthetic' }, version: 'test' });
}

describe('OpenApiTools: modes', () => {
  it('auto lists one tool per operation for each petstore', async () => {
    for (const [name, count] of [
      ['petstore-2.0.json', 20],
      ['petstore-3.0.yaml', 4],
      ['petstore-3.1.yaml', 3],
    ] as const) {
      const api = await fixture(name);
      const tools = new OpenApiTools([api], { mode: 'auto', execute: recorder().execute });
      assert.equal(tools.mode, 'all', name);
      assert.equal(tools.operationCount, count);
      const listed = tools.list();
      assert.deepEqual(
        listed.map((t) => t.name),
        api.catalog.operations.map((o) => o.name),
      );
      // The same array on every listing: built once.
      assert.equal(tools.list(), listed);
    }
  });

  it('auto switches to dynamic past 100 operations, or past the list size limit', async () => {
    const big = await synthetic(150);
    assert.equal(big.catalog.operations.length, 150);
    const tools = new OpenApiTools([big], { mode: 'auto', execute: recorder().execute });
    assert.equal(tools.mode, 'dynamic');
    assert.deepEqual(
      tools.list().map((t) => t.name),
      [...DYNAMIC_TOOLS],
    );
    assert.match(String(tools.list()[0]?.description), /Synthetic \(150 operations\)/);

    const small = await synthetic(100);
    assert.equal(new OpenApiTools([small], { mode: 'auto', execute: recorder().execute }).mode, 'all');
    assert.equal(
      new OpenApiTools([small], { mode: 'auto', execute: recorder().execute, autoMaxTools: 99 }).mode,
      'dynamic',
    );
    const pets = await fixture('petstore-2.0.json');
    assert.equal(
      new OpenApiTools([pets], { mode: 'auto', execute: recorder().execute, autoMaxListBytes: 1024 }).mode,
      'dynamic',
    );
  });

  it('dynamic mode lists without building the operations; the first tool that needs one builds them', async () => {
    for (const tool of ['search_operations', 'describe_operation', 'call_operation']) {
      const api = await synthetic(150);
      const catalog = api.catalog;
      assert.ok(catalog instanceof PlannedCatalog);
      const tools = new OpenApiTools([api], { mode: 'auto', execute: recorder().execute });
      assert.equal(tools.mode, 'dynamic');
      assert.match(String(tools.list()[0]?.description), /Synthetic \(150 operations\)/);
      assert.equal(tools.operationCount, 150);
      assert.equal(tools.has('call_operation'), true);
      assert.equal(catalog.built, false, 'listing built the operations');
      const args =
        tool === 'search_operations'
          ? { query: 'invoice' }
          : { name: 'get_invoice_0', arguments: { id: '1' } };
      const result = await tools.call(tool, args, context);
      assert.equal(catalog.built, true, `${tool} did not build the operations`);
      assert.notEqual(result.isError, true, text(result));
    }
  });

  it('all mode lists operation tools with object schemas, $defs, descriptions and annotations', async () => {
    const api = await fixture('petstore-2.0.json');
    const tools = new OpenApiTools([api], { mode: 'all', execute: recorder().execute });
    const addPet = tools.list().find((t) => t.name === 'addPet');
    assert.ok(addPet);
    assert.equal(addPet.title, 'Add a new pet to the store');
    assert.equal(addPet.description, 'Add a new pet to the store\n\nPOST /pet');
    assert.deepEqual(addPet.annotations, {
      title: 'Add a new pet to the store',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
    assert.equal(addPet.inputSchema.type, 'object');
    assert.deepEqual(Object.keys(addPet.inputSchema.$defs as JsonObject).sort(), ['Category', 'Pet', 'Tag']);
    assert.equal(tools.has('addPet'), true);
    assert.equal(tools.has('search_operations'), false);
  });

  it('dynamic mode lists three tools, whatever the size of the API', async () => {
    const api = await fixture('petstore-3.0.yaml');
    const tools = new OpenApiTools([api], { mode: 'dynamic', execute: recorder().execute });
    assert.equal(tools.mode, 'dynamic');
    const listed = tools.list();
    assert.deepEqual(
      listed.map((t) => t.name),
      ['search_operations', 'describe_operation', 'call_operation'],
    );
    for (const tool of listed) {
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal(tool.inputSchema.additionalProperties, false);
    }
    assert.equal(tools.has('call_operation'), true);
    assert.equal(tools.has('findPets'), false);
  });
});

describe('OpenApiTools: search_operations', () => {
  let tools: OpenApiTools;
  before(async () => {
    tools = new OpenApiTools([await fixture('petstore-2.0.json')], {
      mode: 'dynamic',
      execute: recorder().execute,
    });
  });

  const first = async (query: string, extra: JsonObject = {}) => {
    const result = parsed(await tools.call('search_operations', { query, ...extra }, context));
    return (result.results as JsonObject[]).map((r) => String(r.name));
  };

  for (const [query, expected] of [
    ['upload an image of a pet', 'uploadFile'],
    ['find pets by status', 'findPetsByStatus'],
    ['log the user into the system', 'loginUser'],
    ['place an order for a pet', 'placeOrder'],
    ['store inventory', 'getInventory'],
    ['delete a purchase order', 'deleteOrder'],
    ['create list of users', 'createUsersWithListInput'],
  ] as const) {
    it(`ranks ${expected} first for "${query}"`, async () => {
      const names = await first(query);
      assert.equal(names[0], expected, `got ${names.join(', ')}`);
    });
  }

  it('answers with names, methods, paths, summaries and scores, best first, within the limit', async () => {
    const result = parsed(await tools.call('search_operations', { query: 'pet', limit: 3 }, context));
    assert.equal(result.query, 'pet');
    const results = result.results as JsonObject[];
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.deepEqual(Object.keys(r).sort(), ['method', 'name', 'path', 'score', 'summary']);
      assert.match(String(r.method), /^[A-Z]+$/);
    }
    const scores = results.map((r) => r.score as number);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    assert.match(String(result.hint), /describe_operation/);
  });

  it('filters by method and tag', async () => {
    const deletes = await first('pet', { method: 'delete' });
    assert.deepEqual(deletes, ['deletePet']);
    const store = await first('order', { tag: 'store', limit: 50 });
    assert.deepEqual(store.sort(), ['deleteOrder', 'getOrderById', 'placeOrder']);
    assert.deepEqual(await first('order', { tag: 'user' }), []);
  });

  it('asks for a query', async () => {
    await rejectsWith(
      tools.call('search_operations', {}, context),
      'HR_TOOL_ARGUMENTS',
      /'query' must be a non-empty string/,
    );
    await rejectsWith(
      tools.call('search_operations', { query: '   ' }, context),
      'HR_TOOL_ARGUMENTS',
      /query/,
    );
  });

  it('searches every API when several are served, and says which API each result is from', async () => {
    const both = new OpenApiTools(
      [
        await fixture('petstore-3.0.yaml', { apiName: 'v3', prefix: true }),
        await fixture('petstore-3.1.yaml', { apiName: 'v31', prefix: true }),
      ],
      { mode: 'dynamic', execute: recorder().execute },
    );
    const result = parsed(await both.call('search_operations', { query: 'pets', limit: 50 }, context));
    const results = result.results as JsonObject[];
    assert.deepEqual(new Set(results.map((r) => r.api)), new Set(['v3', 'v31']));
    assert.equal(results.length, 7);
    const show = results.find((r) => r.name === 'v31__showPetById');
    assert.equal(show?.api, 'v31');
    assert.equal(show?.path, '/pets/{petId}');
    assert.equal(show?.method, 'GET');
  });
});

describe('OpenApiTools: describe and call', () => {
  it('describe_operation shows the operation and its input schema with $defs', async () => {
    const api = await fixture('petstore-2.0.json');
    const tools = new OpenApiTools([api], { mode: 'dynamic', execute: recorder().execute });
    const described = parsed(await tools.call('describe_operation', { name: 'updatePet' }, context));
    const op = api.catalog.operations.find((o) => o.name === 'updatePet') as Operation;
    assert.equal(described.name, 'updatePet');
    assert.equal(described.method, 'PUT');
    assert.equal(described.path, '/pet');
    assert.equal(described.summary, 'Update an existing pet');
    assert.deepEqual(described.tags, ['pet']);
    assert.deepEqual(described.annotations, {
      title: 'Update an existing pet',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    assert.deepEqual(
      described.inputSchema,
      withMetaArguments(toolInputSchema(op, api.catalog.definitions, 4 * DEFAULT_SCHEMA_BUDGET_BYTES)),
    );
    const schema = described.inputSchema as JsonObject;
    assert.deepEqual(schema.required, ['body']);
    assert.deepEqual((schema.properties as JsonObject).body, {
      $ref: '#/$defs/Pet',
      description: 'Pet object that needs to be added to the store',
    });
    assert.ok((schema.$defs as JsonObject).Pet);
  });

  it('describe_operation affords four times the listing budget', async () => {
    const api = await fixture('petstore-2.0.json');
    const budget = api.catalog.definitions.Pet!.bytes + 1;
    const tools = new OpenApiTools([api], {
      mode: 'dynamic',
      execute: recorder().execute,
      schemaBudgetBytes: budget,
    });
    const described = parsed(await tools.call('describe_operation', { name: 'addPet' }, context));
    const defs = (described.inputSchema as JsonObject).$defs as JsonObject;
    assert.deepEqual(defs.Category, api.catalog.definitions.Category?.schema);
    const listed = new OpenApiTools([api], {
      mode: 'all',
      execute: recorder().execute,
      schemaBudgetBytes: budget,
    })
      .list()
      .find((t) => t.name === 'addPet');
    assert.ok(listed);
    assert.match(
      String(((listed.inputSchema.$defs as JsonObject).Category as JsonObject).description),
      /omitted/,
    );
  });

  it('call_operation runs the named operation with the inner arguments', async () => {
    const api = await fixture('petstore-2.0.json');
    const { calls, execute } = recorder();
    const tools = new OpenApiTools([api], { mode: 'dynamic', execute });
    const result = await tools.call(
      'call_operation',
      { name: 'getPetById', arguments: { petId: 7 } },
      context,
    );
    assert.equal(text(result), 'ran GET /pet/{petId}');
    assert.equal(calls.length, 1);
    assert.equal(
      calls[0]?.op,
      api.catalog.operations.find((o) => o.name === 'getPetById'),
    );
    assert.deepEqual(calls[0]?.args, { petId: 7 });
    // No arguments: an empty object.
    await tools.call('call_operation', { name: 'logoutUser' }, context);
    assert.deepEqual(calls[1]?.args, {});
    assert.equal(calls[1]?.op.path, '/user/logout');
  });

  it('all mode calls reach the executor with the operation and the arguments as sent', async () => {
    const api = await fixture('petstore-3.0.yaml');
    const { calls, execute } = recorder();
    const tools = new OpenApiTools([api], { mode: 'all', execute });
    await tools.call('deletePet', { id: 12 }, context);
    await tools.call('findPets', { tags: ['a', 'b'], limit: 2 }, context);
    assert.deepEqual(
      calls.map((c) => [c.op.name, c.op.method, c.op.path, c.args]),
      [
        ['deletePet', 'delete', '/pets/{id}', { id: 12 }],
        ['findPets', 'get', '/pets', { tags: ['a', 'b'], limit: 2 }],
      ],
    );
  });

  it('answers an unknown operation with its name, and in dynamic mode a hint', async () => {
    const api = await fixture('petstore-3.0.yaml');
    const { calls, execute } = recorder();
    const dynamic = new OpenApiTools([api], { mode: 'dynamic', execute });
    await rejectsWith(
      dynamic.call('call_operation', { name: 'adoptPet', arguments: {} }, context),
      'HR_UNKNOWN_OPERATION',
      /^unknown operation 'adoptPet'\. Use search_operations to find operation names\.$/,
    );
    await rejectsWith(
      dynamic.call('describe_operation', { name: 'adoptPet' }, context),
      'HR_UNKNOWN_OPERATION',
      /unknown operation 'adoptPet'/,
    );
    const all = new OpenApiTools([api], { mode: 'all', execute });
    await rejectsWith(
      all.call('adoptPet', {}, context),
      'HR_UNKNOWN_OPERATION',
      /^unknown operation 'adoptPet'\.$/,
    );
    assert.equal(calls.length, 0);
  });

  it('rejects call_operation arguments that are not an object, and a missing name', async () => {
    const api = await fixture('petstore-3.0.yaml');
    const { calls, execute } = recorder();
    const tools = new OpenApiTools([api], { mode: 'dynamic', execute });
    for (const bad of [[1, 2], 'id=1', 5, true]) {
      await rejectsWith(
        tools.call('call_operation', { name: 'findPets', arguments: bad }, context),
        'HR_TOOL_ARGUMENTS',
        /'arguments' must be an object/,
      );
    }
    await rejectsWith(
      tools.call('call_operation', { arguments: {} }, context),
      'HR_TOOL_ARGUMENTS',
      /'name'/,
    );
    assert.equal(calls.length, 0);
  });
});

describe('OpenApiTools behind the MCP server, with the SDK client', () => {
  async function connect(tools: OpenApiTools) {
    const server = createMcpServer({
      name: 'headroom-openapi-test',
      version: '0.0.0',
      tools,
      logger: new Logger({ level: 'silent' }),
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'openapi-tools-test', version: '1.0.0' });
    await client.connect(clientSide);
    return client;
  }

  it('in dynamic mode, builds the operations once the list is answered, before any call', async () => {
    const api = await synthetic(150);
    assert.ok(api.catalog instanceof PlannedCatalog);
    const client = await connect(new OpenApiTools([api], { mode: 'dynamic', execute: recorder().execute }));
    try {
      assert.equal(api.catalog.built, false);
      const { tools } = await client.listTools();
      assert.equal(tools.length, 3);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(api.catalog.built, true, 'not built after the list');
    } finally {
      await client.close();
    }
  });

  it('lists every petstore tool in all mode (the client accepts the whole list) and calls one', async () => {
    const api = await fixture('petstore-2.0.json');
    const { calls, execute } = recorder();
    const client = await connect(new OpenApiTools([api], { mode: 'all', execute }));
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 20);
      const result = await client.callTool({ name: 'getOrderById', arguments: { orderId: 3 } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'ran GET /store/order/{orderId}' }]);
      assert.deepEqual(calls[0]?.args, { orderId: 3 });
      const unknown = await client.callTool({ name: 'getOrderByld', arguments: {} });
      assert.equal(unknown.isError, true);
      assert.match(JSON.stringify(unknown.content), /unknown tool 'getOrderByld'.*getOrderById/);
    } finally {
      await client.close();
    }
  });

  it('surfaces an unknown operation in call_operation as an error result the model can read', async () => {
    const api = await fixture('petstore-3.1.yaml');
    const client = await connect(new OpenApiTools([api], { mode: 'dynamic', execute: recorder().execute }));
    try {
      const result = await client.callTool({ name: 'call_operation', arguments: { name: 'nope' } });
      assert.equal(result.isError, true);
      assert.deepEqual(result.content, [
        { type: 'text', text: "unknown operation 'nope'. Use search_operations to find operation names." },
      ]);
    } finally {
      await client.close();
    }
  });
});
