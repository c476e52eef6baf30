import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory holding `files`. */
function workdir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The ConfigError thrown by `load`, failing the test if none is. */
function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

const FILE = `memory:
  budget: 256MB
  metric: heap
streaming:
  chunkSize: 32KiB
log:
  level: warn
`;

describe('loadConfig layering', () => {
  it('uses defaults when nothing is set', () => {
    const { config, sources, file } = loadConfig({ env: {}, cwd: workdir() });
    assert.equal(config.memory.budget, undefined);
    assert.equal(config.log.level, 'info');
    assert.deepEqual(sources['log.level'], { kind: 'default' });
    assert.equal(file, undefined);
  });

  it('reads headroom.yml from the working directory, below env and flags', () => {
    const cwd = workdir({ 'headroom.yml': FILE });
    const { config, sources } = loadConfig({
      cwd,
      env: { HEADROOM_MEMORY_BUDGET: '1GiB', HEADROOM_LOG_LEVEL: 'debug', HEADROOM_MEMORY_METRIC: 'rss' },
      flags: { 'memory.budget': { value: '2GiB', flag: '--memory-budget' } },
    });
    assert.equal(config.memory.budget, 2 * 1024 ** 3);
    assert.deepEqual(sources['memory.budget'], { kind: 'flag', flag: '--memory-budget' });
    assert.equal(config.log.level, 'debug');
    assert.deepEqual(sources['log.level'], { kind: 'env', name: 'HEADROOM_LOG_LEVEL' });
    assert.equal(config.memory.metric, 'rss');
    assert.equal(config.streaming.chunkSize, 32 * 1024);
    assert.deepEqual(sources['streaming.chunkSize'], {
      kind: 'file',
      file: 'headroom.yml',
      line: 5,
      col: 14,
    });
    assert.equal(config.streaming.maxDepth, 1000);
    assert.deepEqual(sources['streaming.maxDepth'], { kind: 'default' });
  });

  it('lets the file override defaults, and finds headroom.yaml too', () => {
    const { config, file } = loadConfig({ env: {}, cwd: workdir({ 'headroom.yaml': FILE }) });
    assert.equal(config.memory.budget, 256 * 1024 ** 2);
    assert.equal(config.log.level, 'warn');
    assert.equal(file, 'headroom.yaml');
  });

  it('prefers --config over the discovered file', () => {
    const cwd = workdir({ 'headroom.yml': FILE, 'other.yml': 'log:\n  format: json\n' });
    const { config } = loadConfig({ env: {}, cwd, configFile: 'other.yml' });
    assert.equal(config.log.format, 'json');
    assert.equal(config.log.level, 'info');
  });

  it('reads booleans, ratios and sizes from environment strings, and ignores other HEADROOM_ names', () => {
    const { config } = loadConfig({
      cwd: workdir(),
      env: {
        HEADROOM_MONITORING_ENABLED: 'yes',
        HEADROOM_PROFILING_ENABLED: '0',
        HEADROOM_MEMORY_EMERGENCY_THRESHOLD: '98%',
        HEADROOM_MEMORY_THRESHOLD_MB: '750',
        HEADROOM_POOLING_BUFFER_SIZE: '128k',
        HEADROOM_AUTH_TOKEN: 'not a setting',
        HEADROOM_MONITORING_PORT: '',
      },
    });
    assert.equal(config.monitoring.enabled, true);
    assert.equal(config.profiling.enabled, false);
    assert.equal(config.memory.emergencyThreshold, 0.98);
    assert.equal(config.streaming.memoryThresholdMb, 750);
    assert.equal(config.pooling.bufferSize, 128 * 1024);
    assert.equal(config.monitoring.port, 9464);
  });

  it('accepts an empty file and empty sections', () => {
    assert.equal(loadConfig({ env: {}, cwd: workdir({ 'headroom.yml': '' }) }).config.log.level, 'info');
    const cwd = workdir({ 'headroom.yml': '# nothing yet\nmemory:\n' });
    assert.equal(loadConfig({ env: {}, cwd }).config.memory.metric, 'rss');
  });
});

