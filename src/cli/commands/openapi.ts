import type { CommandDefinition, OptionSpec, RunContext } from '../types.js';
import { readVersion } from '../version.js';
import { untilSignal } from './signals.js';

/** An option that sets a configuration value: a switch without `valueName`, else it takes one. */
export const option = (
  name: string,
  configPath: string,
  description: string,
  valueName?: string,
): OptionSpec =>
  valueName === undefined
    ? { name, type: 'boolean', configPath, description }
    : { name, type: 'string', valueName, configPath, description };

export const SERVER_OPTIONS: readonly OptionSpec[] = [
  option('transport', 'server.transport', 'stdio (default) or http.', 'KIND'),
  option('host', 'server.host', 'Address to listen on with --transport http (default 127.0.0.1).', 'HOST'),
  option(
    'port',
    'server.port',
    'Port to listen on with --transport http (default 8080; 0 picks one).',
    'PORT',
  ),
  option('path', 'server.path', 'URL path of the MCP endpoint (default /mcp).', 'PATH'),
  option('http-mode', 'server.httpMode', 'stateful (sessions, default) or stateless.', 'MODE'),
  option('token', 'server.token', 'Bearer token HTTP clients must send (or HEADROOM_TOKEN).', 'TOKEN'),
  option(
    'allowed-host',
    'server.allowedHosts',
    'Extra Host header values to accept (comma-separated).',
    'HOSTS',
  ),
  option(
    'allowed-origin',
    'server.allowedOrigins',
    'Extra Origin values to accept (comma-separated).',
    'ORIGINS',
  ),
];

export const MONITORING_OPTIONS: readonly OptionSpec[] = [
  option('dashboard', 'monitoring.enabled', 'Serve the live memory dashboard and Prometheus /metrics.'),
  option(
    'dashboard-port',
    'monitoring.port',
    'Serve the dashboard on this port (default 9464; implies --dashboard).',
    'PORT',
  ),
];

/** Whether the dashboard was asked for: switched on, or a port given for it. */
export function dashboardWanted(ctx: RunContext): boolean {
  return ctx.config.monitoring.enabled || (ctx.sources['monitoring.port']?.kind ?? 'default') !== 'default';
}

const OPENAPI_OPTIONS: readonly OptionSpec[] = [
  option(
    'tools',
    'openapi.tools',
    'auto (default), all (a tool per operation) or dynamic (search/describe/call).',
    'MODE',
  ),
  option('max-name-length', 'openapi.maxNameLength', 'Longest tool name (default 64).', 'N'),
  option(
    'schema-budget',
    'openapi.schemaBudget',
    "Bytes of shared schemas in one tool's input schema (default 32KB).",
    'SIZE',
  ),
  option(
    'include-tags',
    'openapi.includeTags',
    'Only operations with one of these tags (comma-separated).',
    'TAGS',
  ),
  option('exclude-tags', 'openapi.excludeTags', 'Leave out operations with these tags.', 'TAGS'),
  option(
    'include-operations',
    'openapi.includeOperations',
    'Only operationIds matching these globs.',
    'GLOBS',
  ),
  option(
    'exclude-operations',
    'openapi.excludeOperations',
    'Leave out operationIds matching these globs.',
    'GLOBS',
  ),
  option('methods', 'openapi.methods', 'Only these HTTP methods (comma-separated).', 'METHODS'),
  option(
    'path-prefix',
    'openapi.pathPrefixes',
    'Only paths starting with these prefixes (comma-separated).',
    'PREFIXES',
  ),
  option('read-only', 'openapi.readOnly', 'Only GET and HEAD operations.'),
  option('max-spec-size', 'openapi.maxSpecSize', 'Largest specification accepted (default 100MB).', 'SIZE'),
  option(
    'max-total-spec-size',
    'openapi.maxTotalSpecSize',
    'Largest total of all specifications (default 512MB).',
    'SIZE',
  ),
  option('cache-dir', 'openapi.cacheDir', 'Folder of the catalog cache.', 'DIR'),
  { ...option('no-cache', 'openapi.cache', 'Neither read nor write the catalog cache.'), negates: true },
  option('allow-remote-refs', 'openapi.allowRemoteRefs', 'Follow $refs to http(s) URLs.'),
  option(
    'allow-external-refs',
    'openapi.allowExternalRefs',
    "Follow $refs to files outside the spec's folder.",
  ),
];

