/**
 * The actions of `headroom topology`: each parses its arguments, calls into src/topology, and prints
 * text (or JSON with --json). Domain modules are imported on use, so `--help` stays fast.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { LoadedTopology } from '../../topology/load.js';
import { formatBytes } from '../../util/bytes.js';
import { formatCount as count } from '../../util/count.js';
import type { RunContext } from '../types.js';

type Action = (ctx: RunContext, args: readonly string[]) => Promise<number>;

export const TOPOLOGY_ACTIONS: Record<string, Action> = {
  generate,
  inspect,
  render,
  trace,
  routes,
  isolation,
  simulate,
  'validate-policy': validatePolicy,
};

async function generate(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('generate', args, 0, '--elements N -o FILE');
  const output = requireOption(ctx, 'output', 'generate', 'the snapshot file to write (-o FILE)');
  const elements = integerOption(ctx, 'elements', 1);
  if (elements === undefined) throw new UsageError('generate needs --elements N (1 to 50,000,000)');
  const connections = integerOption(ctx, 'connections', 0);
  const seed = integerOption(ctx, 'seed', 0);
  const format = ctx.options.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'json')
    throw new UsageError(`generate --format must be ndjson or json, not '${String(format)}'`);
  const { generateSnapshot } = await import('../../topology/sources/snapshot-write.js');
  const started = performance.now();
  const summary = await generateSnapshot(
    {
      elements,
      ...(connections !== undefined ? { connections } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
    resolve(ctx.io.cwd, output),
    { format },
  );
  const ms = Math.round(performance.now() - started);
  if (ctx.options.json === true) return printJson(ctx, { ...summary, file: output, ms });
  ctx.io.stdout.write(
    `${output}: ${count(summary.elements)} elements, ${count(summary.connections)} connections, ` +
      `${count(summary.routes)} routes, ${plural(summary.policies, 'policy', 'policies')} (${format.toUpperCase()}, ${formatBytes(summary.bytes)}) ` +
      `in ${count(ms)} ms, seed ${summary.seed}\n` +
      `  regions: ${summary.regions.join(', ')}\n  segments: ${summary.segments.join(', ')}\n`,
  );
  return 0;
}

async function inspect(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('inspect', args, 1, 'FILE');
  const loaded = await load(ctx, args[0] as string);
  const { topology: t } = loaded;
  const bytes = t.byteSize();
  const byType: Record<string, number> = {};
  const { ELEMENT_TYPES } = await import('../../topology/model.js');
  for (const type of ELEMENT_TYPES) {
    const n = t.elementsOfType(type).length;
    if (n > 0) byType[type] = n;
  }
  const report = {
    file: args[0],
    format: loaded.snapshot.format,
    fileBytes: loaded.snapshot.bytes,
    elements: t.elementCount,
    connections: t.connectionCount,
    routes: t.routeCount,
    policies: loaded.snapshot.policies,
    storeBytes: bytes.total,
    bytesPerElement: t.elementCount ? Math.round((bytes.total / t.elementCount) * 10) / 10 : 0,
    buildMs: loaded.buildMs,
    loadMs: loaded.loadMs,
    byType,
    regions: t.regions(),
    segments: t.segments(),
    parts: bytes.parts,
    skipped: loaded.snapshot.skipped,
    warnings: loaded.warnings,
  };
  if (ctx.options.json === true) return printJson(ctx, report);
  const lines = [
    `${report.file}: ${count(report.elements)} elements, ${count(report.connections)} connections, ${count(report.routes)} routes, ${plural(report.policies, 'policy', 'policies')} (${report.format.toUpperCase()}, ${formatBytes(report.fileBytes)})`,
    `  loaded in ${count(report.loadMs)} ms (final build ${count(report.buildMs)} ms)`,
    `  store ${formatBytes(report.storeBytes)}, ${report.bytesPerElement} bytes per element (connections, indexes and tries included)`,
    `  parts: ${Object.entries(report.parts)
      .filter(([, b]) => b > 0)
      .map(([part, b]) => `${part} ${formatBytes(b)}`)
      .join(', ')}`,
    `  by type: ${Object.entries(byType)
      .map(([type, n]) => `${type} ${count(n)}`)
      .join(', ')}`,
    `  regions (${report.regions.length}): ${report.regions.join(', ')}`,
    `  segments (${report.segments.length}): ${report.segments.join(', ')}`,
    ...warningLines(loaded),
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function render(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('render', args, 1, 'FILE --format mermaid|dot|svg');
  const format = ctx.options.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot' && format !== 'svg')
    throw new UsageError(`render --format must be mermaid, dot or svg, not '${String(format)}'`);
  const { topology } = await load(ctx, args[0] as string);
  const { renderTopology } = await import('../../topology/render/index.js');
  const maxNodes = integerOption(ctx, 'max-nodes', 10);
  const text = await renderTopology(topology, {
    format,
    ...stringOption(ctx, 'segment'),
    ...stringOption(ctx, 'region'),
    ...(maxNodes !== undefined ? { maxNodes } : {}),
  });
  const output = ctx.options.output;
  if (typeof output === 'string') {
    writeFileSync(resolve(ctx.io.cwd, output), text);
    ctx.io.stderr.write(`wrote ${output} (${formatBytes(Buffer.byteLength(text))})\n`);
  } else ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

async function trace(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('trace', args, 3, 'FILE SRC_IP DST_IP');
  const { topology } = await load(ctx, args[0] as string);
  const { analyzeCoreNetwork, traceNetworkPath } = await import('../../topology/analysis/index.js');
  const started = performance.now();
  const result = traceNetworkPath(analyzeCoreNetwork(topology), args[1] as string, args[2] as string);
  const ms = Math.round((performance.now() - started) * 100) / 100;
  if (ctx.options.json === true) return printJson(ctx, { ...result, ms });
  const lines = [
    `${args[1]} -> ${args[2]}: ${result.reachable ? 'reachable' : 'unreachable'}${result.reason ? ` (${result.reason})` : ''}`,
    ...result.hops.map(
      (hop, i) =>
        `  ${String(i + 1).padStart(2)}. ${hop.action.padEnd(12)} ${hop.id} (${hop.type}${hop.region ? `, ${hop.region}` : ''}${hop.segment ? `, segment ${hop.segment}` : ''})\n      ${hop.reason}`,
    ),
    `  traced in ${ms} ms`,
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return result.reachable ? 0 : 1;
}

async function routes(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('routes', args, 1, 'FILE --segment S --region R');
  const segment = requireOption(ctx, 'segment', 'routes', 'the segment whose table to show');
  const region = requireOption(ctx, 'region', 'routes', 'the edge (region) whose table to show');
  const { topology } = await load(ctx, args[0] as string);
  const { analyzeCoreNetwork, routeTable } = await import('../../topology/analysis/index.js');
  const limit = integerOption(ctx, 'limit', 1);
  const offset = integerOption(ctx, 'offset', 0);
  const page = routeTable(analyzeCoreNetwork(topology), segment, region, {
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
  });
  if (ctx.options.json === true) return printJson(ctx, page);
  const lines = [
    `segment ${page.segment} at ${page.edge}: ${count(page.total)} routes${page.truncated ? ` (showing ${page.routes.length}; --offset and --limit page on)` : ''}`,
    ...page.routes.map(
      (r) =>
        `  ${r.destination.padEnd(20)} ${r.nextHop.kind.padEnd(24)} ${r.nextHop.id}${r.nextHop.region ? ` (${r.nextHop.region})` : ''}  ${r.origin}${r.via ? ` via ${r.via}` : ''}`,
    ),
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function isolation(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('isolation', args, 1, 'FILE');
  const { topology } = await load(ctx, args[0] as string);
  const { analyzeCoreNetwork, segmentIsolationReport } = await import('../../topology/analysis/index.js');
  const report = segmentIsolationReport(analyzeCoreNetwork(topology));
  if (ctx.options.json === true) return printJson(ctx, report);
  const lines = [`core network ${report.coreNetwork}:`];
  for (const s of report.segments) {
    lines.push(
      `  ${s.segment}${s.isolated ? ' (isolated)' : ''}: ${count(s.attachments.total)} attachments, edges ${s.edges.join(', ')}`,
      `    reaches: ${s.reaches.map((r) => `${r.segment} (${r.how}${r.via ? ` via ${r.via}` : ''})`).join(', ') || 'nothing'}`,
      ...s.problems.map((p) => `    problem: ${p}`),
    );
  }
  for (const p of report.problems) lines.push(`  problem: ${p}`);
  for (const n of report.notes) lines.push(`  note: ${n}`);
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function simulate(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('simulate', args, 1, 'FILE --attachment ID --segment S');
  const attachmentId = requireOption(ctx, 'attachment', 'simulate', 'the attachment to move');
  const segment = requireOption(ctx, 'segment', 'simulate', 'the segment to move it to');
  const { topology } = await load(ctx, args[0] as string);
  const { analyzeCoreNetwork, simulateAttachmentChange } = await import('../../topology/analysis/index.js');
  const result = simulateAttachmentChange(analyzeCoreNetwork(topology), { attachmentId, segment });
  if (ctx.options.json === true) return printJson(ctx, result);
  ctx.io.stdout.write(`${result.summary}\n`);
  return 0;
}

async function validatePolicy(ctx: RunContext, args: readonly string[]): Promise<number> {
  expectArgs('validate-policy', args, 1, 'FILE');
  const { formatPolicyReport, readPolicyFile } = await import('../../topology/policy/index.js');
  const report = await readPolicyFile(resolve(ctx.io.cwd, args[0] as string));
  if (ctx.options.json === true) printJson(ctx, report);
  else ctx.io.stdout.write(`${formatPolicyReport(report)}\n`);
  return report.valid ? 0 : 1;
}

async function load(ctx: RunContext, file: string): Promise<LoadedTopology> {
  const { loadTopology } = await import('../../topology/load.js');
  const loaded = await loadTopology(resolve(ctx.io.cwd, file), { lenient: ctx.options.lenient === true });
  if (loaded.warningCount > 0 && ctx.options.json !== true)
    for (const line of warningLines(loaded)) ctx.io.stderr.write(`${line}\n`);
  return loaded;
}

function warningLines(loaded: LoadedTopology): string[] {
  if (loaded.warningCount === 0) return [];
  const more = loaded.warningCount - loaded.warnings.length;
  return [
    `  ${count(loaded.warningCount)} warnings (${count(loaded.snapshot.skipped)} records skipped):`,
    ...loaded.warnings.slice(0, 20).map((w) => `    ${w}`),
    ...(more > 0 || loaded.warnings.length > 20
      ? [`    ... and ${count(loaded.warningCount - 20)} more`]
      : []),
  ];
}

function expectArgs(action: string, args: readonly string[], n: number, usage: string): void {
  if (args.length !== n)
    throw new UsageError(
      `usage: headroom topology ${action} ${usage} (${args.length} arguments given, ${n} expected)`,
    );
}

function requireOption(ctx: RunContext, name: string, action: string, what: string): string {
  const value = ctx.options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${action} needs --${name}: ${what}`);
  return value;
}

function stringOption(ctx: RunContext, name: 'segment' | 'region'): { segment?: string; region?: string } {
  const value = ctx.options[name];
  return typeof value === 'string' ? { [name]: value } : {};
}

function integerOption(ctx: RunContext, name: string, min: number): number | undefined {
  const value = ctx.options[name];
  if (value === undefined) return undefined;
  const n = Number(String(value).replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${String(value)}'`);
  return n;
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function printJson(ctx: RunContext, value: unknown): number {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}
