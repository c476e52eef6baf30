/**
 * The command-line parser. Hand-written because the errors are the interface: each one names the
 * command, lists what would have been valid and suggests the closest match.
 */
import { UsageError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { GLOBAL_OPTIONS, TOP_LEVEL_OPTIONS } from './global-options.js';
import type { CommandDefinition, OptionSpec } from './types.js';

export interface ParsedCommandLine {
  /** Undefined when only options (or nothing) were given. */
  command: CommandDefinition | undefined;
  /** By long option name; switches are `true`. The last occurrence wins. */
  options: Record<string, string | boolean>;
  positionals: string[];
}

/** `--memory-budget SIZE` or `-h, --help`, as help and error messages show an option. */
export function optionLabel(spec: OptionSpec): string {
  const long = `--${spec.name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : long;
}

/** The options valid at a point of the line: before the command, or after it. */
export function optionsFor(command: CommandDefinition | undefined): OptionSpec[] {
  return command ? [...command.options, ...GLOBAL_OPTIONS] : [...GLOBAL_OPTIONS, ...TOP_LEVEL_OPTIONS];
}

export function findCommand(name: string, commands: readonly CommandDefinition[]): CommandDefinition {
  const command = commands.find((candidate) => candidate.name === name);
  if (command) return command;
  const names = commands.map((candidate) => candidate.name);
  throw new UsageError(`unknown command '${name}'.${didYouMean(name, names)} Commands: ${names.join(', ')}`);
}

function unknownOption(flag: string, specs: readonly OptionSpec[], command: CommandDefinition | undefined) {
  const longs = specs.map((spec) => `--${spec.name}`);
  const shorts = specs.flatMap((spec) => (spec.short ? [`-${spec.short}`] : []));
  const scope = command ? ` for 'headroom ${command.name}'` : '';
  const valid = specs.map(optionLabel).join(', ');
  const suggestion = didYouMean(flag, flag.startsWith('--') ? longs : [...shorts, ...longs]);
  return new UsageError(`unknown option '${flag}'${scope}.${suggestion} Valid options: ${valid}`);
}

function lookup(flag: string, specs: readonly OptionSpec[]): OptionSpec | undefined {
  return flag.startsWith('--')
    ? specs.find((spec) => `--${spec.name}` === flag)
    : specs.find((spec) => spec.short !== undefined && `-${spec.short}` === flag);
}

function isOptionLike(token: string): boolean {
  return token.startsWith('-') && token !== '-';
}

export function parseCommandLine(
  argv: readonly string[],
  commands: readonly CommandDefinition[],
): ParsedCommandLine {
  const parsed: ParsedCommandLine = { command: undefined, options: {}, positionals: [] };
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (optionsEnded || !isOptionLike(token)) {
      if (parsed.command) parsed.positionals.push(token);
      else parsed.command = findCommand(token, commands);
      continue;
    }
    if (token === '--') {
      optionsEnded = true;
      continue;
    }
    const equals = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = equals === -1 ? token : token.slice(0, equals);
    const inline = equals === -1 ? undefined : token.slice(equals + 1);
    const specs = optionsFor(parsed.command);
    const spec = lookup(flag, specs);
    if (!spec) throw unknownOption(flag, specs, parsed.command);
    if (spec.type === 'boolean') {
      if (inline !== undefined)
        throw new UsageError(`option '${flag}' is a switch and takes no value (got '${token}')`);
      parsed.options[spec.name] = true;
      continue;
    }
    parsed.options[spec.name] = inline ?? takeValue(flag, spec, argv[i + 1]);
    if (inline === undefined) i++;
    if (parsed.options[spec.name] === '') throw missingValue(flag, spec);
  }
  const { command } = parsed;
  if (command && command.args === undefined && parsed.positionals.length > 0) {
    throw new UsageError(`'headroom ${command.name}' takes no arguments (got '${parsed.positionals[0]}')`);
  }
  return parsed;
}

function missingValue(flag: string, spec: OptionSpec): UsageError {
  const placeholder = spec.valueName ?? 'VALUE';
  return new UsageError(`option '${flag}' needs a value: ${flag} ${placeholder} or ${flag}=${placeholder}`);
}

function takeValue(flag: string, spec: OptionSpec, next: string | undefined): string {
  if (next === undefined) throw missingValue(flag, spec);
  if (isOptionLike(next)) {
    const error = missingValue(flag, spec);
    // A value that really starts with a dash can still be given; say how instead of guessing.
    throw new UsageError(
      `${error.message} (got '${next}', which looks like an option; use ${flag}=${next} if it is the value)`,
    );
  }
  return next;
}
