import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function headroom(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('the headroom executable', () => {
  it('prints help on stdout and exits 0', () => {
    const result = headroom('--help');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: headroom <command> \[options\]/);
    assert.match(result.stdout, /HEADROOM_MEMORY_BUDGET/);
  });

  it('keeps stdout empty and sets the exit code on an error', () => {
    const result = headroom('opnapi');
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Did you mean 'openapi'\?/);
  });
});