const CALL_OPTIONS: readonly OptionSpec[] = [
  option('base-url', 'openapi.baseUrl', "The API's base URL, instead of the spec's servers.", 'URL'),
  option(
    'response-budget',
    'openapi.responseBudget',
    'Tokens of a tool result the model gets (default 25000); the rest is kept for read_result.',
    'TOKENS',
  ),
  option(
    'max-response-bytes',
    'openapi.maxResponseBytes',
    'Largest response body read, decompressed (default 1GB).',
    'SIZE',
  ),
  option(
    'max-decompression-ratio',
    'openapi.maxDecompressionRatio',
    'Largest decompressed/compressed ratio of a response (default 200).',
    'N',
  ),
  option(
    'max-parse-bytes',
    'openapi.maxParseBytes',
    'Largest JSON response not an array at the top that is parsed whole (default 8MB).',
    'SIZE',
  ),
  option('connect-timeout', 'openapi.connectTimeoutMs', 'Milliseconds to connect (default 10000).', 'MS'),
  option(
    'headers-timeout',
    'openapi.headersTimeoutMs',
    'Milliseconds to the response headers (default 30000).',
    'MS',
  ),
  option(
    'body-timeout',
    'openapi.bodyTimeoutMs',
    'Longest pause inside a response body, in milliseconds (default 30000).',
    'MS',
  ),
  option(
    'max-retries',
    'openapi.maxRetries',
    'Retries of idempotent calls on 429/502/503/504 (default 2).',
    'N',
  ),
  option(
    'allow-cross-origin-redirects',
    'openapi.allowCrossOriginRedirects',
    "Follow redirects away from the API's origin (without credentials).",
  ),
  option(
    'connections-per-origin',
    'openapi.connectionsPerOrigin',
    'Most open connections to one API origin (default 64).',
    'N',
  ),
  {
    ...option('no-spill', 'openapi.spill', 'Do not keep cut responses on disk (no read_result).'),
    negates: true,
  },
  option('spill-dir', 'openapi.spillDir', 'Folder of kept responses.', 'DIR'),
  option(
    'spill-ttl',
    'openapi.spillTtl',
    'Seconds a kept response stays readable (default 3600).',
    'SECONDS',
  ),
  option('max-spill-size', 'openapi.maxSpillSize', 'Disk budget of kept responses (default 2GB).', 'SIZE'),
  option(
    'structured-output',
    'openapi.structuredOutput',
    'Output schemas and structuredContent for JSON responses.',
  ),
];

export const openapiCommand: CommandDefinition = {
  name: 'openapi',
  summary: 'Serve OpenAPI specifications as MCP tools, over stdio or Streamable HTTP.',
  usage: `Starts an MCP server whose tools are the operations of one or more OpenAPI specifications
(Swagger 2.0, OpenAPI 3.0 and 3.1; JSON or YAML; a file, an http(s) URL, or - for stdin).
With several specifications, tool names are prefixed with each API's name. More APIs, each with
its own filters, can be listed under openapi.apis in headroom.yml.

Tool modes: 'all' lists one tool per operation; 'dynamic' lists search_operations,
describe_operation and call_operation, so the tool list stays small for APIs with thousands of
operations; 'auto' (the default) picks 'all' for APIs of at most 100 operations whose tool list is
small, else 'dynamic'. Prepared catalogs are cached (compressed) so later starts skip parsing.

Calls go to the spec's first server, or --base-url, and nowhere else. Every tool also takes
_fields (keep only these fields of the answer) and _query (a JMESPath expression). Answers over
--response-budget are cut to fit; the rest is kept on disk and read_result pages through it.

Credentials come from environment variables named after the spec's security schemes (the name
upper-cased, every other character as _), or from openapi.auth in headroom.yml:
  HEADROOM_AUTH_<SCHEME>                  API key, bearer token, or user:password for basic auth
  HEADROOM_AUTH_<SCHEME>_CLIENT_ID        OAuth2 client credentials (token fetched and refreshed)
  HEADROOM_AUTH_<SCHEME>_CLIENT_SECRET
For example, scheme ApiKeyAuth reads HEADROOM_AUTH_APIKEYAUTH. 'headroom spec inspect SPEC'
lists the variables a spec uses.

Examples:
  headroom openapi petstore.yaml
  headroom openapi api.github.com.json --tools dynamic --transport http --port 3000
  headroom openapi a.yaml b.json --read-only --include-tags pets,store`,
  args: '<SPEC...>',
  options: [...OPENAPI_OPTIONS, ...CALL_OPTIONS, ...SERVER_OPTIONS, ...MONITORING_OPTIONS],
  async run(ctx) {
    // The server's modules load only when this command runs, so `headroom --help` stays quick.
    const { runOpenApiServer } = await import('../../mcp/openapi-server.js');
    const controller = untilSignal();
    // One handler per process, so here beside the stop signals rather than in the server.
    const { startHeapSnapshotTriggers } = await import('../../profile/snapshot-triggers.js');
    const snapshots = startHeapSnapshotTriggers({ config: ctx.config, logger: ctx.logger, env: ctx.io.env });
    try {
      await runOpenApiServer({
        config: ctx.config,
        specs: ctx.positionals,
        logger: ctx.logger,
        version: readVersion(),
        cwd: ctx.io.cwd,
        signal: controller.signal,
        dashboard: dashboardWanted(ctx),
        ...(ctx.io.prefetched ? { prefetched: ctx.io.prefetched } : {}),
      });
    } finally {
      controller.dispose();
      snapshots.dispose();
    }
    return 0;
  },
};
