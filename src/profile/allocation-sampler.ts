/**
 * Allocation sites from V8's sampling heap profiler, through an in-process inspector session.
 *
 * The sampler is one per process (one per V8 isolate), whichever session started it, and a second
 * `startSampling` is silently ignored while a later `stopSampling` from any session ends it for
 * everyone. So:
 * - runs of the same profiler share one sampling: the first starts it, the last stops it, and each
 *   run keeps only the samples whose ordinal (V8 numbers samples in order) is above the last one
 *   that existed when the run began. Runs that overlap see each other's allocations; the report
 *   names them (`overlappedWith`).
 * - when sampling is already running for someone else (another profiler, a leak detector,
 *   DevTools), a run does not touch it: it is reported as skipped, with the reason.
 * - when someone else stops it during a run, the run is reported as failed, with the reason.
 *
 * On the main thread and in workers the session answers synchronously, so starting is synchronous
 * too and `MemoryProfiler.start()` needs no await.
 */
import { Session } from 'node:inspector';
import { findSourceMap, type SourceMap } from 'node:module';
import type { AllocationSampling, AllocationSite } from './report.js';

/** The parts of V8's SamplingHeapProfile used here (newer than @types/node's declaration). */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children: ProfileNode[];
}
interface SamplingProfile {
  head: ProfileNode;
  /** `size` is already scaled by V8 to the bytes the sample stands for. */
  samples?: { size: number; nodeId: number; ordinal: number }[];
}

/** A run's share of the sampling. */
export interface SamplingLease {
  readonly name: string;
  /** Samples with an ordinal above this one belong to the run. */
  readonly afterOrdinal: number;
  readonly overlappedWith: Set<string>;
}

export interface SiteOptions {
  topSites: number;
  stackDepth: number;
}

export class AllocationSampler {
  private session: Session | undefined;
  private readonly active = new Set<SamplingLease>();
  private intervalBytes = 0;
  private includesCollected = false;

  /**
   * Starts sampling, or joins this sampler's sampling; returns the run's lease, or a report of why
   * the run is not sampled.
   */
  begin(name: string, intervalBytes: number, includeCollected: boolean): SamplingLease | AllocationSampling {
    if (this.session && this.active.size > 0) {
      let afterOrdinal: number;
      try {
        afterOrdinal = lastOrdinal(this.call<{ profile: SamplingProfile }>('getSamplingProfile').profile);
      } catch (error) {
        return notSampled(
          'failed',
          `V8's sampling heap profiler stopped before this run: ${messageOf(error)}`,
        );
      }
      const lease: SamplingLease = { name, afterOrdinal, overlappedWith: new Set() };
      for (const other of this.active) {
        other.overlappedWith.add(name);
        lease.overlappedWith.add(other.name);
      }
      this.active.add(lease);
      return lease;
    }
    const session = new Session();
    try {
      session.connect();
    } catch (error) {
      return notSampled('failed', `the inspector refused a session: ${messageOf(error)}`);
    }
    this.session = session;
    let busy = true;
    try {
      this.call('getSamplingProfile');
    } catch {
      busy = false;
    }
    if (busy) {
      this.disconnect();
      return notSampled(
        'skipped',
        "V8's sampling heap profiler is already running for another inspector session (another " +
          'profiler, a leak detector or DevTools); it is one per process, so this run was not sampled',
      );
    }
    try {
      this.call('startSampling', {
        samplingInterval: intervalBytes,
        includeObjectsCollectedByMajorGC: includeCollected,
        includeObjectsCollectedByMinorGC: includeCollected,
      });
    } catch (error) {
      this.disconnect();
      return notSampled('failed', `V8 refused to start its sampling heap profiler: ${messageOf(error)}`);
    }
    this.intervalBytes = intervalBytes;
    this.includesCollected = includeCollected;
    const lease: SamplingLease = { name, afterOrdinal: -1, overlappedWith: new Set() };
    this.active.add(lease);
    return lease;
  }

  /** Ends a run's share: reads the profile (stopping the sampler when it was the last run) and sums its sites. */
  end(lease: SamplingLease, options: SiteOptions): AllocationSampling {
    if (!this.active.delete(lease)) return notSampled('failed', 'the run had already ended');
    let profile: SamplingProfile;
    try {
      const last = this.active.size === 0;
      profile = this.call<{ profile: SamplingProfile }>(last ? 'stopSampling' : 'getSamplingProfile').profile;
    } catch (error) {
      return notSampled(
        'failed',
        `V8's sampling heap profiler was stopped during the run, probably by another inspector session: ${messageOf(error)}`,
      );
    } finally {
      if (this.active.size === 0) this.disconnect();
    }
    const sites = aggregate(profile, lease.afterOrdinal, options);
    return {
      status: 'sampled',
      intervalBytes: this.intervalBytes,
      includesCollected: this.includesCollected,
      sampledBytes: sites.sampledBytes,
      sites: sites.top,
      ...(lease.overlappedWith.size > 0 ? { overlappedWith: [...lease.overlappedWith] } : {}),
    };
  }

  private disconnect(): void {
    this.session?.disconnect();
    this.session = undefined;
  }

