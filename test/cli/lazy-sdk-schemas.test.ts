/**
 * scripts/lazy-sdk-schemas.mjs, which rewrites the MCP SDK's schema modules for the bundle so that
 * each Zod schema is built on first use: what it makes must be the same schemas, built only when read.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Server } from '@modelcontextprotocol/server';
import { build } from 'esbuild';
import { z } from 'zod/v4';
// @ts-expect-error: a build script, plain JavaScript without declarations
import { lazyConstants, lazySdkSchemas, lazyServerTables } from '../../scripts/lazy-sdk-schemas.mjs';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const coreDist = dirname(require.resolve('@modelcontextprotocol/core'));
const serverDist = dirname(require.resolve('@modelcontextprotocol/server'));
const moduleOf = (dir: string, prefix: string) => {
  const name = readdirSync(dir).find((file) => file.startsWith(prefix) && file.endsWith('.mjs'));
  assert.ok(name, `${prefix}*.mjs in ${dir}`);
  return join(dir, name);
};

type Exports = Record<string, unknown>;

/** `@modelcontextprotocol/server` bundled with the plugin, as the executable's bundle has it. */
async function bundledServer(): Promise<{ Server: typeof Server }> {
  const result = await build({
    stdin: {
      contents: "export { Server } from '@modelcontextprotocol/server';",
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins: [lazySdkSchemas],
  });
  const module = { exports: {} as Exports };
  const code = result.outputFiles[0]?.text ?? '';
  new Function('module', 'exports', 'require', code)(
    module,
    module.exports,
    createRequire(join(ROOT, 'x.js')),
  );
  return module.exports as { Server: typeof Server };
}

/** The rewritten module, run as CommonJS with `zod` as the only module it may require. */
async function lazyModule(path: string, zod: unknown): Promise<Exports> {
  const code: string = await lazyConstants(path, readFileSync(path, 'utf8'), async () => 'zod');
  const module = { exports: {} as Exports };
  new Function('module', 'exports', 'require', code)(module, module.exports, (id: string) => {
    assert.equal(id, 'zod');
    return zod;
  });
  return module.exports;
}

/** A zod whose every member counts its uses and then does what zod does. */
function countingZod(): { zod: unknown; calls: () => number } {
  let calls = 0;
  const zod = new Proxy(z, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return new Proxy(value, {
        apply(fn, self, args) {
          calls++;
          return Reflect.apply(fn, self === zod ? target : self, args);
        },
      });
    },
  });
  return { zod, calls: () => calls };
}

describe('the SDK schemas made lazy for the bundle', () => {
  for (const prefix of ['schemas-', 'auth-']) {
    it(`build nothing when loaded and each ${prefix}* schema only when read`, async () => {
      const path = moduleOf(coreDist, prefix);
      const { zod, calls } = countingZod();
      const lazy = await lazyModule(path, zod);
      assert.equal(calls(), 0, 'no zod call while loading');
      const names = Object.keys(lazy);
      assert.ok(names.length > 10, `exports: ${names.join(', ')}`);
      void lazy[names[0] as string];
      const one = calls();
      for (const name of names) void lazy[name];
      assert.ok(calls() > one, `all of them (${calls()} calls) took more than the first (${one})`);
    });

    it(`give the same ${prefix}* schemas as the SDK's own module`, async () => {
      const path = moduleOf(coreDist, prefix);
      const original = (await import(pathToFileURL(path).href)) as Exports;
      const lazy = await lazyModule(path, z);
      assert.deepEqual(Object.keys(lazy).sort(), Object.keys(original).sort());
      let schemas = 0;
      for (const [name, value] of Object.entries(original)) {
        const made = lazy[name];
        if (!(value instanceof z.ZodType)) {
          assert.deepEqual(made, value, name);
          continue;
        }
        schemas++;
        assert.ok(made instanceof z.ZodType, name);
        const json = (schema: z.ZodType) => {
          try {
            return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
          } catch (error) {
            return (error as Error).message;
          }
        };
        assert.deepEqual(json(made), json(value), name);
      }
      assert.ok(schemas > 10, `${schemas} schemas compared`);
    });
  }

  it('leave a bundled SDK server that validates requests as before', async () => {
    const { Server } = await bundledServer();
    const server = new Server({ name: 'lazy', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', () => ({ tools: [] }));
    const answers: Array<Record<string, unknown>> = [];
    const transport = {
      onmessage: undefined as ((message: unknown) => void) | undefined,
      start: async () => {},
      close: async () => {},
      send: async (message: Record<string, unknown>) => {
        answers.push(message);
      },
    };
    await server.connect(transport);
    const send = async (message: unknown) => {
      transport.onmessage?.(message);
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18' } });
    await send({
      jsonrpc: '2.0',
      id: 2,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    });
    await send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await send({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { cursor: 7 } });
    await send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    assert.ok(byId.get(1)?.error, `initialize without clientInfo is refused: ${JSON.stringify(byId.get(1))}`);
    assert.equal((byId.get(2)?.result as { protocolVersion?: string })?.protocolVersion, '2025-06-18');
    assert.ok(byId.get(3)?.error, `a cursor that is not a string is refused: ${JSON.stringify(byId.get(3))}`);
    assert.deepEqual(byId.get(4)?.result, { tools: [] });
  });

  it('leave the server module reading no schema at its top level', () => {
    const path = moduleOf(serverDist, 'src-');
    const text: string = lazyServerTables(path, readFileSync(path, 'utf8'));
    assert.doesNotMatch(text, /register\(key, schemas_exports\[key\]\)/);
    assert.doesNotMatch(text, /^const ROOT_KEYS = /m);
    assert.match(text, /ROOT_KEYS\$\(\)\.has\(key\)/);
    assert.match(text, /registerLazily\(key, \(\) => schemas_exports\[key\]\)/);
  });

  it('fail the build, naming what to update, when the SDK no longer has what they rewrite', () => {
    assert.throws(
      () => lazyServerTables('src-x.mjs', 'const authSchemas = { A };\n'),
      /src-x\.mjs: function buildSchemas2025 not found; update scripts\/lazy-sdk-schemas\.mjs/,
    );
  });
});
