/** Tools about the loaded topology as a whole: summary, chunks, diagrams, loading and refreshing. */
import type { LoadedNetwork } from '../../cloudwan/network.js';
import { CloudWanError } from '../../errors.js';
import { ELEMENT_TYPES } from '../../topology/model.js';
import { RENDER_FORMATS, renderTopology } from '../../topology/render/index.js';
import { StreamingTopologyManager, type TopologyChunk } from '../../topology/stream.js';
import { formatBytes } from '../../util/bytes.js';
import { type CloudWanTool, DirectResult, readOnlyTool, text } from './tool.js';

export function topologySummary(network: LoadedNetwork): Record<string, unknown> {
  const view = network.view;
  const bytes = view.byteSize().total;
  const byType: Record<string, number> = {};
  for (const type of ELEMENT_TYPES) {
    const n = view.elementsOfType(type).length;
    if (n > 0) byType[type] = n;
  }
  const d = network.data;
  return {
    source: d.source,
    elements: view.elementCount,
    connections: view.connectionCount,
    routes: view.routeCount,
    byType,
    coreNetworks: network.coreNetworkIds(),
    regions: view.regions(),
    segments: view.segments(),
    storeBytes: bytes,
    bytesPerElement: view.elementCount > 0 ? Math.round((bytes / view.elementCount) * 10) / 10 : 0,
    ...(d.networkRoutes
      ? { networkRouteTables: d.networkRoutes.tables().length, networkRouteBytes: d.networkRoutes.byteSize() }
      : {}),
    loadMs: d.loadMs,
    ...(d.calls ? { awsCalls: d.calls } : {}),
    ...(d.problems.length > 0 ? { problems: d.problems } : {}),
    ...(d.warnings.length > 0 ? { warnings: d.warnings } : {}),
  };
}

const summary: CloudWanTool = {
  definition: readOnlyTool(
    'topology_summary',
    'Topology summary',
    'What is loaded: element, connection and route counts by type, regions, segments, the bytes the store takes, load time, AWS calls made and anything discovery could not read (with the IAM permission it needed).',
    {},
  ),
  async run(_args, ctx) {
    return topologySummary(await ctx.network());
  },
};

const stream: CloudWanTool = {
  definition: readOnlyTool(
    'stream_topology_chunks',
    'Topology in chunks',
    'The whole topology as chunks of elements and connections, in streaming order (global network, core network, transit gateways, VPCs by region, segments, connections, function groups), a page of chunks at a time.',
    {
      chunk_size: {
        type: 'integer',
        minimum: 1,
        maximum: 10_000,
        description: 'Records per chunk (default 200).',
      },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        description: 'Most chunks in this page (default 5; fewer when they would not fit).',
      },
      cursor: { type: 'string', description: 'nextCursor of the previous page (use the same chunk_size).' },
    },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const chunkSize = args.integer('chunk_size', 1, 10_000) ?? 200;
    const limit = args.integer('limit', 1, 100) ?? 5;
    const cursor = args.string('cursor');
    const start = cursor === undefined ? 0 : chunkCursor(cursor, network.generation, chunkSize);
    const chunks: TopologyChunk[] = [];
    let bytes = 0;
    let index = 0;
    let more = false;
    const manager = new StreamingTopologyManager();
    for await (const chunk of manager.streamChunks(network.view, { chunkSize, signal: ctx.call.signal })) {
      if (index++ < start) continue;
      const size = Buffer.byteLength(JSON.stringify(chunk));
      if (chunks.length >= limit || (chunks.length > 0 && bytes + size > ctx.budgetBytes)) {
        more = true;
        break;
      }
      if (size > ctx.budgetBytes)
        throw new CloudWanError(
          `chunk ${chunk.id} takes ${formatBytes(size)}, over the response budget of ${formatBytes(ctx.budgetBytes)}: pass a smaller chunk_size (now ${chunkSize})`,
        );
      chunks.push(chunk);
      bytes += size;
    }
    const next = start + chunks.length;
    return {
      chunks,
      totalElements: network.view.elementCount,
      totalConnections: network.view.connectionCount,
      ...(more ? { nextCursor: `c${network.generation}.${chunkSize}.${next}` } : {}),
    };
  },
};

function chunkCursor(cursor: string, generation: number, chunkSize: number): number {
  const match = /^c(\d+)\.(\d+)\.(\d+)$/.exec(cursor);
  if (!match)
    throw new CloudWanError(
      `cursor '${cursor}' is not one stream_topology_chunks made; call without cursor to start over`,
    );
  if (Number(match[1]) !== generation)
    throw new CloudWanError(
      'the topology was loaded again since this cursor was made; call without cursor to start over',
    );
  if (Number(match[2]) !== chunkSize)
    throw new CloudWanError(`this cursor was made with chunk_size ${match[2]}; pass the same chunk_size`);
  return Number(match[3]);
}

