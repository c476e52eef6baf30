import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatBytes, parseBytes } from '../../src/util/bytes.js';

it('parses sizes in binary units, as Node reads megabytes', () => {
  assert.equal(parseBytes('512MB'), 512 * 1024 ** 2);
  assert.equal(parseBytes('512 mib'), 512 * 1024 ** 2);
  assert.equal(parseBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('64k'), 65536);
  assert.equal(parseBytes('100'), 100);
  assert.equal(parseBytes(4096), 4096);
  for (const bad of ['', 'MB', '12XB', '-5MB', '1e3', '5 M B']) assert.equal(parseBytes(bad), undefined, bad);
  assert.equal(parseBytes(-1), undefined);
  assert.equal(parseBytes('99999999999TB'), undefined, 'beyond safe integers');
});

it('formats sizes for people', () => {
  assert.equal(formatBytes(812), '812 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(512 * 1024 ** 2), '512 MiB');
  assert.equal(formatBytes(12.25 * 1024 ** 3), '12.3 GiB');
});
