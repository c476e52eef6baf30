/** Help text. The settings part is generated from the configuration schema, never written by hand. */
import { type SettingInfo, settingsTable } from '../config/settings.js';
import { formatBytes } from '../util/bytes.js';
import { GLOBAL_OPTIONS, TOP_LEVEL_OPTIONS } from './global-options.js';
import { optionLabel } from './parse.js';
import type { CommandDefinition, OptionSpec } from './types.js';

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function optionRows(specs: readonly OptionSpec[]): string[] {
  return table(specs.map((spec) => [optionLabel(spec), spec.description]));
}

/** A default as people write it: sizes in KiB/MiB, absent ones in words. */
export function showDefault(setting: SettingInfo): string {
  if (setting.default === undefined) return setting.defaultText ?? 'none';
  if (Array.isArray(setting.default))
    return setting.default.length === 0 ? 'none' : setting.default.join(',');
  if (setting.kind === 'size' && typeof setting.default === 'number') return formatBytes(setting.default);
  return String(setting.default);
}

/** Breaks `text` into lines of at most `width` characters, each starting with `indent`. */
function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, indent + line] : lines;
}

/** Every environment variable with its setting, default, description and allowed values. */
export function environmentHelp(): string[] {
  return settingsTable().flatMap((setting) => [
    `  ${setting.env || '(configuration file only)'}  (${setting.path}, default: ${showDefault(setting)})`,
    ...wrap(`${setting.description} Expects ${setting.expects}.`, '      '),
  ]);
}

export function generalHelp(commands: readonly CommandDefinition[], version: string): string {
  return [
    `headroom ${version}: MCP servers and a memory toolkit that stay inside a fixed memory budget.`,
    '',
    'Usage: headroom <command> [options]',
    '       headroom help <command>',
    '',
    'Commands:',
    ...table(commands.map((command) => [command.name, command.summary])),
    '',
    'Global options (valid with every command):',
    ...optionRows(GLOBAL_OPTIONS),
    '',
    'Before a command only:',
    ...optionRows(TOP_LEVEL_OPTIONS),
    '',
    'Settings come from, highest first: flags, environment variables, the YAML file given with',
    '--config (else ./headroom.yml or ./headroom.yaml), then defaults. File keys are the dotted paths',
    'below as nested sections, e.g. memory.budget is "memory:" then "  budget: 512MB".',
    '',
    'Environment variables:',
    ...environmentHelp(),
    '',
  ].join('\n');
}

export function commandHelp(command: CommandDefinition): string {
  const args = command.args ? ` ${command.args}` : '';
  const own = command.options.length > 0 ? ['', 'Options:', ...optionRows(command.options)] : [];
  return [
    `Usage: headroom ${command.name}${args} [options]`,
    '',
    command.usage.trimEnd(),
    ...own,
    '',
    'Global options:',
    ...optionRows(GLOBAL_OPTIONS),
    '',
    "Run 'headroom --help' for the environment variables and configuration file.",
    '',
  ].join('\n');
}
