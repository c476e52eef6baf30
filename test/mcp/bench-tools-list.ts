/**
 * What a tools/list of a large catalog costs, and where the time goes. Not part of the test run:
 *   node --import tsx test/mcp/bench-tools-list.ts [tools=1200] [schemaBytes=2048]
 */
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  fromJsonSchema,
  type JSONRPCMessage,
  type JsonSchemaType,
  McpServer,
  InMemoryTransport as ServerInMemoryTransport,
} from '@modelcontextprotocol/server';
import { Logger } from '../../src/log/logger.js';
import { serveHttp } from '../../src/mcp/http.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { bigCatalog, catalogProvider } from './fixtures/big-catalog.js';

const count = Number(process.argv[2] ?? 1200);
const schemaBytes = Number(process.argv[3] ?? 2048);
const reps = 20;
const tools = bigCatalog(count, schemaBytes);
const logger = new Logger({ level: 'silent' });
const factory = () => createMcpServer({ name: 'bench', version: '1', tools: catalogProvider(tools), logger });
/** A result schema that accepts anything: the SDK client then skips its own validation. */
const unchecked = {
  '~standard': { version: 1 as const, vendor: 'bench', validate: (value: unknown) => ({ value }) },
};

async function median(run: () => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return `${(times[Math.floor(reps / 2)] as number).toFixed(1)} ms`;
}

const rows: Array<[string, string]> = [];
const wireBytes = JSON.stringify({ tools }).length;
console.log(
  `${count} tools, ~${Math.round(wireBytes / count)} B per tool, ${(wireBytes / 1048576).toFixed(2)} MiB listed`,
);

// 1. The server alone: a raw JSON-RPC request into the SDK Server, answer out (no serialization).
{
  const server = factory();
  const [clientSide, serverSide] = ServerInMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  let id = 0;
  let pending: ((message: JSONRPCMessage) => void) | undefined;
  clientSide.onmessage = (message) => pending?.(message);
  await clientSide.start();
  const request = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<JSONRPCMessage>((resolve) => {
      pending = resolve;
      void clientSide.send({ jsonrpc: '2.0', id: ++id, method, params });
    });
  await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  });
  let response: JSONRPCMessage | undefined;
  rows.push([
    'SDK Server answers tools/list (in memory)',
    await median(async () => (response = await request('tools/list'))),
  ]);
  rows.push(['JSON.stringify of that answer', await median(async () => JSON.stringify(response))]);
  const text = JSON.stringify(response);
  rows.push(['JSON.parse of that answer', await median(async () => JSON.parse(text))]);
  await server.close();
}

// 2. End to end with the real SDK client, with and without its result validation.
{
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await factory().connect(serverSide);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(clientSide);
  rows.push([
    'in memory, 2025 era: client.listTools()',
    await median(() => client.listTools(undefined, { cacheMode: 'bypass' })),
  ]);
  rows.push([
    'in memory, 2025 era: request without client validation',
    await median(() => client.request({ method: 'tools/list', params: {} }, unchecked)),
  ]);
  await client.close();
}
for (const mode of ['stateless', 'stateful'] as const) {
  // The server's own view: from request arrival to the answer's last byte written.
  const served: number[] = [];
  const httpLogger = new Logger({
    level: 'debug',
    format: 'json',
    stream: {
      write: (line: string) => {
        const record = JSON.parse(line);
        if (record.msg === 'HTTP request' && record.method === 'POST') served.push(record.ms);
      },
    },
  });
  const handle = await serveHttp(factory, { port: 0, mode, logger: httpLogger });
  for (const era of ['2025', '2026'] as const) {
    const client = new Client(
      { name: 'bench', version: '1' },
      era === '2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(handle.url)));
    rows.push([
      `HTTP ${mode}, ${era} era: client.listTools()`,
      await median(() => client.listTools(undefined, { cacheMode: 'bypass' })),
    ]);
    served.length = 0;
    rows.push([
      `HTTP ${mode}, ${era} era: request without client validation`,
      await median(() => client.request({ method: 'tools/list', params: {} }, unchecked)),
    ]);
    served.sort((a, b) => a - b);
    rows.push([
      `HTTP ${mode}, ${era} era: time in the server`,
      `${served[Math.floor(served.length / 2)]} ms`,
    ]);
    await client.close();
  }
  await handle.close();
}

// 3. For comparison: the high-level McpServer needs a compiled validator per tool.
{
  const started = performance.now();
  const server = new McpServer({ name: 'bench', version: '1' }, { capabilities: { tools: {} } });
  for (const tool of structuredClone(tools)) {
    server.registerTool(
      tool.name,
      { inputSchema: fromJsonSchema(tool.inputSchema as JsonSchemaType) },
      async () => ({
        content: [],
      }),
    );
  }
  rows.push([
    'McpServer: registerTool(fromJsonSchema) for every tool, once',
    `${(performance.now() - started).toFixed(0)} ms`,
  ]);
}

const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
