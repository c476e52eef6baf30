/**
 * What `headroom demo` prints once everything answers: where each part is, and client
 * configurations to paste: MCP Inspector CLI commands (0.15.0, the last Inspector release that runs
 * on Node 20; `--cli URL --transport http --method ...`, as test/e2e/inspector.test.ts drives it), a
 * desktop client's `mcpServers` JSON over HTTP and over stdio, and calls to try. ASCII only.
 */
import { formatCount } from '../util/count.js';

export const INSPECTOR = 'npx @modelcontextprotocol/inspector@0.15.0';

export interface BannerInput {
  version: string;
  upstreamUrl: string;
  openapiUrl: string;
  cloudwanUrl: string;
  dashboardUrl: string;
  /** The spec served, absolute, and as shown (relative to the package). */
  specPath: string;
  specShown: string;
  /** dist/cli.js, absolute. */
  cliPath: string;
  elements: number;
  exportCount: number;
  /** The OpenAPI server's response budget, in tokens. */
  responseBudget: number;
  /** The variable that gives the OpenAPI server the demo API's key, and its value. */
  apiKey: { env: string; value: string };
  /** How it stops: said on the first line. */
  stopping: string;
}

/** JSON with two-space indents, but any object or array that fits on one short line kept on one. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value, null, 1).replace(/\n */g, ' ');
  if (flat.length + indent.length <= 100 || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  const parts = Array.isArray(value)
    ? value.map((item) => `${inner}${compactJson(item, inner)}`)
    : Object.entries(value).map(
        ([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner)}`,
      );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${parts.join(',\n')}\n${indent}${close}`;
}

function inspector(url: string, rest: string): string {
  return `  ${INSPECTOR} --cli ${url} --transport http --method ${rest}`;
}

export function banner(b: BannerInput): string {
  const http = {
    mcpServers: {
      'headroom-demo-api': { type: 'http', url: b.openapiUrl },
      'headroom-cloudwan': { type: 'http', url: b.cloudwanUrl },
    },
  };
  const stdio = {
    mcpServers: {
      'headroom-demo-api': {
        command: 'node',
        args: [b.cliPath, 'openapi', b.specPath, '--base-url', b.upstreamUrl],
        env: { [b.apiKey.env]: b.apiKey.value },
      },
      'headroom-cloudwan': {
        command: 'node',
        args: [b.cliPath, 'cloudwan', '--generate', String(b.elements)],
      },
    },
  };
  const mb = Math.round((b.exportCount * 414.6) / 1e6);
  const width = Math.max(
    b.upstreamUrl.length,
    b.openapiUrl.length,
    b.cloudwanUrl.length,
    b.dashboardUrl.length,
  );
  const row = (what: string, url: string, text: string) =>
    `  ${what.padEnd(22)} ${url.padEnd(width)}  ${text}`;
  const lines = [
    '',
    `headroom ${b.version} demo: everything is up. ${b.stopping}`,
    '',
    row(
      'Demo API (upstream)',
      b.upstreamUrl,
      `${b.specShown}; GET /events/export streams ${formatCount(b.exportCount)} events (~${mb} MB)`,
    ),
    row('OpenAPI MCP server', b.openapiUrl, "the demo API's 7 operations as tools, and read_result"),
    row(
      'Cloud WAN MCP server',
      b.cloudwanUrl,
      `16 tools on a generated topology of ${formatCount(b.elements)} elements`,
    ),
    row(
      'Dashboard',
      b.dashboardUrl,
      'memory and tool calls of both servers; /api/metrics, Prometheus /metrics',
    ),
    '',
    'List the tools with the MCP Inspector CLI:',
    inspector(b.openapiUrl, 'tools/list'),
    inspector(b.cloudwanUrl, 'tools/list'),
    '',
    `Calls to try. The export is ~${mb} MB: the answer is cut to the response budget (${formatCount(b.responseBudget)} tokens),`,
    'the rest is kept on disk for read_result, and the dashboard shows the call and the spill:',
    inspector(b.openapiUrl, `tools/call --tool-name exportEvents --tool-arg count=${b.exportCount}`),
    inspector(
      b.openapiUrl,
      'tools/call --tool-name listProducts --tool-arg category=books --tool-arg limit=3',
    ),
    inspector(b.cloudwanUrl, 'tools/call --tool-name topology_summary'),
    '',
    'A desktop MCP client (the "mcpServers" of its JSON configuration), over HTTP while the demo runs:',
    compactJson(http),
    'or over stdio, the client starting headroom itself (calls still go to the demo API above):',
    compactJson(stdio),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
