/**
 * The real `headroom openapi` process over stdio, driven by the MCP SDK's own Client and stdio
 * transport: the petstores (2.0, 3.0, 3.1), dynamic mode, a stdout that carries protocol messages
 * only, and a bad spec that stops the process with one clear line. Two specs at once (prefixed
 * names) are covered over HTTP in openapi-http.test.ts: the same code prepares them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Cleanup, fixture, NODE_ARGS, RawSession, ROOT, runCli, within } from './cli-helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

// A bound on hangs, not a speed test: five servers starting at once on a busy 2-core machine take 10 s.
const STEP_MS = 20_000;

interface Connected {
  client: Client;
  stderr: () => string;
  errors: Error[];
  close: () => Promise<void>;
}

/**
 * Starts `headroom openapi ARGS` and connects the SDK client to it over stdio; `negotiate` lets the
 * client take the newest protocol revision the server offers (2026-07-28).
 */
async function connect(args: string[], negotiate = false): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...NODE_ARGS, 'openapi', ...args],
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client(
    { name: 'headroom-e2e-stdio', version: '1.0.0' },
    negotiate ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  const errors: Error[] = [];
  // Anything on stdout that is not a JSON-RPC message ends up here.
  client.onerror = (error) => errors.push(error);
  // Registered before connecting, so that a connect that times out still ends the child.
  cleanup.onRun(() => transport.close());
  await within(client.connect(transport), STEP_MS, 'connecting over stdio');
  return {
    client,
    stderr: () => stderr,
    errors,
    close: () => within(client.close(), STEP_MS, 'closing the stdio client'),
  };
}

