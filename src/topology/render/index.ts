/**
 * Topology diagrams as Mermaid, DOT or SVG, bounded whatever the topology's size: a topology of at
 * most `maxNodes` elements is drawn whole; a larger one as an overview, with drill-down into one
 * segment or region (or both) on request. Text is produced progressively for Mermaid and DOT.
 */
import { TopologyError } from '../../errors.js';
import type { TopologyView } from '../model.js';
import { writeDot } from './dot.js';
import { drillGraph } from './drill.js';
import { fullGraph } from './full.js';
import type { DiagramGraph } from './graph.js';
import { writeMermaid } from './mermaid.js';
import { overviewGraph } from './overview.js';
import { createSvgRenderer, type SvgRenderer } from './svg.js';

export { createSvgRenderer, type SvgRenderer } from './svg.js';

export const RENDER_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export interface RenderOptions {
  format: RenderFormat;
  /** Drill into this segment (or network function group). */
  segment?: string;
  /** Drill into this region; with `segment`, that segment's attachments in this region. */
  region?: string;
  /** Most nodes in the diagram (10 to 5,000); larger topologies are summarized. */
  maxNodes?: number;
  /** Most links in the diagram; three per node by default. */
  maxEdges?: number;
  /** For SVG: a renderer to reuse (it holds the Graphviz instance); one is made per call otherwise. */
  svg?: SvgRenderer;
}

export const DEFAULT_MAX_NODES = 150;
const MIN_NODES = 10;
const MAX_NODES = 5000;

/** The diagram as one string. */
export async function renderTopology(view: TopologyView, options: RenderOptions): Promise<string> {
  const pieces: string[] = [];
  await renderTopologyTo(view, options, (text) => {
    pieces.push(text);
  });
  return pieces.join('');
}

/** The diagram in pieces of text handed to `write` as they are produced (SVG: one piece). */
export async function renderTopologyTo(
  view: TopologyView,
  options: RenderOptions,
  write: (text: string) => void | Promise<void>,
): Promise<void> {
  const graph = diagramGraph(view, options);
  if (options.format === 'mermaid') return writeMermaid(graph, write);
  if (options.format === 'dot') return writeDot(graph, write);
  const dot: string[] = [];
  await writeDot(graph, (text) => {
    dot.push(text);
  });
  await write(await (options.svg ?? createSvgRenderer()).render(dot.join('')));
}

/** Which diagram the options ask for, built under the caps. */
export function diagramGraph(view: TopologyView, options: RenderOptions): DiagramGraph {
  if (!RENDER_FORMATS.includes(options.format)) {
    throw new TopologyError('render', `unknown diagram format '${options.format}'; use mermaid, dot or svg.`);
  }
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (!(Number.isInteger(maxNodes) && maxNodes >= MIN_NODES && maxNodes <= MAX_NODES)) {
    throw new TopologyError(
      'render',
      `maxNodes must be an integer from ${MIN_NODES} to ${MAX_NODES}, got ${maxNodes}.`,
    );
  }
  const maxEdges = options.maxEdges ?? 3 * maxNodes;
  if (!(Number.isInteger(maxEdges) && maxEdges >= 0 && maxEdges <= 10 * MAX_NODES)) {
    throw new TopologyError(
      'render',
      `maxEdges must be an integer from 0 to ${10 * MAX_NODES}, got ${maxEdges}.`,
    );
  }
  const limits = { maxNodes, maxEdges };
  if (options.segment !== undefined || options.region !== undefined) {
    return drillGraph(view, { segment: options.segment, region: options.region }, limits);
  }
  return view.elementCount <= maxNodes ? fullGraph(view, limits) : overviewGraph(view, limits);
}
