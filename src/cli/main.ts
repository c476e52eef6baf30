// First: it configures zod before any schema below is built.
import './zod-setup.js';

/**
 * The dispatcher: parses the command line, loads the configuration and runs a command. It returns
 * the exit code and never calls process.exit, so tests run it in-process and output gets flushed.
 */

import { type FlagOverrides, type LoadedConfig, loadConfig } from '../config/load.js';
import { defaultConfig } from '../config/schema.js';
import { settingsTable } from '../config/settings.js';
import { ConfigError, HeadroomError, UsageError } from '../errors.js';
import { Logger } from '../log/logger.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, generalHelp } from './help.js';
import { optionsFor, type ParsedCommandLine, parseCommandLine } from './parse.js';
import type { CliIo, CommandDefinition } from './types.js';
import { readVersion } from './version.js';

/** Exit code for a command line or configuration that cannot be used, as opposed to a failure. */
const EXIT_USAGE = 2;

function flagOverrides(parsed: ParsedCommandLine): FlagOverrides {
  const overrides: Record<string, { value: unknown; flag: string }> = {};
  for (const spec of optionsFor(parsed.command)) {
    const value = parsed.options[spec.name];
    if (spec.configPath && value !== undefined)
      overrides[spec.configPath] = { value: spec.negates ? !value : value, flag: `--${spec.name}` };
  }
  return overrides;
}

function defaultsOnly(): LoadedConfig {
  const sources = Object.fromEntries(
    settingsTable().map((setting) => [setting.path, { kind: 'default' as const }]),
  );
  return { config: defaultConfig(), sources };
}

async function runCommand(command: CommandDefinition, parsed: ParsedCommandLine, io: CliIo): Promise<number> {
  const configFile = parsed.options.config;
  const loaded =
    command.loadsConfig === false
      ? defaultsOnly()
      : loadConfig({
          flags: flagOverrides(parsed),
          env: io.env,
          cwd: io.cwd,
          configFile: typeof configFile === 'string' ? configFile : undefined,
        });
  const { config, sources, file } = loaded;
  const logger = new Logger({ level: config.log.level, format: config.log.format, stream: io.stderr });
  logger.debug('configuration loaded', { command: command.name, file: file ?? 'none' });
  return command.run({
    io,
    options: parsed.options,
    positionals: parsed.positionals,
    config,
    sources,
    configFile: file,
    logger,
    commands: COMMANDS,
  });
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`headroom: ${error.message}\nRun 'headroom --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (error instanceof HeadroomError) {
    io.stderr.write(`headroom: ${error.message}\n`);
    return error instanceof ConfigError ? EXIT_USAGE : 1;
  }
  io.stderr.write(
    `headroom: unexpected error\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

/** Runs `headroom` with `argv` (without the node and script paths) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, COMMANDS);
    const { command, options } = parsed;
    if (options.version === true) {
      io.stdout.write(`${readVersion()}\n`);
      return 0;
    }
    if (!command) {
      io.stdout.write(generalHelp(COMMANDS, readVersion()));
      return 0;
    }
    if (options.help === true) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await runCommand(command, parsed, io);
  } catch (error) {
    return report(error, io);
  }
}
