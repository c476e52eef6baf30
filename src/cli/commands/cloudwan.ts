import { futureCommand } from './future.js';

export const cloudwanCommand = futureCommand(
  'cloudwan',
  'Serve AWS Cloud WAN network data to MCP clients (planned).',
  `Will start an MCP server that discovers AWS Cloud WAN topologies through the AWS SDK (or loads
snapshots or generated topologies) and answers questions about routes, paths, segments and
policies with bounded memory.`,
);
