import { futureCommand } from './future.js';

export const topologyCommand = futureCommand(
  'topology',
  'Generate, load and inspect Cloud WAN topologies (planned).',
  `Will generate deterministic Cloud WAN topologies of up to millions of elements, load NDJSON or
JSON snapshots, and report their elements, routes and exact in-memory size.`,
  '<FILE>',
);
