import { UsageError } from '../../errors.js';
import { commandHelp, generalHelp } from '../help.js';
import { findCommand } from '../parse.js';
import type { CommandDefinition } from '../types.js';
import { readVersion } from '../version.js';

export const helpCommand: CommandDefinition = {
  name: 'help',
  summary: 'Show help for headroom or for one command.',
  usage: "Without a command, prints the general help; with one, that command's help.",
  args: '[COMMAND]',
  options: [],
  // Help has to work when the configuration is what needs fixing.
  loadsConfig: false,
  run(ctx) {
    const [topic, extra] = ctx.positionals;
    if (extra !== undefined)
      throw new UsageError(`'headroom help' takes one command name (got '${extra}' too)`);
    const text =
      topic === undefined
        ? generalHelp(ctx.commands, readVersion())
        : commandHelp(findCommand(topic, ctx.commands));
    ctx.io.stdout.write(text);
    return 0;
  },
};
