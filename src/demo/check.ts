/**
 * The demo's self-check: a client connects to both MCP servers over Streamable HTTP, lists their
 * tools and calls one on each (the big export, which must come back cut to the response budget
 * with the rest spilled for read_result, and read_result itself; the topology summary), then the
 * dashboard must show the calls of both servers. One line per check; true when all passed.
 */
import { formatBytes } from '../util/bytes.js';
import { formatCount } from '../util/count.js';
import { McpHttpClient, type ToolResult } from './mcp-client.js';

export interface CheckTargets {
  openapiUrl: string;
  cloudwanUrl: string;
  /** The dashboard page, e.g. `http://127.0.0.1:9464/`. */
  dashboardUrl: string;
  /** Events the export check asks for. */
  exportCount: number;
  /** Elements of the generated topology. */
  elements: number;
  /** The OpenAPI server's response budget, in tokens (4 bytes each). */
  responseBudget: number;
  signal?: AbortSignal;
}

type Write = (line: string) => void;

const STEP_MS = 30_000;
/** The export's first page is ready within a second; the rest goes on streaming to the spill. */
const EXPORT_MS = 60_000;

class Checks {
  passed = 0;
  failed = 0;

  constructor(
    private readonly write: Write,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Runs one check; its answer is the line's text. Returns what `run` returned, or undefined. */
  async run<T>(what: string, run: () => Promise<[string, T]>): Promise<T | undefined> {
    if (this.signal?.aborted) return undefined;
    try {
      const [line, value] = await run();
      this.passed++;
      this.write(`  ok    ${what}: ${line}`);
      return value;
    } catch (error) {
      if (this.signal?.aborted) return undefined;
      this.failed++;
      this.write(`  FAIL  ${what}: ${(error as Error).message}`);
      return undefined;
    }
  }

  skip(what: string, why: string): void {
    this.failed++;
    this.write(`  FAIL  ${what}: skipped, ${why}`);
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function textOf(result: ToolResult, index: number): string {
  return result.content[index]?.text ?? '';
}

function listed(tools: ReadonlyArray<{ name: string }>, expected: readonly string[]): string {
  const names = tools.map((tool) => tool.name);
  const missing = expected.filter((name) => !names.includes(name));
  if (missing.length > 0) fail(`missing ${missing.join(', ')} among ${names.join(', ')}`);
  return `${tools.length} tools (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})`;
}

interface Cut {
  cursor: string;
  shown: number;
}

async function checkExport(client: McpHttpClient, t: CheckTargets): Promise<[string, Cut]> {
  const result = await client.callTool('exportEvents', { count: t.exportCount }, EXPORT_MS);
  if (result.isError) fail(`the tool answered an error: ${textOf(result, 0).slice(0, 300)}`);
  const main = textOf(result, 0);
  const note = textOf(result, 1);
  const budgetBytes = t.responseBudget * 4;
  const size = Buffer.byteLength(main) + Buffer.byteLength(note);
  if (size > budgetBytes) fail(`the answer is ${size} bytes, over the budget of ${budgetBytes}`);
  let items: Array<{ seq?: number }>;
  try {
    items = JSON.parse(main) as Array<{ seq?: number }>;
  } catch {
    fail(`the first block is not the JSON array of the first events: ${main.slice(0, 200)}`);
  }
  if (!Array.isArray(items) || items.length === 0 || items.length >= t.exportCount)
    fail(`expected the first events, cut to fit; got ${Array.isArray(items) ? items.length : typeof items}`);
  if (items[0]?.seq !== 0) fail('the first event shown is not event 0');
  const cursor = /"cursor":"([^"]+)"/.exec(note)?.[1];
  if (!cursor) fail(`no read_result cursor in the note: ${note.slice(0, 300)}`);
  return [
    `cut to fit the ${formatCount(t.responseBudget)}-token budget (${formatBytes(size)}): ` +
      `${formatCount(items.length)} of ${formatCount(t.exportCount)} events shown, the rest spilled to disk for read_result`,
    { cursor, shown: items.length },
  ];
}

async function checkReadResult(client: McpHttpClient, cut: Cut): Promise<[string, undefined]> {
  const result = await client.callTool('read_result', { cursor: cut.cursor, offset: cut.shown }, EXPORT_MS);
  if (result.isError) fail(`read_result answered an error: ${textOf(result, 0).slice(0, 300)}`);
  const items = JSON.parse(textOf(result, 0)) as Array<{ seq?: number }>;
  if (!Array.isArray(items) || items.length === 0) fail('read_result gave no events');
  if (items[0]?.seq !== cut.shown) fail(`the next page starts at event ${items[0]?.seq}, not ${cut.shown}`);
  const last = items.at(-1)?.seq ?? 0;
  return [
    `the next page, events ${formatCount(cut.shown)}-${formatCount(last)}, read back from the spill`,
    undefined,
  ];
}

async function checkSummary(client: McpHttpClient, t: CheckTargets): Promise<[string, undefined]> {
  const result = await client.callTool('topology_summary', {}, STEP_MS);
  if (result.isError) fail(`the tool answered an error: ${textOf(result, 0).slice(0, 300)}`);
  const summary = JSON.parse(textOf(result, 0)) as {
    elements?: number;
    storeBytes?: number;
    regions?: string[];
  };
  if (summary.elements !== t.elements)
    fail(`the summary has ${summary.elements} elements, not the ${t.elements} generated`);
  return [
    `${formatCount(summary.elements)} elements in ${summary.regions?.length ?? '?'} regions, ` +
      `a ${formatBytes(summary.storeBytes ?? 0)} store`,
    undefined,
  ];
}

async function checkDashboard(t: CheckTargets): Promise<[string, undefined]> {
  const url = new URL('api/metrics', t.dashboardUrl).toString();
  type Tools = Record<string, { calls?: number }>;
  let tools: Tools = {};
  // The monitor records a call as it ends; a few tries cover the last one.
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) fail(`GET ${url} answered ${response.status}`);
    tools = ((await response.json()) as { tools?: Tools }).tools ?? {};
    if (tools.exportEvents && tools.topology_summary) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const missing = ['exportEvents', 'topology_summary'].filter((name) => !tools[name]);
  if (missing.length > 0) fail(`no calls of ${missing.join(', ')} in /api/metrics`);
  const figures = Object.entries(tools)
    .map(([name, stats]) => `${name} ${stats.calls ?? 0}`)
    .join(', ');
  return [`/api/metrics counts the calls of both servers (${figures})`, undefined];
}

