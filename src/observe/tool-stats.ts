/**
 * Per-tool figures: totals since start (calls, errors, bytes out) and, over the most recent
 * `window` calls, latency percentiles and the mean heap delta. Each tool keeps two fixed
 * Float64Array rings, so recording a call allocates nothing; percentiles are computed when asked,
 * and only again once new calls have come in.
 */
import type { ToolCallRecord, ToolStats } from './types.js';

export interface ToolStatsOptions {
  /** Calls kept per tool for percentiles and the mean memory delta. Default 1000. */
  window?: number;
  /** Most distinct tool names; calls of further names are counted under `otherName`. Default 500. */
  maxTools?: number;
  otherName?: string;
}

class ToolWindow {
  calls = 0;
  errors = 0;
  bytesOut = 0;
  callsPerSecond = 0;
  callsAtMark = 0;
  private readonly latencies: Float64Array;
  /** NaN where the call did not report a memory delta. */
  private readonly deltas: Float64Array;
  private next = 0;
  private filled = 0;
  private cached: ToolStats | undefined;

  constructor(readonly size: number) {
    this.latencies = new Float64Array(size);
    this.deltas = new Float64Array(size);
  }

  record(call: ToolCallRecord): void {
    this.calls++;
    if (!call.ok) this.errors++;
    if (call.bytesOut !== undefined && call.bytesOut > 0) this.bytesOut += call.bytesOut;
    this.latencies[this.next] = Number.isFinite(call.ms) && call.ms > 0 ? call.ms : 0;
    this.deltas[this.next] = call.memoryDeltaBytes ?? Number.NaN;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
    this.cached = undefined;
  }

  stats(scratch: Float64Array): ToolStats {
    if (this.cached && this.cached.callsPerSecond === this.callsPerSecond) return { ...this.cached };
    const n = this.filled;
    const sorted = scratch.subarray(0, n);
    sorted.set(this.latencies.subarray(0, n));
    sorted.sort();
    let deltaSum = 0;
    let deltas = 0;
    for (let i = 0; i < n; i++) {
      const d = this.deltas[i] ?? Number.NaN;
      if (Number.isNaN(d)) continue;
      deltaSum += d;
      deltas++;
    }
    this.cached = {
      calls: this.calls,
      errors: this.errors,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      p99Ms: percentile(sorted, 0.99),
      bytesOut: this.bytesOut,
      meanMemoryDeltaBytes: deltas > 0 ? deltaSum / deltas : 0,
      callsPerSecond: this.callsPerSecond,
    };
    return { ...this.cached };
  }
}

/** Nearest-rank percentile of sorted values; 0 when there are none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export class ToolStatsTable {
  private readonly window: number;
  private readonly maxTools: number;
  private readonly otherName: string;
  private readonly tools = new Map<string, ToolWindow>();
  private readonly scratch: Float64Array;
  private lastMark: number | undefined;

  constructor(options: ToolStatsOptions = {}) {
    this.window = options.window ?? 1000;
    this.maxTools = options.maxTools ?? 500;
    this.otherName = options.otherName ?? '(other)';
    if (!Number.isInteger(this.window) || this.window < 1)
      throw new RangeError(`tool statistics: toolWindow must be a positive integer, got ${this.window}`);
    if (!Number.isInteger(this.maxTools) || this.maxTools < 1)
      throw new RangeError(`tool statistics: maxTools must be a positive integer, got ${this.maxTools}`);
    this.scratch = new Float64Array(this.window);
  }

  record(call: ToolCallRecord): void {
    let tool = this.tools.get(call.tool);
    if (!tool) {
      // Past the cap, new names share one entry, so a client inventing names cannot grow memory.
      const name = this.tools.size < this.maxTools - 1 ? call.tool : this.otherName;
      tool = this.tools.get(name) ?? new ToolWindow(this.window);
      this.tools.set(name, tool);
    }
    tool.record(call);
  }

  /** Ends a sample interval at `t` (epoch ms): each tool's calls per second over it. */
  mark(t: number): void {
    const seconds = this.lastMark === undefined ? 0 : (t - this.lastMark) / 1000;
    this.lastMark = t;
    for (const tool of this.tools.values()) {
      tool.callsPerSecond = seconds > 0 ? (tool.calls - tool.callsAtMark) / seconds : 0;
      tool.callsAtMark = tool.calls;
    }
  }

  /** Tool name -> its figures, fresh objects. */
  snapshot(): Record<string, ToolStats> {
    const out: Record<string, ToolStats> = {};
    for (const [name, tool] of this.tools) out[name] = tool.stats(this.scratch);
    return out;
  }
}