// Tests within a group run side by side: most of each one is waiting on a child process.
describe('headroom openapi (stdio e2e)', { timeout: 60_000 }, () => {
  describe('over stdio, with the SDK client', { concurrency: 5 }, () => {
    const cacheDir = cleanup.tempDir('headroom-e2e-stdio-cache-');

    for (const [name, expected] of [
      ['petstore-2.0.json', { count: 20, first: 'uploadFile', last: 'createUser' }],
      ['petstore-3.0.yaml', { count: 4, first: 'findPets', last: 'deletePet' }],
      ['petstore-3.1.yaml', { count: 3, first: 'listPets', last: 'showPetById' }],
    ] as const) {
      it(`lists the tools of ${name}`, async () => {
        // Port 9 on loopback refuses: calls fail fast and never leave the machine.
        const { client, stderr, errors, close } = await connect([
          fixture(name),
          '--cache-dir',
          cacheDir,
          '--base-url',
          'http://127.0.0.1:9/v2',
        ]);
        try {
          assert.equal(client.getServerVersion()?.name, 'headroom-openapi');
          assert.match(client.getInstructions() ?? '', /one tool per API operation/);
          const { tools } = await within(client.listTools(), STEP_MS, 'tools/list');
          // The operations, then read_result for answers cut to fit.
          assert.equal(tools.length, expected.count + 1);
          assert.equal(tools[0]?.name, expected.first);
          assert.equal(tools.at(-2)?.name, expected.last);
          assert.equal(tools.at(-1)?.name, 'read_result');
          for (const tool of tools) {
            assert.equal(tool.inputSchema.type, 'object', tool.name);
            assert.equal(
              (tool.inputSchema as { additionalProperties?: unknown }).additionalProperties,
              false,
            );
            assert.equal(typeof tool.description, 'string');
          }
          // A call either lacks a required argument or finds nothing listening: an error either way.
          const first = tools[0];
          assert.ok(first);
          const result = await within(
            client.callTool({ name: first.name, arguments: {} }),
            STEP_MS,
            'tools/call',
          );
          assert.equal(result.isError, true);
          assert.match(JSON.stringify(result.content), /required|127\.0\.0\.1:9/);
        } finally {
          await close();
        }
        assert.deepEqual(errors, [], 'stdout carried only protocol messages');
        assert.match(stderr(), /prepared .*operations=\d+/);
        assert.doesNotMatch(stderr(), /\bERROR\b/);
      });
    }

    it('lists every tool to a client on the 2026-07-28 revision, cold and warm', async () => {
      // The stdio writer writes the list as text: the newer revision's result envelope must keep it.
      const dir = cleanup.tempDir('headroom-e2e-stdio-2026-');
      const lists: string[][] = [];
      for (const start of ['cold', 'warm']) {
        // Cold, the list is written from the catalog; warm, from the cached list (a .raw entry).
        const cached = readdirSync(dir).some((name) => name.endsWith('.raw'));
        assert.equal(cached, start === 'warm', `a cached tool list before the ${start} start`);
        const { client, errors, close } = await connect(
          [fixture('petstore-2.0.json'), '--tools', 'all', '--cache-dir', dir],
          true,
        );
        try {
          assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28', start);
          const { tools } = await within(client.listTools(), STEP_MS, `tools/list (${start})`);
          lists.push(tools.map((tool) => tool.name));
        } finally {
          await close();
        }
        assert.deepEqual(errors, [], start);
      }
      assert.equal(lists[0]?.length, 21);
      assert.deepEqual(lists[1], lists[0]);
    });

    it('searches, describes and calls operations in dynamic mode', async () => {
      const { client, errors, close } = await connect([
        fixture('petstore-2.0.json'),
        '--tools',
        'dynamic',
        '--cache-dir',
        cacheDir,
        '--base-url',
        'http://127.0.0.1:9/v2',
      ]);
      try {
        assert.match(client.getInstructions() ?? '', /search_operations/);
        const { tools } = await within(client.listTools(), STEP_MS, 'tools/list');
        assert.deepEqual(
          tools.map((t) => t.name),
          ['search_operations', 'describe_operation', 'call_operation', 'read_result'],
        );
        const search = await within(
          client.callTool({ name: 'search_operations', arguments: { query: 'upload an image', limit: 3 } }),
          STEP_MS,
          'search_operations',
        );
        assert.notEqual(search.isError, true);
        const found = JSON.parse((search.content as Array<{ text: string }>)[0]!.text);
        assert.equal(found.results[0].name, 'uploadFile');
        assert.ok(found.results.length <= 3);

        const describe = await within(
          client.callTool({ name: 'describe_operation', arguments: { name: 'uploadFile' } }),
          STEP_MS,
          'describe_operation',
        );
        const described = JSON.parse((describe.content as Array<{ text: string }>)[0]!.text);
        assert.equal(described.method, 'POST');
        assert.equal(described.path, '/pet/{petId}/uploadImage');
        assert.deepEqual(described.inputSchema.required, ['petId']);
        assert.deepEqual(described.inputSchema.properties.body.properties.file, {
          type: 'string',
          format: 'binary',
          description: 'file to upload',
        });

        const call = await within(
          client.callTool({
            name: 'call_operation',
            arguments: { name: 'uploadFile', arguments: { petId: 1 } },
          }),
          STEP_MS,
          'call_operation',
        );
        // The operation needs an OAuth2 token nobody configured: the answer names the variable.
        assert.equal(call.isError, true);
        assert.match(JSON.stringify(call.content), /HEADROOM_AUTH_PETSTORE_AUTH/);

        const unknown = await within(
          client.callTool({ name: 'call_operation', arguments: { name: 'adoptPet' } }),
          STEP_MS,
          'call_operation (unknown)',
        );
        assert.equal(unknown.isError, true);
        assert.match(JSON.stringify(unknown.content), /unknown operation 'adoptPet'/);
      } finally {
        await close();
      }
      assert.deepEqual(errors, []);
    });

    it('writes nothing but JSON-RPC messages to stdout, even with debug logging and failing calls', async () => {
      const rawCache = cleanup.tempDir('headroom-e2e-stdio-raw-');
      const child = cleanup.track(
        spawn(
          process.execPath,
          [
            ...NODE_ARGS,
            'openapi',
            fixture('petstore-3.0.yaml'),
            '--cache-dir',
            rawCache,
            '--log-level',
            'debug',
            '--base-url',
            'http://127.0.0.1:9/v2',
          ],
          { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
        ),
      );
      const session = new RawSession(child);
      session.send({
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      });
      const initialized = await session.answer(1, STEP_MS);
      assert.equal(
        (initialized.result as { serverInfo: { name: string } }).serverInfo.name,
        'headroom-openapi',
      );
      session.send({ method: 'notifications/initialized' });
      session.send({ id: 2, method: 'tools/list' });
      session.send({ id: 3, method: 'tools/call', params: { name: 'findPets', arguments: { limit: 1 } } });
      session.send({ id: 4, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
      session.send({ id: 5, method: 'no/such/method' });
      const list = await session.answer(2);
      assert.equal((list.result as { tools: unknown[] }).tools.length, 5);
      assert.equal(((await session.answer(3)).result as { isError?: boolean }).isError, true);
      assert.match(JSON.stringify(await session.answer(4)), /unknown tool 'no_such_tool'/);
      assert.equal(((await session.answer(5)).error as { code: number }).code, -32601);
      child.stdin?.end();
      const exit = await within(session.exited, STEP_MS, 'the server exiting after stdin closed');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.equal(session.rest, '', 'no partial line');
      assert.ok(session.lines.length >= 5);
      for (const line of session.lines) {
        const message = JSON.parse(line) as Record<string, unknown>;
        assert.equal(message.jsonrpc, '2.0', line);
        assert.ok('id' in message || 'method' in message, line);
      }
      // The logs went to stderr instead.
      assert.match(session.stderr, /prepared .*fromCache=false/);
      assert.match(session.stderr, /tool call failed/);
      // The process waited for its cache entry before exiting.
      assert.equal(readdirSync(rawCache).filter((name) => name.endsWith('.catalog.br')).length, 1);
    });
  });

  describe('with a bad spec', { concurrency: 3 }, () => {
    const dir = cleanup.tempDir('headroom-e2e-bad-');
    const cases: Array<[string, string, string, RegExp]> = [
      [
        'truncated JSON',
        'truncated.json',
        '{"openapi": "3.0.3", "info": {',
        /invalid JSON: the text ends before the JSON is complete/,
      ],
      [
        // Deep inside the paths, which a server that may serve in dynamic mode keeps as text.
        'JSON broken inside an operation',
        'broken-operation.json',
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},\n"paths": {"/a": {"get": {"responses": {}, "deprecated": tru}}}}',
        /:2:\d+: invalid JSON/,
      ],
    ];
    for (const [what, file, content, reason] of cases) {
      it(`exits non-zero with one clear line for ${what}, and starts no server`, async () => {
        const path = join(dir, file);
        writeFileSync(path, content);
        const result = await runCli(['openapi', path, '--cache-dir', join(dir, 'cache')], cleanup, {
          input: `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })}\n`,
        });
        assert.notEqual(result.code, 0);
        assert.equal(result.stdout, '', 'nothing on stdout: no server answered');
        const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0]!, /^headroom: /);
        assert.ok(lines[0]!.includes(path), lines[0]);
        assert.match(lines[0]!, reason);
        assert.doesNotMatch(result.stderr, /serving/);
      });
    }

    it('refuses a ref outside the spec folder with one line naming --allow-external-refs', async () => {
      const result = await runCli(
        ['openapi', fixture(join('refs', 'nested', 'escape.yaml')), '--no-cache'],
        cleanup,
      );
      assert.notEqual(result.code, 0);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /--allow-external-refs/);
    });
  });
});
