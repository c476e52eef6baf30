import { futureCommand } from './future.js';

export const specCommand = futureCommand(
  'spec',
  'Inspect and optimize OpenAPI specifications (planned).',
  `Will load an OpenAPI specification and report its operations, schemas and bytes, and the bytes
that optimization (examples, vendor extensions, long descriptions, duplicate schemas) saves.`,
  '<FILE>',
);
