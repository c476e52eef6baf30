/** Options every command accepts, and the ones only valid before the command. */
import type { OptionSpec } from './types.js';

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'config',
    type: 'string',
    valueName: 'FILE',
    description: 'Read settings from FILE (default: ./headroom.yml if present).',
  },
  {
    name: 'memory-budget',
    type: 'string',
    valueName: 'SIZE',
    description: 'Memory budget, e.g. 512MB or 2GiB.',
    configPath: 'memory.budget',
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    description: 'trace, debug, info, warn, error or silent.',
    configPath: 'log.level',
  },
  {
    name: 'log-format',
    type: 'string',
    valueName: 'FORMAT',
    description: 'Log lines as text or json (always on stderr).',
    configPath: 'log.format',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show help.' },
];

export const TOP_LEVEL_OPTIONS: readonly OptionSpec[] = [
  { name: 'version', short: 'V', type: 'boolean', description: 'Print the version.' },
];
