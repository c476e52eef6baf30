import { futureCommand } from './future.js';

export const benchCommand = futureCommand(
  'bench',
  'Run the benchmark suite with targets and a pass rate (planned).',
  `Will run headroom's benchmarks (streaming, pooling, large inputs) and report throughput and peak
memory against the configured budget. Until then, use 'npm run bench' in a checkout.`,
  '[BENCHMARK...]',
);
