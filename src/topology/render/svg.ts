/**
 * SVG through Graphviz compiled to WebAssembly (@viz-js/viz). Loading it compiles a few MB of
 * WebAssembly, so it is imported only when SVG is asked for, and a renderer object holds the
 * instance: a caller that renders many diagrams (a server) creates one renderer and passes it in,
 * and nothing is cached at module level.
 */
import { createRequire } from 'node:module';
import type { Viz } from '@viz-js/viz';

export interface SvgRenderer {
  /** Lays out DOT text and returns the SVG document. */
  render(dot: string): Promise<string>;
}

export function createSvgRenderer(): SvgRenderer {
  let viz: Promise<Viz> | undefined;
  return {
    async render(dot: string): Promise<string> {
      // A failed load is not kept: the next render tries again.
      // Required, not imported: the CLI is one bundled script, which cannot import(); the package
      // stays outside the bundle (scripts/bundle.mjs) and ships its CommonJS build for require.
      viz ??= Promise.resolve()
        .then(() =>
          (createRequire(import.meta.url)('@viz-js/viz') as typeof import('@viz-js/viz')).instance(),
        )
        .catch((error: unknown) => {
          viz = undefined;
          throw error;
        });
      const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
      if (result.status === 'success') return result.output;
      const messages = result.errors.map((e) => e.message.trim()).join('; ');
      // The DOT is generated here, so a failure is a bug in the writer, not in the user's topology.
      throw new Error(
        `Graphviz could not lay out the diagram (${messages}); please report this with the topology.`,
      );
    },
  };
}
