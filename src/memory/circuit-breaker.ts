/**
 * MemoryCircuitBreaker: closed / open / half-open around any async work. It opens after N
 * consecutive failures, or at once when the limiter's pressure is at or above a threshold, and lets
 * one trial call through after the reset timeout. The state machine is cockatiel's; this file adds
 * the memory trip and errors that say why the circuit is open and when to retry.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type IBreaker,
} from 'cockatiel';
import { CircuitOpenError, MemoryPressureError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { levelRank, type MemoryLimiter, type PressureLevel } from './limiter.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface MemoryCircuitBreakerOptions {
  name?: string;
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. */
  resetTimeoutMs?: number;
  /** With a limiter, pressure at or above `pressureLevel` opens the circuit without running the call. */
  limiter?: MemoryLimiter;
  pressureLevel?: PressureLevel;
}

export interface BreakerStats {
  state: BreakerState;
  successes: number;
  failures: number;
  rejections: number;
  opens: number;
  lastFailure?: string;
}

/** Counts consecutive failures, and opens at once when the failure was a memory trip. */
class MemoryAwareBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  tripNow = false;

  constructor(threshold: number) {
    this.consecutive = new ConsecutiveBreaker(threshold);
  }
  get state(): unknown {
    return this.consecutive.state;
  }
  set state(value: unknown) {
    this.consecutive.state = value as number;
  }
  success(): void {
    this.consecutive.success();
  }
  failure(): boolean {
    const counted = this.consecutive.failure();
    if (!this.tripNow) return counted;
    this.tripNow = false;
    return true;
  }
}

export class MemoryCircuitBreaker {
  readonly name: string;
  private readonly policy: CircuitBreakerPolicy;
  private readonly breaker: MemoryAwareBreaker;
  private readonly resetTimeoutMs: number;
  private readonly limiter: MemoryLimiter | undefined;
  private readonly pressureLevel: PressureLevel;
  private openedAt = 0;
  private lastReason = '';
  private counts = { successes: 0, failures: 0, rejections: 0, opens: 0 };

  constructor(options: MemoryCircuitBreakerOptions = {}) {
    this.name = options.name ?? 'default';
    const threshold = options.failureThreshold ?? 5;
    this.resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
    if (!(Number.isInteger(threshold) && threshold >= 1)) {
      throw new RangeError(
        `MemoryCircuitBreaker: failureThreshold must be an integer >= 1, got ${threshold}`,
      );
    }
    if (!(this.resetTimeoutMs >= 0)) {
      throw new RangeError(`MemoryCircuitBreaker: resetTimeoutMs must be >= 0, got ${this.resetTimeoutMs}`);
    }
    this.limiter = options.limiter;
    this.pressureLevel = options.pressureLevel ?? 'CRITICAL';
    this.breaker = new MemoryAwareBreaker(threshold);
    this.policy = circuitBreaker(handleAll, { halfOpenAfter: this.resetTimeoutMs, breaker: this.breaker });
    this.policy.onBreak(() => {
      this.openedAt = performance.now();
      this.counts.opens++;
    });
    this.policy.onSuccess(() => this.counts.successes++);
    this.policy.onFailure(({ reason }) => {
      this.counts.failures++;
      this.lastReason = 'error' in reason ? describe(reason.error) : 'a failed result';
    });
  }

  get state(): BreakerState {
    const state = this.policy.state;
    if (state === CircuitState.HalfOpen) return 'half-open';
    return state === CircuitState.Closed ? 'closed' : 'open';
  }

  /** Runs `fn` when the circuit allows it; rejects at once with CircuitOpenError while open. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute(({ signal: inner }) => {
        this.tripOnPressure();
        return fn(inner);
      }, signal);
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      this.counts.rejections++;
      const retryAfterMs = Math.max(0, Math.ceil(this.openedAt + this.resetTimeoutMs - performance.now()));
      throw new CircuitOpenError(
        this.name,
        `circuit '${this.name}' is open after ${this.lastReason}; calls are refused for ${retryAfterMs} ms more, ` +
          'then one trial call is let through. Reduce load or fix the failing dependency.',
        retryAfterMs,
        error,
      );
    }
  }

  stats(): BreakerStats {
    return {
      state: this.state,
      ...this.counts,
      ...(this.lastReason ? { lastFailure: this.lastReason } : {}),
    };
  }

  private tripOnPressure(): void {
    const limiter = this.limiter;
    if (!limiter) return;
    limiter.measure();
    if (levelRank(limiter.level) < levelRank(this.pressureLevel)) return;
    this.breaker.tripNow = true;
    throw new MemoryPressureError(
      `memory pressure ${limiter.level} (${formatBytes(limiter.usedBytes)} of a ${formatBytes(limiter.budgetBytes)} ` +
        `budget) is at or above ${this.pressureLevel}`,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof MemoryPressureError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `a failure (${message.length > 200 ? `${message.slice(0, 200)}…` : message})`;
}
