/**
 * A loaded Cloud WAN network as the MCP tools see it: the topology, where it came from and when,
 * and what discovery could not read. Analyses are computed on first use per core network and kept,
 * since each tool call would otherwise redo the same policy work.
 */
import { CloudWanError } from '../errors.js';
import { analyzeCoreNetwork, type CoreNetworkAnalysis } from '../topology/analysis/index.js';
import type { TopologyView } from '../topology/model.js';
import type { DiscoveryProblem, NetworkRouteTables } from './discovery/index.js';

export type NetworkKind = 'snapshot' | 'generated' | 'aws';

/** What a loader returns. */
export interface NetworkData {
  view: TopologyView;
  kind: NetworkKind;
  /** In words: "snapshot net.ndjson", "generated 5,000 elements (seed 1)", "AWS core network core-network-0abc". */
  source: string;
  /** Route tables as AWS reports them (GetNetworkRoutes); only for discovered networks. */
  networkRoutes?: NetworkRouteTables;
  /** What discovery could not read (each with the permission it needed). */
  problems: DiscoveryProblem[];
  /** Warnings of a lenient snapshot load. */
  warnings: string[];
  /** AWS API calls made, by `service:Operation`. */
  calls?: Record<string, number>;
  policyVersionId?: number;
  loadMs: number;
}

export class LoadedNetwork {
  readonly loadedAt: Date;
  private readonly analyses = new Map<number, CoreNetworkAnalysis>();

  constructor(
    readonly data: NetworkData,
    /** Grows by one per load, so a cursor made before a refresh is recognised as stale. */
    readonly generation: number,
    now = new Date(),
  ) {
    this.loadedAt = now;
  }

  get view(): TopologyView {
    return this.data.view;
  }

  /** Exact bytes of the store, plus the discovered route tables. */
  bytes(): number {
    return this.view.byteSize().total + (this.data.networkRoutes?.byteSize() ?? 0);
  }

  coreNetworkIds(): string[] {
    return [...this.view.elementsOfType('core-network')].map((i) => this.view.id(i));
  }

  /** The core network asked for, or the only one; the error names those that exist. */
  coreNetwork(id?: string): number {
    const ids = this.coreNetworkIds();
    if (id !== undefined) {
      const index = this.view.indexOf(id);
      if (index >= 0 && this.view.type(index) === 'core-network') return index;
      throw new CloudWanError(
        `no core network '${id}' in ${this.data.source}; core networks: ${ids.join(', ') || 'none'}`,
      );
    }
    if (ids.length === 0) throw new CloudWanError(`${this.data.source} has no core network`);
    if (ids.length > 1) {
      throw new CloudWanError(
        `${this.data.source} has ${ids.length} core networks: pass core_network_id (one of ${ids.join(', ')})`,
      );
    }
    return this.view.indexOf(ids[0] as string);
  }

  analysis(coreNetworkId?: string): CoreNetworkAnalysis {
    const core = this.coreNetwork(coreNetworkId);
    let analysis = this.analyses.get(core);
    if (!analysis) {
      if (!this.view.policy(core)) {
        throw new CloudWanError(
          `core network '${this.view.id(core)}' has no policy in ${this.data.source}, so its routes cannot be computed`,
        );
      }
      analysis = analyzeCoreNetwork(this.view, core);
      this.analyses.set(core, analysis);
    }
    return analysis;
  }
}
