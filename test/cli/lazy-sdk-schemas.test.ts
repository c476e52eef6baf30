/**
 * scripts/lazy-sdk-schemas.mjs, which rewrites the MCP SDK's schema modules for the bundle so that
 * each Zod schema is built on first use: what it makes must be the same schemas, built only when read.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { z } from 'zod/v4';
// @ts-expect-error: a build script, plain JavaScript without declarations
import { lazyConstants, lazyServerTables } from '../../scripts/lazy-sdk-schemas.mjs';

const require = createRequire(import.meta.url);
const coreDist = dirname(require.resolve('@modelcontextprotocol/core'));
const serverDist = dirname(require.resolve('@modelcontextprotocol/server'));
const moduleOf = (dir: string, prefix: string) => {
  const name = readdirSync(dir).find((file) => file.startsWith(prefix) && file.endsWith('.mjs'));
  assert.ok(name, `${prefix}*.mjs in ${dir}`);
  return join(dir, name);
};

type Exports = Record<string, unknown>;

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
      /src-x\.mjs: the registry of spec types not found; update scripts\/lazy-sdk-schemas\.mjs/,
    );
  });
});
