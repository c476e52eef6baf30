import { UsageError } from '../../errors.js';
import { formatBytes } from '../../util/bytes.js';
import type { CommandDefinition } from '../types.js';

export const specCommand: CommandDefinition = {
  name: 'spec',
  summary: 'Inspect an OpenAPI specification: operations, schemas, bytes, and what optimizing saves.',
  usage: `headroom spec inspect SPEC
  Loads a specification (file, http(s) URL, or - for stdin; Swagger 2.0, OpenAPI 3.0 or 3.1) and
  reports its operations and schemas, its size, the bytes each optimization saves (examples, vendor
  extensions, long descriptions, duplicate schemas; measured on the document's JSON), and what
  serving it lists: tools, shared schemas and the size of tools/list with one tool per operation.`,
  args: 'inspect <SPEC>',
  options: [
    { name: 'json', type: 'boolean', description: 'Print the report as JSON.' },
    {
      name: 'max-spec-size',
      type: 'string',
      valueName: 'SIZE',
      configPath: 'openapi.maxSpecSize',
      description: 'Largest specification accepted (default 100MB).',
    },
    {
      name: 'allow-remote-refs',
      type: 'boolean',
      configPath: 'openapi.allowRemoteRefs',
      description: 'Follow $refs to http(s) URLs.',
    },
    {
      name: 'allow-external-refs',
      type: 'boolean',
      configPath: 'openapi.allowExternalRefs',
      description: "Follow $refs outside the spec's folder.",
    },
  ],
  async run(ctx) {
    const [action, source, ...rest] = ctx.positionals;
    if (action !== 'inspect' || source === undefined || rest.length > 0) {
      throw new UsageError('usage: headroom spec inspect <SPEC> (a file, an http(s) URL, or - for stdin)');
    }
    const { inspectSpec } = await import('../../openapi/inspect.js');
    const o = ctx.config.openapi;
    const report = await inspectSpec(source, {
      load: { maxSpecBytes: o.maxSpecSize, cwd: ctx.io.cwd, allowNetwork: /^https?:\/\//i.test(source) },
      refs: { allowRemote: o.allowRemoteRefs, allowOutsideFolder: o.allowExternalRefs },
      optimize: { keepExtensions: o.keepExtensions },
      schemaBudgetBytes: o.schemaBudget,
    });
    if (ctx.options.json === true) {
      ctx.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const { optimization: opt, catalog } = report;
    const saved = (bytes: number | undefined, count: number) =>
      `${formatBytes(bytes ?? 0).padStart(10)}  (${count} removed or changed)`;
    const lines = [
      `${report.title || report.source}  (${report.source})`,
      `  version ${report.version}, ${report.format.toUpperCase()}, ${formatBytes(report.fileBytes)} on disk`,
      `  ${report.paths} paths, ${report.operations} operations (${Object.entries(report.operationsByMethod)
        .map(([method, n]) => `${method} ${n}`)
        .join(', ')}), ${report.tags} tags, ${report.componentSchemas} component schemas`,
      '',
      `Optimization, measured on the document's JSON (${formatBytes(opt.bytesBefore ?? 0)}):`,
      `  examples            ${saved(opt.saved.examples, opt.counts.examples)}`,
      `  vendor extensions   ${saved(opt.saved.extensions, opt.counts.extensions)}`,
      `  long descriptions   ${saved(opt.saved.descriptions, opt.counts.descriptions)}`,
      `  duplicate schemas   ${saved(opt.saved.duplicateSchemas, opt.counts.duplicateSchemas)}`,
      `  after               ${formatBytes(opt.bytesAfter ?? 0).padStart(10)}  (${percent(opt.bytesAfter, opt.bytesBefore)} of before)`,
      '',
      'Served as MCP tools:',
      `  ${catalog.operations} tools, ${catalog.sharedSchemas} shared schemas, ${catalog.warnings} warnings`,
      `  tools/list with one tool per operation: ${formatBytes(catalog.allModeListBytes)}`,
      `  (${catalog.operations > 100 ? 'auto mode serves this API as 3 dynamic tools' : 'auto mode lists one tool per operation when the list is small'})`,
      '',
      ...credentialLines(report.credentials),
      `Inspected in ${report.ms} ms.`,
    ];
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** The secrets calls need, by the variables that carry them. */
function credentialLines(
  credentials: Array<{ scheme: string; kind: string; variables: string[] }>,
): string[] {
  if (credentials.length === 0) return ['Credentials: none declared', ''];
  return [
    'Credentials (environment variables, or openapi.auth in headroom.yml):',
    ...credentials.map(
      ({ scheme, kind, variables }) =>
        `  ${scheme.padEnd(20)} ${kind}: ${variables.length > 0 ? variables.join(', ') : 'not supported'}`,
    ),
    '',
  ];
}

function percent(part: number | undefined, whole: number | undefined): string {
  if (!part || !whole) return '-';
  return `${((100 * part) / whole).toFixed(1)}%`;
}
