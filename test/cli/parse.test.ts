import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { parseCommandLine } from '../../src/cli/parse.js';
import { UsageError } from '../../src/errors.js';

const parse = (...argv: string[]) => parseCommandLine(argv, COMMANDS);

function usageError(argv: string[]): string {
  try {
    parse(...argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('reads the command, options in both forms, and switches', () => {
    const parsed = parse('--log-level', 'debug', 'config', '--memory-budget=512MB', '--sources');
    assert.equal(parsed.command?.name, 'config');
    assert.deepEqual(parsed.options, { 'log-level': 'debug', 'memory-budget': '512MB', sources: true });
  });

  it('treats everything after -- as arguments', () => {
    const parsed = parse('openapi', '--', '--not-an-option', 'spec.json');
    assert.deepEqual(parsed.positionals, ['--not-an-option', 'spec.json']);
  });

  it('accepts short switches and no command at all', () => {
    assert.deepEqual(parse('-V').options, { version: true });
    assert.equal(parse().command, undefined);
    assert.deepEqual(parse('config', '-h').options, { help: true });
  });

  it('suggests the closest command and lists them all', () => {
    const message = usageError(['opnapi']);
    assert.match(message, /unknown command 'opnapi'\. Did you mean 'openapi'\? Commands: openapi, cloudwan/);
    assert.match(message, /config, help$/);
  });

  it('names the command, suggests and lists options for an unknown option', () => {
    const message = usageError(['config', '--memory-budjet', '1G']);
    assert.match(message, /unknown option '--memory-budjet' for 'headroom config'/);
    assert.match(message, /Did you mean '--memory-budget'\?/);
    assert.match(message, /Valid options: --sources, --config FILE, --memory-budget SIZE/);
  });

  it('allows --version only before a command', () => {
    assert.match(usageError(['config', '--version']), /unknown option '--version' for 'headroom config'/);
  });

  it('reports missing values', () => {
    assert.match(usageError(['config', '--memory-budget']), /option '--memory-budget' needs a value/);
    assert.match(usageError(['config', '--config=']), /option '--config' needs a value/);
    const message = usageError(['config', '--memory-budget', '--sources']);
    assert.match(message, /looks like an option; use --memory-budget=--sources/);
  });

  it('refuses a value for a switch', () => {
    assert.match(usageError(['config', '--sources=yes']), /'--sources' is a switch and takes no value/);
  });

  it('refuses arguments to commands that take none', () => {
    assert.match(usageError(['config', 'extra']), /'headroom config' takes no arguments \(got 'extra'\)/);
  });
});
