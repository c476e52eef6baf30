import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '../../src/log/logger.js';
import { REDACTED, redact } from '../../src/log/redact.js';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => lines.push(line) } };
}

describe('Logger', () => {
  it('writes JSON lines with level, message, bindings and fields, filtered by level', () => {
    const { lines, stream } = capture();
    const log = new Logger({ level: 'info', format: 'json', stream, now: () => new Date(0) }).child({
      component: 'spec',
    });
    log.debug('hidden');
    log.info('loaded', { operations: 12 });
    log.error('failed');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0] as string), {
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'loaded',
      component: 'spec',
      operations: 12,
    });
    assert.equal(JSON.parse(lines[1] as string).level, 'error');
  });

  it('writes readable text lines', () => {
    const { lines, stream } = capture();
    new Logger({ stream, now: () => new Date(0) }).warn('slow', { ms: 12, path: '/x' });
    assert.equal(lines[0], '00:00:00.000 WARN  slow ms=12 path=/x\n');
  });

  it('silent writes nothing', () => {
    const { lines, stream } = capture();
    const log = new Logger({ level: 'silent', stream });
    log.error('x');
    assert.equal(lines.length, 0);
  });

  it('redacts secret-looking fields, credentials in strings, and registered secrets, in children too', () => {
    const { lines, stream } = capture();
    const log = new Logger({ format: 'json', stream });
    const child = log.child({ api: 'github' });
    log.addSecret('s3cr3t-value');
    child.info('calling with s3cr3t-value', {
      headers: { Authorization: 'Bearer abc.def.ghi', accept: 'json' },
      password: 'hunter2',
      note: 'sent Basic dXNlcjpwYXNz to the server',
    });
    const line = lines[0] as string;
    for (const secret of ['s3cr3t-value', 'abc.def.ghi', 'hunter2', 'dXNlcjpwYXNz'])
      assert.ok(!line.includes(secret), line);
    const record = JSON.parse(line);
    assert.equal(record.headers.Authorization, REDACTED);
    assert.equal(record.headers.accept, 'json');
    assert.equal(record.note, `sent Basic ${REDACTED} to the server`);
    assert.equal(record.msg, `calling with ${REDACTED}`);
  });
});

describe('redact', () => {
  it('bounds depth and keeps errors readable without their secrets', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    assert.match(JSON.stringify(redact(deep)), /\[…\]/);
    const error = Object.assign(new Error('token Bearer abcdef123 rejected'), { code: 'E_AUTH' });
    assert.deepEqual(redact(error), {
      name: 'Error',
      message: `token Bearer ${REDACTED} rejected`,
      code: 'E_AUTH',
    });
  });
});