  /** One HeapProfiler command, answered synchronously by an in-thread session. */
  private call<T = unknown>(method: string, params: object = {}): T {
    const session = this.session;
    if (!session) throw new Error('no inspector session');
    let answered = false;
    let failure: Error | null = null;
    let result: unknown;
    session.post(`HeapProfiler.${method}`, params, (error, value) => {
      answered = true;
      failure = error;
      result = value;
    });
    if (!answered) throw new Error(`the inspector did not answer HeapProfiler.${method} synchronously`);
    if (failure) throw failure;
    return result as T;
  }
}

export function notSampled(status: 'skipped' | 'failed', reason: string): AllocationSampling {
  return { status, reason, sampledBytes: 0, sites: [] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function lastOrdinal(profile: SamplingProfile): number {
  let last = -1;
  for (const sample of profile.samples ?? []) if (sample.ordinal > last) last = sample.ordinal;
  return last;
}

interface SiteTotal {
  frame: CallFrame;
  bytes: number;
  samples: number;
  /** The node with the most bytes for this frame: its callers become the site's stack. */
  heaviest: number;
  heaviestBytes: number;
}

/** Sums the run's samples per call frame (a function reached along many stacks is one site). */
export function aggregate(
  profile: SamplingProfile,
  afterOrdinal: number,
  options: SiteOptions,
): { sampledBytes: number; top: AllocationSite[] } {
  const nodes = new Map<number, { frame: CallFrame; parent: number | undefined }>();
  const pending: { node: ProfileNode; parent: number | undefined }[] = [
    { node: profile.head, parent: undefined },
  ];
  // Iterative: deep recursion in the profiled code makes a deep tree.
  for (let item = pending.pop(); item; item = pending.pop()) {
    nodes.set(item.node.id, { frame: item.node.callFrame, parent: item.parent });
    for (const child of item.node.children) pending.push({ node: child, parent: item.node.id });
  }
  const byNode = new Map<number, { bytes: number; samples: number }>();
  let sampledBytes = 0;
  for (const sample of profile.samples ?? []) {
    if (sample.ordinal <= afterOrdinal) continue;
    sampledBytes += sample.size;
    const total = byNode.get(sample.nodeId) ?? { bytes: 0, samples: 0 };
    total.bytes += sample.size;
    total.samples++;
    byNode.set(sample.nodeId, total);
  }
  const bySite = new Map<string, SiteTotal>();
  for (const [id, total] of byNode) {
    const frame = nodes.get(id)?.frame;
    if (!frame) continue;
    const key = `${frame.functionName}\0${frame.url}\0${frame.lineNumber}\0${frame.columnNumber}`;
    const site = bySite.get(key) ?? { frame, bytes: 0, samples: 0, heaviest: id, heaviestBytes: 0 };
    site.bytes += total.bytes;
    site.samples += total.samples;
    if (total.bytes > site.heaviestBytes) {
      site.heaviest = id;
      site.heaviestBytes = total.bytes;
    }
    bySite.set(key, site);
  }
  const original = sourceMapper();
  const top = [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, options.topSites)
    .map((site) => {
      const frame = original(site.frame);
      return {
        functionName: nameOf(frame),
        url: frame.url,
        line: frame.lineNumber + 1,
        column: frame.columnNumber + 1,
        location: locationOf(frame),
        bytes: site.bytes,
        share: sampledBytes > 0 ? site.bytes / sampledBytes : 0,
        samples: site.samples,
        stack: stackOf(nodes, site.heaviest, options.stackDepth, original),
      };
    });
  return { sampledBytes, top };
}

/**
 * Maps a frame of generated code (TypeScript run through tsx, a bundle) to its source, where Node
 * has the script's source map (source maps enabled, as tsx and --enable-source-maps do); frames
 * without one are kept as V8 gave them.
 */
function sourceMapper(): (frame: CallFrame) => CallFrame {
  const maps = new Map<string, SourceMap | undefined>();
  return (frame) => {
    if (!frame.url || frame.lineNumber < 0) return frame;
    let map = maps.get(frame.url);
    if (!maps.has(frame.url)) {
      try {
        map = findSourceMap(frame.url);
      } catch {
        map = undefined;
      }
      maps.set(frame.url, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined)
      return frame;
    return {
      functionName: frame.functionName,
      url: entry.originalSource,
      lineNumber: entry.originalLine,
      columnNumber: entry.originalColumn,
    };
  };
}

function nameOf(frame: CallFrame): string {
  return frame.functionName || '(anonymous)';
}

function locationOf(frame: CallFrame): string {
  return frame.url ? `${frame.url}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : nameOf(frame);
}

function stackOf(
  nodes: Map<number, { frame: CallFrame; parent: number | undefined }>,
  id: number,
  depth: number,
  original: (frame: CallFrame) => CallFrame,
): string[] {
  const stack: string[] = [];
  for (let parent = nodes.get(id)?.parent; parent !== undefined && stack.length < depth; ) {
    const node = nodes.get(parent);
    // The tree's root is V8's '(root)' placeholder, not a caller.
    if (!node || node.parent === undefined) break;
    const frame = original(node.frame);
    stack.push(frame.url ? `${nameOf(frame)} (${locationOf(frame)})` : nameOf(frame));
    parent = node.parent;
  }
  return stack;
}
