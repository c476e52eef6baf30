/**
 * SVG diagrams made by render_topology, kept for `resources/read` (a few, newest first): an SVG is
 * often larger than a tool result may be, so the result links to it and the client reads it whole.
 */
import { randomUUID } from 'node:crypto';
import type { ReadResourceResult } from '@modelcontextprotocol/server';
import { CursorError } from '../../errors.js';
import { createSvgRenderer, type SvgRenderer } from '../../topology/render/index.js';
import type { ResourceProvider } from '../server.js';

export const RENDER_URI_PREFIX = 'headroom://cloudwan/render/';

export class RenderStore implements ResourceProvider {
  private readonly kept = new Map<string, string>();
  readonly templates = [
    {
      uriTemplate: `${RENDER_URI_PREFIX}{id}.svg`,
      name: 'cloudwan-render',
      title: 'Cloud WAN diagram',
      description: 'An SVG diagram made by render_topology (the latest few are kept).',
      mimeType: 'image/svg+xml',
    },
  ];

  private svg: SvgRenderer | undefined;

  constructor(private readonly keep = 8) {}

  /** One Graphviz instance for the server's life, made on the first SVG. */
  svgRenderer(): SvgRenderer {
    this.svg ??= createSvgRenderer();
    return this.svg;
  }

  add(svg: string): string {
    const uri = `${RENDER_URI_PREFIX}${randomUUID()}.svg`;
    this.kept.set(uri, svg);
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.keep) break;
      this.kept.delete(oldest);
    }
    return uri;
  }

  async read(uri: string): Promise<ReadResourceResult> {
    const svg = this.kept.get(uri);
    if (svg === undefined)
      throw new CursorError(
        `no diagram at ${uri}: only the latest ${this.keep} are kept; call render_topology again`,
      );
    return { contents: [{ uri, mimeType: 'image/svg+xml', text: svg }] };
  }
}
