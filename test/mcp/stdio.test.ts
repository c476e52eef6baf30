import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Logger } from '../../src/log/logger.js';
import { OpenApiTools } from '../../src/mcp/openapi-tools.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { serveStdio } from '../../src/mcp/stdio.js';
import { prepareCatalog } from '../../src/openapi/prepare.js';
import { testFactory, testProvider } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/echo-server.ts', import.meta.url));
const petstore = fileURLToPath(new URL('../openapi/fixtures/petstore-3.0.yaml', import.meta.url));

function spawnEchoServer(): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', fixture],
    cwd: repoRoot,
    stderr: 'pipe',
  });
}

/** Writes JSON-RPC lines into a fake stdin and collects what the server writes to its stdout. */
function fakeStdio() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const received: Array<Record<string, unknown>> = [];
  let buffered = '';
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      received.push(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
    }
  });
  const send = (message: Record<string, unknown>) =>
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  const answer = async (id: number) => {
    for (let waited = 0; waited < 200; waited++) {
      const found = received.find((message) => message.id === id);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no answer to request ${id}`);
  };
  return { stdin, stdout, send, answer };
}

const initialize = {
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('serveStdio', () => {
  it('serves a spawned server to the SDK client over stdio: list and call', async () => {
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    const transport = spawnEchoServer();
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    await client.connect(transport);
    try {
      assert.equal(client.getServerVersion()?.name, 'echo-fixture');
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => tool.name),
        ['echo'],
      );
      assert.deepEqual(tools[0]?.inputSchema.$defs, {
        Text: { type: 'string', description: 'What to echo back' },
      });
      const result = await client.callTool({ name: 'echo', arguments: { text: 'over stdio' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'over stdio' }]);
    } finally {
      await client.close();
    }
    assert.equal(stderr, '');
  });

  it('serves the 2026-07-28 revision to a negotiating client on the same stdio server', async () => {
    const client = new Client(
      { name: 'stdio-test', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(spawnEchoServer());
    try {
      assert.equal(client.getProtocolEra(), 'modern');
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      const result = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'modern' }]);
    } finally {
      await client.close();
    }
  });

  it('answers on the given streams and resolves when stdin ends', async () => {
    const io = fakeStdio();
    let finished = false;
    const serving = serveStdio(testFactory(testProvider()), { stdin: io.stdin, stdout: io.stdout }).then(
      () => {
        finished = true;
      },
    );
    io.send(initialize);
    const init = (await io.answer(1)) as { result: { protocolVersion: string; serverInfo: unknown } };
    assert.equal(init.result.protocolVersion, '2025-06-18');
    assert.deepEqual(init.result.serverInfo, { name: 'headroom-test', version: '1.2.3' });
    io.send({ method: 'notifications/initialized' });
    io.send({ id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'piped' } } });
    assert.deepEqual(((await io.answer(2)) as { result: { content: unknown } }).result.content, [
      { type: 'text', text: 'piped' },
    ]);
    assert.equal(finished, false);
    io.stdin.end();
    await serving;
    assert.equal(finished, true);
  });

  it('writes an operation list from its text as the tools would be written (textLists)', async () => {
    const api = await prepareCatalog(petstore, { catalog: { apiName: 'petstore' }, version: 'test' });
    const answers = [];
    for (const textLists of [true, false]) {
      const io = fakeStdio();
      const tools = new OpenApiTools([api], { mode: 'all', execute: async () => ({ content: [] }) });
      const logger = new Logger({ level: 'error', stream: new PassThrough() });
      const serving = serveStdio(
        () =>
          createMcpServer({ name: 'x', version: '1', tools, logger, ...(textLists ? { textLists } : {}) }),
        { stdin: io.stdin, stdout: io.stdout },
      );
      io.send(initialize);
      await io.answer(1);
      io.send({ id: 2, method: 'tools/list' });
      answers.push(await io.answer(2));
      // Listed as text, the tools were never built: the provider still offers its texts.
      assert.equal(tools.listTexts() !== undefined, textLists);
      io.stdin.end();
      await serving;
    }
    assert.ok(((answers[0] as { result: { tools: unknown[] } }).result.tools.length ?? 0) > 2);
    assert.deepEqual(answers[0], answers[1]);
  });

  it('serves a single server instance too, and stops when the signal fires', async () => {
    const io = fakeStdio();
    const controller = new AbortController();
    const serving = serveStdio(testFactory(testProvider())(), {
      stdin: io.stdin,
      stdout: io.stdout,
      signal: controller.signal,
    });
    io.send(initialize);
    io.send({ id: 2, method: 'tools/list' });
    const list = (await io.answer(2)) as { result: { tools: Array<{ name: string }> } };
    assert.ok(list.result.tools.some((tool) => tool.name === 'echo'));
    controller.abort();
    await serving;
  });
});
