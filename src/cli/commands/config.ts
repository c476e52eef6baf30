import type { CommandDefinition } from '../types.js';

export const configCommand: CommandDefinition = {
  name: 'config',
  summary: 'Print the effective configuration as YAML.',
  usage: `Prints the configuration headroom would run with, after merging flags, environment
variables, the configuration file and defaults, as YAML on stdout. The output can be saved as
headroom.yml. With --sources, a comment on each value says where it came from.`,
  options: [{ name: 'sources', type: 'boolean', description: 'Say where each value came from.' }],
  async run(ctx) {
    // The YAML writer loads only for this command.
    const { renderConfig } = await import('./config-render.js');
    ctx.io.stdout.write(renderConfig(ctx, ctx.options.sources === true));
    return 0;
  },
};
