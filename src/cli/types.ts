/** The shapes shared by the dispatcher, the argument parser and the commands. */
import type { HeadroomConfig } from '../config/schema.js';
import type { SettingSource } from '../config/sources.js';
import type { Logger } from '../log/logger.js';
import type { PrefetchedSpecs } from '../openapi/prefetch.js';

export interface Writer {
  write(text: string): unknown;
}

/** Everything the CLI touches outside itself, so tests run it in-process with fakes. */
export interface CliIo {
  /** Command output only (help, version, `config`); a server's MCP stdio transport owns it. */
  stdout: Writer;
  /** Diagnostics and logs. */
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Specs whose reading the executable's loader started (src/openapi/prefetch.ts). */
  prefetched?: PrefetchedSpecs;
}

export interface OptionSpec {
  /** Long name without dashes, e.g. `memory-budget`. */
  name: string;
  short?: string;
  /** `boolean` options are switches; `string` options need a value. */
  type: 'boolean' | 'string';
  /** Placeholder for the value in help, e.g. `SIZE`. */
  valueName?: string;
  description: string;
  /** The setting a value overrides, e.g. `memory.budget`. */
  configPath?: string;
  /** A switch that sets its boolean setting to false, like `--no-cache`. */
  negates?: boolean;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface RunContext {
  io: CliIo;
  options: OptionValues;
  positionals: readonly string[];
  /** Defaults only for commands that declare `loadsConfig: false`. */
  config: HeadroomConfig;
  sources: Readonly<Record<string, SettingSource>>;
  /** The configuration file read, if any, as shown in messages. */
  configFile: string | undefined;
  /** Writes to stderr at the configured level and format. */
  logger: Logger;
  commands: readonly CommandDefinition[];
}

export interface CommandDefinition {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The body of `headroom <name> --help`: what the command does and how to call it. */
  usage: string;
  /** Placeholder for positional arguments in help, e.g. `[COMMAND]`; without it none are accepted. */
  args?: string;
  options: readonly OptionSpec[];
  /** False for commands that must work even when the configuration is broken, like `help`. */
  loadsConfig?: boolean;
  /** Returns the exit code. */
  run(ctx: RunContext): Promise<number> | number;
}
