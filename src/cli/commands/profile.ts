import { futureCommand } from './future.js';

export const profileCommand = futureCommand(
  'profile',
  'Profile memory and detect leaks in a workload or any Node program (planned).',
  `Will profile a workload (duration, heap, GC, top allocation sites), take heap snapshots, and
detect leaks by fitting the heap's growth after GC, for a named workload or a Node command.`,
);
