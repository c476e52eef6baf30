import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { Logger } from '../../log/logger.js';
import { formatCount } from '../../util/count.js';
import { GLOBAL_OPTIONS } from '../global-options.js';
import type { CommandDefinition, OptionSpec, RunContext } from '../types.js';
import { readVersion } from '../version.js';
import { untilSignal } from './signals.js';

// Kept here rather than imported from src/demo/run.ts, so `headroom --help` loads none of the demo.
const DEFAULTS = { openapi: 3000, cloudwan: 3001, upstream: 3002, dashboard: 9464, elements: 10_000 };

const port = (name: string, what: string, fallback: number): OptionSpec => ({
  name,
  type: 'string',
  valueName: 'PORT',
  description: `Port of ${what} (default ${fallback}; 0 picks a free one).`,
});

const DEMO_OPTIONS: readonly OptionSpec[] = [
  port('openapi-port', 'the OpenAPI MCP server', DEFAULTS.openapi),
  port('cloudwan-port', 'the Cloud WAN MCP server', DEFAULTS.cloudwan),
  port('upstream-port', 'the demo API (the upstream the OpenAPI server calls)', DEFAULTS.upstream),
  port('dashboard-port', 'the dashboard', DEFAULTS.dashboard),
  {
    name: 'elements',
    type: 'string',
    valueName: 'N',
    description: `Elements of the generated Cloud WAN topology (default ${formatCount(DEFAULTS.elements)}).`,
  },
  {
    name: 'check',
    type: 'boolean',
    description: 'Run the self-check once everything is up, then stop (exit 1 if a check fails).',
  },
];

function integer(ctx: RunContext, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.options[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${String(raw)}')`);
  return value;
}

export const demoCommand: CommandDefinition = {
  name: 'demo',
  summary: 'Start a demo: an example API with a 200 MB endpoint, both MCP servers and the dashboard.',
  usage: `Starts, in one process and on 127.0.0.1 only:
  - the demo API: a local server for examples/demo-api.yaml (a small shop: products, orders, an
    event log) with generated data, whose GET /events/export streams ~200 MB of JSON;
  - the OpenAPI MCP server on that spec, calling the demo API (Streamable HTTP, port 3000);
  - the Cloud WAN MCP server on a generated topology (Streamable HTTP, port 3001);
  - one dashboard showing both (port 9464).
Then it prints the URLs and client configurations to paste (MCP Inspector CLI commands, a desktop
client's JSON), and runs until Ctrl-C or SIGTERM.

When stdin is not a terminal (CI, 'npm start </dev/null') or with --check, a self-check runs once
everything is up: a client lists the tools of both servers over HTTP, calls the export (cut to the
response budget, the rest spilled to disk for read_result) and the topology summary, and reads the
calls back from the dashboard; one line per check. With --check the demo then stops; with stdin
not a terminal it stops when stdin ends. The exit code is 1 if a check failed, else 0.

headroom.yml and HEADROOM_* variables apply (memory budget, response budget, cache and spill
folders, timeouts...), except what the demo sets itself: transport, address, ports, no token, the
spec and its base URL, every operation as a tool, the generated topology. Logs show warnings only
unless --log-level is given.

Examples:
  headroom demo
  headroom demo --openapi-port 0 --cloudwan-port 0 --upstream-port 0 --dashboard-port 0
  headroom demo --elements 100000 --memory-budget 512MB
  headroom demo --check`,
  options: DEMO_OPTIONS,
  async run(ctx) {
    const ports = {
      openapi: integer(ctx, 'openapi-port', DEFAULTS.openapi, 0, 65535),
      cloudwan: integer(ctx, 'cloudwan-port', DEFAULTS.cloudwan, 0, 65535),
      upstream: integer(ctx, 'upstream-port', DEFAULTS.upstream, 0, 65535),
      dashboard: integer(ctx, 'dashboard-port', DEFAULTS.dashboard, 0, 65535),
    };
    const elements = integer(ctx, 'elements', DEFAULTS.elements, 1, 50_000_000);
    // The command line's global settings (--memory-budget, --log-level...), given to every load.
    const flags: Record<string, { value: unknown; flag: string }> = {};
    for (const spec of GLOBAL_OPTIONS) {
      const value = ctx.options[spec.name];
      if (spec.configPath && value !== undefined) flags[spec.configPath] = { value, flag: `--${spec.name}` };
    }
    const configFile = ctx.options.config;
    const logger =
      (ctx.sources['log.level']?.kind ?? 'default') === 'default'
        ? new Logger({ level: 'warn', format: ctx.config.log.format, stream: ctx.io.stderr })
        : ctx.logger;
    // The demo's modules (and both servers') load only when this command runs.
    const { runDemo } = await import('../../demo/run.js');
    const controller = untilSignal();
    try {
      return await runDemo({
        loadConfig: (overrides) =>
          loadConfig({
            flags: { ...flags, ...overrides },
            env: ctx.io.env,
            cwd: ctx.io.cwd,
            ...(typeof configFile === 'string' ? { configFile } : {}),
          }).config,
        ports,
        elements,
        check: ctx.options.check === true,
        logger,
        version: readVersion(),
        cwd: ctx.io.cwd,
        env: ctx.io.env,
        out: ctx.io.stdout,
        signal: controller.signal,
      });
    } finally {
      controller.dispose();
    }
  },
};
