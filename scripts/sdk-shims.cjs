/**
 * The MCP SDK's Node shims for the bundle (scripts/bundle.mjs puts this in place of
 * `@modelcontextprotocol/server/_shims`), with its JSON Schema validator loaded on first use.
 * The SDK's own shims module loads ajv, ajv's 2019 and 2020 dialects and ajv-formats (about 300 KB
 * of code, 8-10 ms of module initialization) when the SDK loads, although it builds a validator
 * only when a schema is checked: elicitation answers, which Headroom's servers never request.
 */
const process = require('node:process');

class DefaultJsonSchemaValidator {
  #ajv;
  #inner;

  constructor(ajv) {
    this.#ajv = ajv;
  }

  getValidator(schema) {
    // Resolved by esbuild to the SDK's own shims: the plugin maps only other importers here.
    this.#inner ??= new (require('@modelcontextprotocol/server/_shims').DefaultJsonSchemaValidator)(
      this.#ajv,
    );
    return this.#inner.getValidator(schema);
  }
}

module.exports = { DefaultJsonSchemaValidator, process };