describe('loadConfig errors', () => {
  it('names the flag, the value and what is allowed', () => {
    const error = configError(() =>
      loadConfig({
        env: {},
        cwd: workdir(),
        flags: { 'memory.budget': { value: 'lots', flag: '--memory-budget' } },
      }),
    );
    assert.equal(error.setting, 'memory.budget');
    assert.equal(error.source, 'flag --memory-budget');
    assert.match(error.message, /memory\.budget/);
    assert.match(error.message, /flag --memory-budget/);
    assert.match(error.message, /"lots"/);
    assert.match(error.message, /a size such as 512MB, 2GiB or a byte count/);
  });

  it('names the environment variable', () => {
    const error = configError(() =>
      loadConfig({ cwd: workdir(), env: { HEADROOM_MONITORING_PORT: '70000' } }),
    );
    assert.match(error.message, /monitoring\.port/);
    assert.match(error.message, /environment variable HEADROOM_MONITORING_PORT/);
    assert.match(error.message, /"70000"/);
    assert.match(error.message, /an integer from 0 to 65535/);
  });

  it('names the file and line of a bad value', () => {
    const cwd = workdir({
      'headroom.yml': 'log:\n  level: info\nmemory:\n  sampleEvery: 10\n  metric: vsz\n',
    });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.source, 'headroom.yml:5');
    assert.match(error.message, /memory\.metric/);
    assert.match(error.message, /headroom\.yml:5/);
    assert.match(error.message, /"vsz"/);
    assert.match(error.message, /one of: rss, heap/);
  });

  it('reports unknown keys with their line, a suggestion and the valid keys', () => {
    const cwd = workdir({ 'headroom.yml': 'memory:\n  metric: rss\n  budjet: 1GB\n' });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /unknown setting 'memory\.budjet' in headroom\.yml:3/);
    assert.match(error.message, /Did you mean 'budget'\?/);
    assert.match(error.message, /Valid keys in memory: budget, moderateThreshold/);
  });

  it('reports unknown sections', () => {
    const cwd = workdir({ 'headroom.yml': 'logging:\n  level: info\n' });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /unknown setting 'logging' in headroom\.yml:1/);
    assert.match(error.message, /Valid sections: memory, streaming/);
  });

  it('reports YAML syntax errors with line and column', () => {
    const cwd = workdir({ 'headroom.yml': 'memory:\n  budget: 1GB\n  metric: rss: heap\n' });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /invalid YAML in headroom\.yml:3:11: Nested mappings/);
    const duplicate = workdir({ 'headroom.yml': 'memory:\n  budget: 1GB\n  budget: 2GB\n' });
    assert.match(
      configError(() => loadConfig({ cwd: duplicate, env: {} })).message,
      /headroom\.yml:3:3: Map keys/,
    );
  });

  it('reports thresholds that do not increase against the value out of order', () => {
    const cwd = workdir({ 'headroom.yml': 'memory:\n  warningThreshold: 50%\n' });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.setting, 'memory.warningThreshold');
    assert.match(error.message, /headroom\.yml:2/);
    assert.match(error.message, /above moderateThreshold \(0\.6\)/);
    assert.match(error.message, /strictly increasing/);
  });

  it('refuses a --config file that does not exist', () => {
    const error = configError(() => loadConfig({ env: {}, cwd: workdir(), configFile: 'missing.yml' }));
    assert.match(error.message, /missing\.yml/);
    assert.match(error.message, /does not exist/);
  });

  it('refuses a file that is not a mapping', () => {
    const error = configError(() => loadConfig({ env: {}, cwd: workdir({ 'headroom.yml': '- a\n- b\n' }) }));
    assert.match(error.message, /headroom\.yml:1 must be a mapping/);
  });

  it('refuses a section that is not a mapping', () => {
    const error = configError(() => loadConfig({ env: {}, cwd: workdir({ 'headroom.yml': 'log: loud\n' }) }));
    assert.match(
      error.message,
      /for log \(in headroom\.yml:1\): expected a mapping with keys such as level, format/,
    );
  });
});
