import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount } from '../../src/util/count.js';

test('formatCount groups whole numbers by thousands as en-US does', () => {
  for (const n of [0, 7, 12, 999, 1000, 1223, 12345, 505150, 1000000, 9007199254740991, -1, -1000, -1234567])
    assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
});

test('formatCount leaves fractions and huge numbers to toLocaleString', () => {
  assert.equal(formatCount(1234.5678), '1,234.568');
  assert.equal(formatCount(1e21), (1e21).toLocaleString('en-US'));
});
