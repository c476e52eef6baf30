/**
 * The checks of `npm run conformance` (scripts/conformance-check.ts) on the bundled fixtures, so CI
 * covers them without the 2,600-spec corpus: every spec prepares, every listed input schema compiles
 * under Ajv 2020, and the MCP SDK client accepts the tool list in `all` and `dynamic` mode.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { checkSpec, SchemaChecker } from '../../scripts/conformance-check.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const specs = readdirSync(FIXTURES).filter((name) => /\.(json|ya?ml)$/.test(name));

describe('conformance checks on the bundled specs', () => {
  it('finds the fixtures', () => {
    assert.ok(specs.length >= 5, `only ${specs.length} fixtures`);
  });

  for (const name of specs) {
    it(`${name}: serves valid tools`, async () => {
      const result = await checkSpec(join(FIXTURES, name), { apiName: name.replace(/\W+/g, '_') });
      assert.deepEqual(result.invalid, [], 'invalid schemas');
      assert.ok(
        result.outcome === 'served' || result.outcome === 'served-with-warnings',
        `${result.outcome}: ${result.message ?? ''}`,
      );
      assert.ok(result.operations > 0);
      assert.equal(result.tools, result.operations);
      assert.ok(result.allListBytes > 0 && result.dynamicListBytes > 0);
      assert.deepEqual(result.clientWarnings, []);
    });
  }

  it('reports a spec that cannot be read as a clear error, not a crash', async () => {
    const result = await checkSpec(join(FIXTURES, 'does-not-exist.json'), { apiName: 'missing' });
    assert.equal(result.outcome, 'clear-error');
    assert.match(result.code ?? '', /^HR_/);
  });

  it('the schema checker tells invalid schemas from ones only strict mode rejects', () => {
    const checker = new SchemaChecker();
    assert.deepEqual(checker.check(JSON.stringify({ type: 'object' })), {});
    assert.match(
      checker.check(JSON.stringify({ type: 'object', pattern: '(' })).error ?? '',
      /pattern|regular/i,
    );
    assert.match(checker.check(JSON.stringify({ type: 'thing' })).error ?? '', /schema is invalid/);
    const unknownFormat = checker.check(JSON.stringify({ type: 'string', format: 'not-a-format' }));
    assert.equal(unknownFormat.error, undefined);
    assert.match(unknownFormat.strictError ?? '', /unknown format/);
  });
});
