/**
 * Where a `headroom cloudwan` network comes from: a snapshot file, the generator, or discovery
 * through AWS. Each is a `Loader` for CloudWanState. The AWS SDK is loaded only by the AWS loader,
 * so serving a snapshot never pays for it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TopologyBuilder } from '../topology/builder.js';
import { loadTopology } from '../topology/load.js';
import { generateSteps, planGeneration } from '../topology/sources/generate.js';
import { formatCount } from '../util/count.js';
import type { DiscoverOptions } from './discovery/index.js';
import type { Loader } from './state.js';

export function snapshotLoader(path: string, options: { lenient?: boolean; label?: string } = {}): Loader {
  return async (signal, progress) => {
    progress(0, undefined, `reading ${options.label ?? path}`);
    const loaded = await loadTopology(path, { lenient: options.lenient ?? false, signal });
    const more = loaded.warningCount - loaded.warnings.length;
    return {
      view: loaded.topology,
      kind: 'snapshot',
      source: `snapshot ${options.label ?? path}`,
      problems: [],
      warnings:
        more > 0 ? [...loaded.warnings, `... and ${formatCount(more)} more warnings`] : loaded.warnings,
      loadMs: loaded.loadMs,
    };
  };
}

/** Builds the generated topology a batch at a time, yielding between batches so calls keep flowing. */
export function generatedLoader(elements: number, seed: number): Loader {
  return async (signal, progress) => {
    const started = performance.now();
    const plan = planGeneration({ elements, seed });
    const builder = new TopologyBuilder({
      source: 'generator',
      expectedElements: plan.elements,
      expectedConnections: plan.connections,
    });
    const steps = generateSteps({ elements, seed, signal }, builder);
    let batches = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) break;
      if (++batches % 16 === 0) {
        progress(batches, undefined, `generating ${formatCount(elements)} elements`);
        await nextTurn();
      }
    }
    return {
      view: builder.build(),
      kind: 'generated',
      source: `generated topology of ${formatCount(elements)} elements (seed ${seed})`,
      problems: [],
      warnings: [],
      loadMs: Math.round(performance.now() - started),
    };
  };
}

export function awsLoader(options: Omit<DiscoverOptions, 'signal' | 'onProgress'>): Loader {
  return async (signal, progress) => {
    const { discoverCoreNetwork } = await import('./discovery/index.js');
    let step = 0;
    const result = await discoverCoreNetwork({
      ...options,
      signal,
      onProgress: (p) => progress(++step, undefined, p.message),
    });
    return {
      view: result.topology,
      kind: 'aws',
      source: `AWS core network ${result.coreNetworkId}`,
      networkRoutes: result.networkRoutes,
      problems: result.problems,
      warnings: [],
      calls: result.calls,
      ...(result.policyVersionId !== undefined ? { policyVersionId: result.policyVersionId } : {}),
      loadMs: result.ms,
    };
  };
}
