/**
 * Puts zod in its jitless mode for the CLI. By default zod compiles a parser for each object
 * schema with \`new Function\` on its first use, which pays off only over many parses; a start
 * parses the configuration once and each MCP message is small, so compiling is the larger cost
 * (several milliseconds of every start). The mode is read when a schema is built, so main.ts
 * imports this module before anything that builds one. The library entry leaves zod alone.
 */
import { config } from 'zod';

config({ jitless: true });
