/**
 * The monitor's history: a fixed-size ring of samples stored as columns of numbers (one
 * Float64Array per field, per heap space, per component and per GC kind) rather than an object
 * per sample. An hour at 1 Hz is then about 30 columns x 3600 x 8 bytes (under 1 MB, allocated
 * once) instead of several MB of small objects the GC has to walk. Objects are made on reading.
 *
 * Downsampling (when a window holds more samples than `maxPoints`) groups consecutive samples in
 * buckets and keeps, per bucket:
 * - the MAX of every memory figure (rss, heap, external, heap spaces, components, limits), so a
 *   spike is never averaged away: a chart of peaks is what a memory dashboard is for;
 * - the MIN of free system memory (the worst moment);
 * - the SUM of GC counts and pauses, so totals over a window are the same at any resolution;
 * - the MEAN of event-loop p50 and utilization, the MAX of p99;
 * - the time of the bucket's last sample.
 */
import type { MemorySample } from './types.js';

type Aggregate = 'max' | 'min' | 'sum' | 'mean' | 'last';

interface Field {
  agg: Aggregate;
  read: (s: MemorySample) => number | undefined;
}

const FIELDS = {
  t: { agg: 'last', read: (s) => s.t },
  rss: { agg: 'max', read: (s) => s.rss },
  heapUsed: { agg: 'max', read: (s) => s.heapUsed },
  heapTotal: { agg: 'max', read: (s) => s.heapTotal },
  external: { agg: 'max', read: (s) => s.external },
  arrayBuffers: { agg: 'max', read: (s) => s.arrayBuffers },
  heapLimit: { agg: 'max', read: (s) => s.heapLimit },
  systemTotal: { agg: 'max', read: (s) => s.systemTotal },
  systemFree: { agg: 'min', read: (s) => s.systemFree },
  cgroupLimit: { agg: 'min', read: (s) => s.cgroupLimit },
  budgetBytes: { agg: 'last', read: (s) => s.budgetBytes },
  gcCount: { agg: 'sum', read: (s) => s.gc.count },
  gcPauseMs: { agg: 'sum', read: (s) => s.gc.pauseMs },
  p50Ms: { agg: 'mean', read: (s) => s.eventLoop.p50Ms },
  p99Ms: { agg: 'max', read: (s) => s.eventLoop.p99Ms },
  utilization: { agg: 'mean', read: (s) => s.eventLoop.utilization },
} satisfies Record<string, Field>;

type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

export interface SampleHistoryOptions {
  /** Samples kept; the oldest is overwritten. */
  capacity: number;
  /** Most named columns (heap spaces + components + GC kinds x 2); later names are dropped. Default 256. */
  maxKeys?: number;
  /** Told once when a name is dropped because of `maxKeys`. */
  onWarning?: (message: string) => void;
}

/** Columns for values that come by name (heap spaces, components, GC kinds). NaN marks "absent". */
class KeyedColumns {
  readonly columns = new Map<string, Float64Array>();

  constructor(
    readonly agg: Aggregate,
    private readonly owner: SampleHistory,
  ) {}

  clear(index: number): void {
    for (const column of this.columns.values()) column[index] = Number.NaN;
  }

  set(index: number, key: string, value: number): void {
    let column = this.columns.get(key);
    if (!column) {
      column = this.owner.newColumn(key);
      if (!column) return;
      this.columns.set(key, column);
    }
    column[index] = value;
  }
}

export class SampleHistory {
  readonly capacity: number;
  private readonly maxKeys: number;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly fixed = {} as Record<FieldName, Float64Array>;
  private readonly heapSpaces: KeyedColumns;
  private readonly components: KeyedColumns;
  private readonly gcCounts: KeyedColumns;
  private readonly gcPauses: KeyedColumns;
  private readonly groups: KeyedColumns[];
  private keys = 0;
  private warnedKeys = false;
  private head = 0;
  private count = 0;