const MIN_NODES = 10;

const render: CloudWanTool = {
  definition: readOnlyTool(
    'render_topology',
    'Diagram of the topology',
    'A diagram: Mermaid or Graphviz DOT text, or SVG (returned as an MCP resource). A large topology is drawn as an overview (segments, edges, counts); give segment and/or region to drill into one part. Output stays within the response budget.',
    {
      format: { type: 'string', enum: [...RENDER_FORMATS], description: 'mermaid (default), dot or svg.' },
      segment: text('Drill into this segment or network function group.'),
      region: text('Drill into this region (with segment: that segment in this region).'),
      max_nodes: {
        type: 'integer',
        minimum: MIN_NODES,
        maximum: 5000,
        description: 'Most nodes drawn (default 150).',
      },
    },
  ),
  async run(args, ctx) {
    const network = await ctx.network();
    const format = args.oneOf('format', RENDER_FORMATS) ?? 'mermaid';
    const segment = args.string('segment');
    const region = args.string('region');
    const options = { format, ...(segment ? { segment } : {}), ...(region ? { region } : {}) };
    if (format === 'svg') {
      const svg = await renderTopology(network.view, {
        ...options,
        svg: ctx.renders.svgRenderer(),
        ...(args.integer('max_nodes', MIN_NODES, 5000) !== undefined
          ? { maxNodes: args.integer('max_nodes', MIN_NODES, 5000) }
          : {}),
      });
      const uri = ctx.renders.add(svg);
      const bytes = Buffer.byteLength(svg);
      const fits = bytes <= ctx.budgetBytes;
      return new DirectResult({
        content: [
          {
            type: 'text',
            text: JSON.stringify({
              format,
              uri,
              bytes,
              embedded: fits,
              ...(fits ? {} : { note: 'over the response budget: read the resource' }),
            }),
          },
          fits
            ? { type: 'resource', resource: { uri, mimeType: 'image/svg+xml', text: svg } }
            : { type: 'resource_link', uri, name: 'topology.svg', mimeType: 'image/svg+xml' },
        ],
      });
    }
    // Text diagrams go into the result: draw fewer nodes until the text fits the budget.
    let maxNodes = args.integer('max_nodes', MIN_NODES, 5000) ?? 150;
    for (;;) {
      const diagram = await renderTopology(network.view, { ...options, maxNodes });
      const bytes = Buffer.byteLength(diagram);
      if (bytes + 200 <= ctx.budgetBytes || maxNodes <= MIN_NODES)
        return { format, maxNodes, bytes, diagram };
      maxNodes = Math.max(MIN_NODES, Math.floor(maxNodes / 2));
    }
  },
};

const loadSnapshot: CloudWanTool = {
  definition: readOnlyTool(
    'load_topology_snapshot',
    'Load a topology snapshot',
    'Serves a topology snapshot file (NDJSON or JSON, see docs/topology-snapshot.md) from now on, instead of the current data. The path must be inside the folder the server was started in (or the folder of its --snapshot).',
    { path: text('The snapshot file.') },
    ['path'],
  ),
  async run(args, ctx) {
    const loader = ctx.snapshotLoader(args.requiredString('path'));
    const network = await ctx.state.replace(loader, ctx.call.signal, ctx.call.progress);
    return { loaded: true, ...topologySummary(network) };
  },
};

const refresh: CloudWanTool = {
  definition: readOnlyTool(
    'refresh_topology',
    'Refresh the topology',
    'Loads the topology again now: discovers it again through AWS (or re-reads the snapshot), and reports what changed in counts.',
    {},
    [],
    { openWorld: true },
  ),
  async run(_args, ctx) {
    const before = ctx.state.peek();
    const network = await ctx.state.refresh(ctx.call.signal, ctx.call.progress);
    const after = topologySummary(network);
    return {
      refreshed: true,
      ...after,
      ...(before
        ? {
            changes: {
              elements: network.view.elementCount - before.view.elementCount,
              connections: network.view.connectionCount - before.view.connectionCount,
              routes: network.view.routeCount - before.view.routeCount,
            },
          }
        : {}),
    };
  },
};

export const TOPOLOGY_TOOLS: readonly CloudWanTool[] = [summary, stream, render, loadSnapshot, refresh];
