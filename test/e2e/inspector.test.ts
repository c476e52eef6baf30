/**
 * The MCP Inspector CLI, a real client, against the real `headroom openapi` process: over stdio on
 * the three petstores (Swagger 2.0, OpenAPI 3.0, 3.1) and over Streamable HTTP. The Inspector is
 * installed by .ci/run into test/e2e/tools (0.15.0, the last release that runs on Node 20).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const inspector = join(root, 'test', 'e2e', 'tools', 'node_modules', '.bin', 'mcp-inspector');
const skip = existsSync(inspector)
  ? false
  : 'the Inspector is not installed: npm --prefix test/e2e/tools install';
const cli = [process.execPath, '--import', 'tsx', join(root, 'src', 'cli.ts')];

async function listTools(target: string[]): Promise<Array<{ name: string; inputSchema: { type: string } }>> {
  const { stdout } = await run(inspector, ['--cli', ...target, '--method', 'tools/list'], {
    cwd: root,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { tools: Array<{ name: string; inputSchema: { type: string } }> }).tools;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

describe('MCP Inspector CLI', { skip, timeout: 120_000 }, () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill();
  });

  for (const [fixture, count, first] of [
    ['petstore-2.0.json', 20, 'uploadFile'],
    ['petstore-3.0.yaml', 4, 'findPets'],
    ['petstore-3.1.yaml', 3, 'listPets'],
  ] as const) {
    it(`lists the tools of ${fixture} over stdio`, async () => {
      const spec = join(root, 'test', 'openapi', 'fixtures', fixture);
      const tools = await listTools([...cli, 'openapi', spec, '--no-cache', '--log-level', 'warn']);
      // The operations, and read_result for answers cut to fit.
      assert.equal(tools.length, count + 1);
      assert.equal(tools[0]?.name, first);
      assert.equal(tools.at(-1)?.name, 'read_result');
      for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
    });
  }

  it('lists the Cloud WAN tools of headroom cloudwan over stdio', async () => {
    const tools = await listTools([...cli, 'cloudwan', '--generate', '1000', '--log-level', 'warn']);
    assert.equal(tools.length, 16);
    assert.ok(tools.some((tool) => tool.name === 'trace_network_path'));
    for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
  });

  it('lists the tools over Streamable HTTP', async () => {
    const port = await freePort();
    const spec = join(root, 'test', 'openapi', 'fixtures', 'petstore-3.0.yaml');
    const server = spawn(
      cli[0] as string,
      [...cli.slice(1), 'openapi', spec, '--no-cache', '--transport', 'http', '--port', String(port)],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(server);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('the server did not start within 30 s')), 30_000);
      server.stderr?.on('data', (data: Buffer) => {
        if (!data.toString().includes('Streamable HTTP at')) return;
        clearTimeout(timer);
        ready();
      });
    });
    const tools = await listTools([`http://127.0.0.1:${port}/mcp`, '--transport', 'http']);
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['findPets', 'addPet', 'find_pet_by_id', 'deletePet', 'read_result'],
    );
  });
});
