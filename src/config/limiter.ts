/**
 * The bridge from the `memory` section of the configuration to a MemoryLimiter, so every server and
 * command builds its limiter the same way.
 */
import { MemoryLimiter } from '../memory/limiter.js';
import type { HeadroomConfig } from './schema.js';

export function limiterFromConfig(config: HeadroomConfig): MemoryLimiter {
  const m = config.memory;
  return new MemoryLimiter({
    ...(m.budget === undefined ? {} : { budgetBytes: m.budget }),
    metric: m.metric,
    thresholds: {
      moderate: m.moderateThreshold,
      high: m.warningThreshold,
      critical: m.criticalThreshold,
      emergency: m.emergencyThreshold,
    },
    sampleEvery: m.sampleEvery,
    sampleIntervalMs: m.sampleIntervalMs,
    gcTrigger: m.gc.trigger,
    gcMinIntervalMs: m.gc.minIntervalMs,
  });
}
