import { futureCommand } from './future.js';

export const openapiCommand = futureCommand(
  'openapi',
  'Serve an OpenAPI document of any size to MCP clients (planned).',
  `Will start an MCP server (stdio or Streamable HTTP) whose tools are the operations of one or more
OpenAPI specifications (Swagger 2.0, OpenAPI 3.0 and 3.1), calling the real API and returning
answers that fit both the memory budget and the model's context.`,
  '<SPEC>',
);