export async function selfCheck(t: CheckTargets, write: Write): Promise<boolean> {
  write('Self-check:');
  const checks = new Checks(write, t.signal);
  const options = { timeoutMs: STEP_MS, ...(t.signal ? { signal: t.signal } : {}) };
  const openapi = new McpHttpClient(t.openapiUrl, options);
  const cloudwan = new McpHttpClient(t.cloudwanUrl, options);
  try {
    const openapiUp = await checks.run('openapi  initialize', async () => {
      const info = await openapi.initialize();
      return [`${info.serverInfo?.name ?? 'a server'} at ${t.openapiUrl}`, true];
    });
    if (openapiUp) {
      await checks.run('openapi  tools/list', async () => [
        listed(await openapi.listTools(), ['listProducts', 'createOrder', 'exportEvents', 'read_result']),
        undefined,
      ]);
      const cut = await checks.run('openapi  tools/call exportEvents', () => checkExport(openapi, t));
      if (cut) await checks.run('openapi  tools/call read_result', () => checkReadResult(openapi, cut));
      else checks.skip('openapi  tools/call read_result', 'the export gave no cursor');
    }
    const cloudwanUp = await checks.run('cloudwan initialize', async () => {
      const info = await cloudwan.initialize();
      return [`${info.serverInfo?.name ?? 'a server'} at ${t.cloudwanUrl}`, true];
    });
    if (cloudwanUp) {
      await checks.run('cloudwan tools/list', async () => [
        listed(await cloudwan.listTools(), ['topology_summary', 'trace_network_path', 'list_attachments']),
        undefined,
      ]);
      await checks.run('cloudwan tools/call topology_summary', () => checkSummary(cloudwan, t));
    }
    await checks.run('dashboard', () => checkDashboard(t));
  } finally {
    await Promise.all([openapi.close(), cloudwan.close()]);
  }
  if (t.signal?.aborted) {
    write('Self-check interrupted.');
    return true;
  }
  write(
    checks.failed === 0
      ? `Self-check passed: ${checks.passed} checks.`
      : `Self-check FAILED: ${checks.failed} of ${checks.passed + checks.failed} checks failed.`,
  );
  return checks.failed === 0;
}
