import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema, defaultConfig } from '../../src/config/schema.js';
import { conventionalEnvName, sectionKeys, settingsTable } from '../../src/config/settings.js';

describe('config schema', () => {
  it('has the documented defaults', () => {
    const config = defaultConfig();
    assert.equal(config.memory.budget, undefined);
    assert.deepEqual(
      [config.memory.moderateThreshold, config.memory.warningThreshold, config.memory.criticalThreshold],
      [0.6, 0.75, 0.85],
    );
    assert.equal(config.memory.emergencyThreshold, 0.95);
    assert.equal(config.memory.metric, 'rss');
    assert.deepEqual(config.memory.gc, { trigger: 'budget', minIntervalMs: 1000 });
    assert.equal(config.streaming.chunkSize, 64 * 1024);
    assert.equal(config.streaming.maxItemSize, 64 * 1024 * 1024);
    assert.equal(config.pooling.cleanupInterval, 300);
    assert.deepEqual(config.monitoring.alerts, { warningPercent: 75, criticalPercent: 85 });
    assert.equal(config.monitoring.port, 9464);
    assert.equal(config.profiling.snapshotInterval, 0.1);
    assert.deepEqual(config.log, { level: 'info', format: 'text' });
  });

  it('offers heap snapshots on SIGUSR2 by default, never on SIGUSR1, and none near the limit', () => {
    const profiling = defaultConfig().profiling;
    assert.equal(profiling.heapSnapshotSignal, 'SIGUSR2');
    assert.equal(profiling.heapSnapshotsNearLimit, 0);
    assert.equal(profiling.snapshotDir, undefined);
    const parse = (value: Record<string, unknown>) => configSchema.safeParse({ profiling: value });
    assert.equal(parse({ heapSnapshotSignal: 'sighup' }).data?.profiling.heapSnapshotSignal, 'SIGHUP');
    assert.equal(parse({ heapSnapshotSignal: 'none' }).data?.profiling.heapSnapshotSignal, 'none');
    // SIGUSR1 opens Node's inspector: a snapshot signal there would also open a debugger port.
    const usr1 = parse({ heapSnapshotSignal: 'SIGUSR1' });
    assert.equal(usr1.success, false);
    assert.match(usr1.error?.issues[0]?.message ?? '', /^one of: SIGUSR2, SIGHUP, none$/);
    assert.equal(parse({ heapSnapshotsNearLimit: '3' }).data?.profiling.heapSnapshotsNearLimit, 3);
    for (const bad of [-1, 1.5, 'many'])
      assert.equal(parse({ heapSnapshotsNearLimit: bad }).success, false, String(bad));
  });

  it('accepts sizes as byte counts and as strings', () => {
    const parse = (budget: unknown) => configSchema.parse({ memory: { budget } }).memory.budget;
    assert.equal(parse(1048576), 1048576);
    assert.equal(parse('512MB'), 512 * 1024 ** 2);
    assert.equal(parse('2GiB'), 2 * 1024 ** 3);
    assert.equal(parse('4096'), 4096);
    for (const bad of ['lots', '0', -5, true])
      assert.equal(configSchema.safeParse({ memory: { budget: bad } }).success, false);
  });

  it('accepts ratios as fractions and percentages', () => {
    const parse = (emergencyThreshold: unknown) =>
      configSchema.parse({ memory: { emergencyThreshold } }).memory.emergencyThreshold;
    assert.equal(parse(0.97), 0.97);
    assert.equal(parse('0.97'), 0.97);
    assert.equal(parse('97%'), 0.97);
    for (const bad of [97, '150%', 'high', 0]) {
      assert.equal(
        configSchema.safeParse({ memory: { emergencyThreshold: bad } }).success,
        false,
        String(bad),
      );
    }
  });

  it('accepts booleans as words and digits', () => {
    const parse = (enabled: unknown) => configSchema.parse({ monitoring: { enabled } }).monitoring.enabled;
    for (const yes of [true, 'true', 'TRUE', '1', 'yes', 'on', 1])
      assert.equal(parse(yes), true, String(yes));
    for (const no of [false, 'false', '0', 'no', 'off']) assert.equal(parse(no), false, String(no));
    assert.equal(configSchema.safeParse({ monitoring: { enabled: 'maybe' } }).success, false);
  });

  it('matches enums without regard to case', () => {
    assert.equal(configSchema.parse({ memory: { metric: 'HEAP' } }).memory.metric, 'heap');
  });

  it('requires strictly increasing thresholds and names the one out of order', () => {
    const result = configSchema.safeParse({ memory: { warningThreshold: 0.9 } });
    assert.equal(result.success, false);
    const issue = result.error?.issues[0];
    assert.deepEqual(issue?.path, ['memory', 'criticalThreshold']);
    assert.match(issue?.message ?? '', /strictly increasing/);
    assert.equal(configSchema.safeParse({ memory: { moderateThreshold: 0.75 } }).success, false);
  });

  it('rejects unknown keys', () => {
    assert.equal(configSchema.safeParse({ memory: { budgt: 1 } }).success, false);
    assert.equal(configSchema.safeParse({ extra: {} }).success, false);
  });
});

describe('settingsTable', () => {
  const table = settingsTable();
  const env = (path: string) => table.find((setting) => setting.path === path)?.env;

  it('names environment variables by convention, with the documented exceptions', () => {
    assert.equal(env('memory.budget'), 'HEADROOM_MEMORY_BUDGET');
    assert.equal(env('streaming.chunkSize'), 'HEADROOM_STREAMING_CHUNK_SIZE');
    assert.equal(env('monitoring.port'), 'HEADROOM_MONITORING_PORT');
    assert.equal(env('memory.gc.minIntervalMs'), 'HEADROOM_MEMORY_GC_MIN_INTERVAL_MS');
    assert.equal(env('streaming.memoryThresholdMb'), 'HEADROOM_MEMORY_THRESHOLD_MB');
    assert.equal(env('log.level'), 'HEADROOM_LOG_LEVEL');
    assert.equal(
      conventionalEnvName('monitoring.alerts.warningPercent'),
      'HEADROOM_MONITORING_ALERTS_WARNING_PERCENT',
    );
  });

  it('lists every leaf once, with a description, allowed values and a unique variable', () => {
    assert.equal(table.length, 92);
    const withVariables = table.filter((setting) => setting.env !== '');
    assert.deepEqual(
      table.filter((setting) => setting.env === '').map((setting) => setting.path),
      ['openapi.apis', 'openapi.auth'],
      'only structured settings are file-only',
    );
    assert.equal(new Set(withVariables.map((setting) => setting.env)).size, withVariables.length);
    for (const setting of table) {
      assert.ok(setting.description.length > 0, setting.path);
      assert.ok(setting.expects.length > 0, setting.path);
    }
    assert.equal(table.find((setting) => setting.path === 'streaming.chunkSize')?.default, 65536);
  });

  it('knows the keys of each section', () => {
    assert.deepEqual(sectionKeys(['memory', 'gc']), ['trigger', 'minIntervalMs']);
    assert.equal(sectionKeys(['memory', 'budget']), undefined);
  });
});
