/** Every command, in the order help lists them. */
import type { CommandDefinition } from '../types.js';
import { benchCommand } from './bench.js';
import { cloudwanCommand } from './cloudwan.js';
import { configCommand } from './config.js';
import { demoCommand } from './demo.js';
import { helpCommand } from './help.js';
import { openapiCommand } from './openapi.js';
import { profileCommand } from './profile.js';
import { specCommand } from './spec.js';
import { topologyCommand } from './topology.js';

export const COMMANDS: readonly CommandDefinition[] = [
  openapiCommand,
  cloudwanCommand,
  specCommand,
  topologyCommand,
  benchCommand,
  profileCommand,
  demoCommand,
  configCommand,
  helpCommand,
];
