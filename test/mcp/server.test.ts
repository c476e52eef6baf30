import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { closestNames, createMcpServer, type ToolProvider } from '../../src/mcp/server.js';
import { bigCatalog, catalogProvider } from './fixtures/big-catalog.js';
import { captureLogger, issueSchema, testProvider, testTools } from './helpers.js';

async function connect(tools: ToolProvider, logger = captureLogger().logger) {
  const server = createMcpServer({
    name: 'headroom-test',
    version: '1.2.3',
    instructions: 'Use me.',
    tools,
    logger,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  return { client, server, close: () => client.close() };
}

describe('createMcpServer over the SDK client', () => {
  it('identifies itself and lists raw JSON Schemas exactly as given, $defs and $ref included', async () => {
    const { client, close } = await connect(testProvider());
    try {
      assert.deepEqual(client.getServerVersion(), { name: 'headroom-test', version: '1.2.3' });
      assert.equal(client.getInstructions(), 'Use me.');
      assert.deepEqual(client.getServerCapabilities()?.tools, {});
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => tool.name),
        testTools.map((tool) => tool.name),
      );
      assert.deepEqual(tools[0], {
        name: 'create_issue',
        title: 'Create an issue',
        description: 'Opens an issue in a repository.',
        inputSchema: issueSchema,
        annotations: { destructiveHint: false, openWorldHint: true },
      });
      // A schema without a type is listed as an object schema, which the protocol requires.
      assert.deepEqual(tools[2]?.inputSchema, { type: 'object', properties: { owner: { type: 'string' } } });
    } finally {
      await close();
    }
  });

  it('leaves out a tool whose schema is not an object schema, so the rest of the list survives', async () => {
    const { logger, lines } = captureLogger();
    const provider = testProvider([
      { name: 'good', inputSchema: { type: 'object' } },
      { name: 'bad', inputSchema: { type: 'string' } },
    ]);
    const { client, close } = await connect(provider, logger);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => tool.name),
        ['good'],
      );
      assert.ok(lines.some((line) => line.includes('"tool":"bad"') && line.includes('"level":"warn"')));
    } finally {
      await close();
    }
  });

  it('calls a tool with the arguments the client sent', async () => {
    const provider = testProvider();
    const { client, close } = await connect(provider);
    try {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'hello' }]);
      assert.deepEqual(result.structuredContent, { text: 'hello' });
      assert.equal(result.isError, undefined);
      await client.callTool({ name: 'list_issues' });
      assert.deepEqual(provider.calls, [
        { name: 'echo', args: { text: 'hello' } },
        { name: 'list_issues', args: {} },
      ]);
    } finally {
      await close();
    }
  });

  it('answers an unknown tool with an isError result naming it and the closest tools', async () => {
    const provider = testProvider();
    const { client, close } = await connect(provider);
    try {
      const result = await client.callTool({ name: 'list_isues', arguments: {} });
      assert.equal(result.isError, true);
      assert.deepEqual(result.content, [
        { type: 'text', text: "unknown tool 'list_isues'. Closest tools: 'list_issues', 'list_labels'." },
      ]);
      const far = await client.callTool({ name: 'zzzzzzzzzzzz', arguments: {} });
      assert.deepEqual(far.content, [
        { type: 'text', text: "unknown tool 'zzzzzzzzzzzz'. Call tools/list to see the available tools." },
      ]);
      assert.equal(provider.calls.length, 0);
    } finally {
      await close();
    }
  });

  it('asks the provider about names through has() when it offers one', async () => {
    const asked: string[] = [];
    const provider: ToolProvider = {
      list: () => [{ name: 'only', inputSchema: { type: 'object' } }],
      has: (name) => {
        asked.push(name);
        return name === 'only';
      },
      call: async () => ({ content: [{ type: 'text', text: 'ok' }] }),
    };
    const { client, close } = await connect(provider);
    try {
      assert.deepEqual((await client.callTool({ name: 'only' })).content, [{ type: 'text', text: 'ok' }]);
      assert.equal((await client.callTool({ name: 'other' })).isError, true);
      assert.deepEqual(asked, ['only', 'other']);
    } finally {
      await close();
    }
  });

  it('turns a HeadroomError into an isError result with its message', async () => {
    const { logger, lines } = captureLogger();
    const { client, close } = await connect(testProvider(), logger);
    try {
      const result = await client.callTool({ name: 'fails_expectedly', arguments: {} });
      assert.equal(result.isError, true);
      assert.deepEqual(result.content, [
        { type: 'text', text: 'GET /issues answered 404: no such repository; check the owner' },
      ]);
      assert.ok(lines.some((line) => line.includes('"code":"HR_TEST"')));
    } finally {
      await close();
    }
  });

  it('turns any other exception into "internal error: <message>" and logs it with its stack', async () => {
    const { logger, lines } = captureLogger();
    const { client, close } = await connect(testProvider(), logger);
    try {
      const result = await client.callTool({ name: 'fails_badly', arguments: {} });
      assert.equal(result.isError, true);
      assert.deepEqual(result.content, [
        { type: 'text', text: "internal error: Cannot read properties of undefined (reading 'id')" },
      ]);
      const logged = lines.map((line) => JSON.parse(line)).find((record) => record.tool === 'fails_badly');
      assert.equal(logged?.level, 'error');
      assert.match(logged?.stack, /TypeError/);
      // The server is still there after the failure.
      assert.deepEqual((await client.callTool({ name: 'echo', arguments: { text: 'still up' } })).content, [
        { type: 'text', text: 'still up' },
      ]);
    } finally {
      await close();
    }
  });

  it("aborts the provider's signal when the client cancels the call", async () => {
    const provider = testProvider();
    const { client, close } = await connect(provider);
    try {
      const controller = new AbortController();
      const call = client.callTool(
        { name: 'waits_for_cancel', arguments: {} },
        { signal: controller.signal },
      );
      await provider.waiting;
      controller.abort(new Error('user pressed stop'));
      await assert.rejects(call);
      const reason = await withTimeout(provider.cancelled, 2000);
      assert.match(String(reason), /user pressed stop/);
    } finally {
      await close();
    }
  });

  it('lists 1,200 tools with 2 KB schemas in one page', async () => {
    const tools = bigCatalog(1200);
    const { client, close } = await connect(catalogProvider(tools));
    try {
      const listed = await client.listTools();
      assert.equal(listed.tools.length, 1200);
      assert.equal(listed.nextCursor, undefined);
      assert.deepEqual(listed.tools[1199]?.inputSchema, tools[1199]?.inputSchema);
    } finally {
      await close();
    }
  });

  it('keeps two servers in one process apart', async () => {
    const a = await connect(testProvider([{ name: 'a_only', inputSchema: { type: 'object' } }]));
    const b = await connect(testProvider([{ name: 'b_only', inputSchema: { type: 'object' } }]));
    try {
      assert.deepEqual(
        (await a.client.listTools()).tools.map((tool) => tool.name),
        ['a_only'],
      );
      assert.deepEqual(
        (await b.client.listTools()).tools.map((tool) => tool.name),
        ['b_only'],
      );
      assert.equal((await a.client.callTool({ name: 'b_only' })).isError, true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('closestNames', () => {
  const names = ['list_issues', 'list_labels', 'create_issue', 'get_issue', 'delete_repo'];

  it('puts prefix matches first, then near misses by edit distance', () => {
    assert.deepEqual(closestNames('list', names, 3), ['list_issues', 'list_labels']);
    assert.deepEqual(closestNames('get_isue', names, 3), ['get_issue']);
    assert.deepEqual(closestNames('LIST_ISSUES', names, 1), ['list_issues']);
  });

  it('suggests nothing for names that are not near any tool', () => {
    assert.deepEqual(closestNames('weather', names, 3), []);
    assert.deepEqual(closestNames('x', [], 3), []);
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