  constructor(options: SampleHistoryOptions) {
    const { capacity } = options;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`SampleHistory: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.maxKeys = options.maxKeys ?? 256;
    this.onWarning = options.onWarning;
    for (const name of FIELD_NAMES) this.fixed[name] = new Float64Array(capacity).fill(Number.NaN);
    this.heapSpaces = new KeyedColumns('max', this);
    this.components = new KeyedColumns('max', this);
    this.gcCounts = new KeyedColumns('sum', this);
    this.gcPauses = new KeyedColumns('sum', this);
    this.groups = [this.heapSpaces, this.components, this.gcCounts, this.gcPauses];
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the columns. */
  byteSize(): number {
    let bytes = 0;
    for (const name of FIELD_NAMES) bytes += this.fixed[name].byteLength;
    for (const group of this.groups) for (const column of group.columns.values()) bytes += column.byteLength;
    return bytes;
  }

  push(sample: MemorySample): void {
    const i = this.head;
    for (const name of FIELD_NAMES) this.fixed[name][i] = FIELDS[name].read(sample) ?? Number.NaN;
    for (const group of this.groups) group.clear(i);
    for (const key in sample.heapSpaces) this.heapSpaces.set(i, key, sample.heapSpaces[key] ?? Number.NaN);
    for (const key in sample.gc.byKind) {
      const kind = sample.gc.byKind[key];
      if (!kind) continue;
      this.gcCounts.set(i, key, kind.count);
      this.gcPauses.set(i, key, kind.pauseMs);
    }
    // Components last: when names run out, the process's own series are the ones kept.
    for (const key in sample.components) this.components.set(i, key, sample.components[key] ?? Number.NaN);
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Samples with `t > afterT`, oldest first; when there are more than `maxPoints`, buckets of
   * consecutive samples reduced as the file header says.
   */
  window(afterT: number, maxPoints = Number.POSITIVE_INFINITY): MemorySample[] {
    if (!(maxPoints >= 1))
      throw new RangeError(`SampleHistory.window: maxPoints must be at least 1, got ${maxPoints}`);
    const t = this.fixed.t;
    let n = 0;
    while (n < this.count && (t[this.physical(this.count - 1 - n)] ?? Number.NaN) > afterT) n++;
    const start = this.count - n;
    const bucket = Math.max(1, Math.ceil(n / Math.floor(maxPoints)));
    const out: MemorySample[] = [];
    for (let from = start; from < this.count; from += bucket) {
      out.push(this.build(from, Math.min(this.count, from + bucket)));
    }
    return out;
  }

  /** A column for a new name, or undefined once `maxKeys` are in use. */
  newColumn(key: string): Float64Array | undefined {
    if (this.keys >= this.maxKeys) {
      if (!this.warnedKeys) {
        this.warnedKeys = true;
        this.onWarning?.(
          `monitor history: more than ${this.maxKeys} named series (heap spaces, components, GC kinds); ` +
            `"${key}" and later names are not kept in history. Register fewer components or raise maxKeys.`,
        );
      }
      return undefined;
    }
    this.keys++;
    return new Float64Array(this.capacity).fill(Number.NaN);
  }

  /** Ring position of the `logical`-th kept sample (0 = oldest). */
  private physical(logical: number): number {
    return (this.head - this.count + logical + this.capacity) % this.capacity;
  }

  /** One sample from the logical range [from, to), reduced when it holds more than one. */
  private build(from: number, to: number): MemorySample {
    const value = (column: Float64Array, agg: Aggregate) => this.reduce(column, agg, from, to);
    const f = (name: FieldName) => value(this.fixed[name], FIELDS[name].agg);
    const byKind: MemorySample['gc']['byKind'] = {};
    for (const [kind, counts] of this.gcCounts.columns) {
      const pauses = this.gcPauses.columns.get(kind);
      const count = value(counts, 'sum');
      if (!Number.isNaN(count)) byKind[kind] = { count, pauseMs: pauses ? zero(value(pauses, 'sum')) : 0 };
    }
    const cgroupLimit = f('cgroupLimit');
    return {
      t: f('t'),
      rss: f('rss'),
      heapUsed: f('heapUsed'),
      heapTotal: f('heapTotal'),
      external: f('external'),
      arrayBuffers: f('arrayBuffers'),
      heapLimit: f('heapLimit'),
      heapSpaces: this.named(this.heapSpaces, value),
      systemTotal: f('systemTotal'),
      systemFree: f('systemFree'),
      cgroupLimit: Number.isNaN(cgroupLimit) ? undefined : cgroupLimit,
      budgetBytes: f('budgetBytes'),
      gc: { count: zero(f('gcCount')), pauseMs: zero(f('gcPauseMs')), byKind },
      eventLoop: { p50Ms: zero(f('p50Ms')), p99Ms: zero(f('p99Ms')), utilization: zero(f('utilization')) },
      components: this.named(this.components, value),
    };
  }

  private named(
    group: KeyedColumns,
    value: (column: Float64Array, agg: Aggregate) => number,
  ): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, column] of group.columns) {
      const v = value(column, group.agg);
      if (!Number.isNaN(v)) out[key] = v;
    }
    return out;
  }

  /** The column's values over [from, to), absent ones (NaN) skipped; NaN when all are absent. */
  private reduce(column: Float64Array, agg: Aggregate, from: number, to: number): number {
    let result = Number.NaN;
    let n = 0;
    for (let logical = from; logical < to; logical++) {
      const v = column[this.physical(logical)] ?? Number.NaN;
      if (Number.isNaN(v)) continue;
      n++;
      if (n === 1 || agg === 'last') result = v;
      else if (agg === 'max') result = Math.max(v, result);
      else if (agg === 'min') result = Math.min(v, result);
      else result += v;
    }
    return agg === 'mean' && n > 0 ? result / n : result;
  }
}

function zero(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}
