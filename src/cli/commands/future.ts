/**
 * Commands that are planned but not in this version. They exist now so `--help` can describe them
 * and scripts get a clear refusal (exit 2) instead of "unknown command".
 */
import type { CommandDefinition } from '../types.js';

export function futureCommand(
  name: string,
  summary: string,
  usage: string,
  args = '[ARGS...]',
): CommandDefinition {
  return {
    name,
    summary,
    usage: `${usage.trim()}\n\nNot available in this version yet.`,
    args,
    options: [],
    run(ctx) {
      ctx.io.stderr.write(`headroom ${name} is not available in this version yet\n`);
      return 2;
    },
  };
}
