/**
 * scripts/sdk-shims.cjs, which the bundle uses in place of the MCP SDK's Node shims so that ajv
 * loads on the first validation rather than with the SDK: it must validate as the SDK's own does.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
type Check = (input: unknown) => { valid: boolean; data: unknown; errorMessage?: string };
interface Validator {
  getValidator(schema: object): Check;
}
const shims = require('../../scripts/sdk-shims.cjs') as {
  DefaultJsonSchemaValidator: new (ajv?: unknown) => Validator;
  process: NodeJS.Process;
};
const sdk = require('@modelcontextprotocol/server/_shims') as {
  DefaultJsonSchemaValidator: new (ajv?: unknown) => Validator;
};

const SCHEMA = { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } };

describe('the bundle’s SDK shims', () => {
  it('validate as the SDK’s validator does, once a schema is checked', () => {
    const ours = new shims.DefaultJsonSchemaValidator().getValidator(SCHEMA);
    const theirs = new sdk.DefaultJsonSchemaValidator().getValidator(SCHEMA);
    for (const input of [{}, { a: 1 }, { a: 'x' }, []]) assert.deepEqual(ours(input), theirs(input));
    assert.equal(ours({ a: 1 }).valid, true);
    assert.match(ours({}).errorMessage ?? '', /required property 'a'/);
  });

  it('hand a caller’s own engine to the SDK’s validator', () => {
    let compiled = 0;
    const engine = {
      compile: () => {
        compiled++;
        return Object.assign(() => true, { errors: null });
      },
      getSchema: () => undefined,
      errorsText: () => '',
    };
    const check = new shims.DefaultJsonSchemaValidator(engine).getValidator(SCHEMA);
    assert.equal(compiled, 1);
    assert.equal(check({}).valid, true);
  });

  it('export the process object', () => {
    assert.equal(shims.process, process);
  });
});
