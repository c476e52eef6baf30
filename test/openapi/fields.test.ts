import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolArgumentError } from '../../src/errors.js';
import { compileFields, MAX_FIELDS, parseFields, projectFields } from '../../src/openapi/fields.js';

describe('parseFields', () => {
  it('accepts an array of paths or one comma-separated string', () => {
    assert.deepEqual(parseFields(['id', 'user.login']), ['id', 'user.login']);
    assert.deepEqual(parseFields('id, user.login ,items.title,'), ['id', 'user.login', 'items.title']);
    assert.deepEqual(parseFields([' id ']), ['id']);
  });

  it('treats missing and empty values as no selection', () => {
    assert.equal(parseFields(undefined), undefined);
    assert.equal(parseFields(null), undefined);
    assert.equal(parseFields(''), undefined);
    assert.equal(parseFields(' , '), undefined);
    assert.equal(parseFields([]), undefined);
  });

  it('rejects other shapes with a ToolArgumentError that shows the expected shape', () => {
    for (const bad of [42, true, { id: true }]) {
      assert.throws(
        () => parseFields(bad),
        (error: unknown) =>
          error instanceof ToolArgumentError &&
          error.code === 'HR_TOOL_ARGUMENTS' &&
          error.message.includes('["id", "user.login"]'),
      );
    }
    assert.throws(() => parseFields(['id', 7]), /_fields\[1\] must be a string/);
    assert.throws(() => parseFields(['id', '']), /_fields\[1\] is empty/);
    assert.throws(() => parseFields(['user..login']), /empty segment/);
    assert.throws(() => parseFields('.id'), /empty segment/);
    assert.throws(() => parseFields(['id.']), /empty segment/);
  });

  it('limits the number and the length of paths', () => {
    const many = Array.from({ length: MAX_FIELDS }, (_, index) => `f${index}`);
    assert.equal(parseFields(many)?.length, MAX_FIELDS);
    assert.throws(() => parseFields([...many, 'one.more']), /101 paths; at most 100/);
    assert.deepEqual(parseFields(['a'.repeat(256)]), ['a'.repeat(256)]);
    assert.throws(
      () => parseFields(['a'.repeat(257)]),
      /257 characters long; a field path may have at most 256/,
    );
  });
});

describe('projectFields', () => {
  const issue = {
    id: 1,
    title: 'Crash',
    body: 'long text',
    user: { login: 'ada', id: 9, site_admin: false },
    labels: [
      { name: 'bug', color: 'red' },
      { name: 'p1', color: 'orange' },
    ],
  };

  it('keeps top-level and nested paths, in the original key order', () => {
    assert.deepEqual(projectFields(issue, ['user.login', 'id']), { id: 1, user: { login: 'ada' } });
    assert.deepEqual(Object.keys(projectFields(issue, ['user', 'title', 'id']) as object), [
      'id',
      'title',
      'user',
    ]);
  });

  it('crosses arrays implicitly at any level', () => {
    assert.deepEqual(projectFields({ items: [{ title: 'a', body: 'x' }, { title: 'b' }] }, ['items.title']), {
      items: [{ title: 'a' }, { title: 'b' }],
    });
    assert.deepEqual(projectFields(issue, ['labels.name']), {
      labels: [{ name: 'bug' }, { name: 'p1' }],
    });
    const nested = { pages: [{ rows: [[{ v: 1, w: 2 }], [{ v: 3, w: 4 }]], other: 1 }] };
    assert.deepEqual(projectFields(nested, ['pages.rows.v']), {
      pages: [{ rows: [[{ v: 1 }], [{ v: 3 }]] }],
    });
  });

  it('projects each item of a root array', () => {
    assert.deepEqual(projectFields([issue, { id: 2, title: 'x' }], ['id', 'user.login']), [
      { id: 1, user: { login: 'ada' } },
      { id: 2 },
    ]);
  });

  it('skips paths that do not exist', () => {
    assert.deepEqual(projectFields(issue, ['nope', 'user.nope', 'id.deeper', 'title']), {
      title: 'Crash',
      user: {},
    });
    assert.deepEqual(projectFields({ user: null }, ['user.login']), { user: null });
  });

  it('returns scalars as they are, at the root and inside arrays', () => {
    assert.equal(projectFields('text', ['id']), 'text');
    assert.equal(projectFields(3, ['id']), 3);
    assert.equal(projectFields(null, ['id']), null);
    assert.deepEqual(projectFields([1, { id: 2, x: 3 }, 'a'], ['id']), [1, { id: 2 }, 'a']);
  });

  it('keeps the whole value when a shorter path covers a longer one', () => {
    assert.deepEqual(projectFields(issue, ['user.login', 'user']), { user: issue.user });
    assert.deepEqual(projectFields(issue, ['user', 'user.login']), { user: issue.user });
  });

  it('does not let a __proto__ field change the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "id": 1}');
    const projected = projectFields(value, ['__proto__', 'id']) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(projected), Object.prototype);
    assert.equal(JSON.stringify(projected), '{"__proto__":{"polluted":true},"id":1}');
    assert.equal((projected as { polluted?: unknown }).polluted, undefined);
  });

  it('compiles once and projects many items quickly', () => {
    const project = compileFields(['id', 'user.login', 'labels.name']);
    const started = performance.now();
    let kept = 0;
    for (let index = 0; index < 100_000; index++) {
      const out = project({ ...issue, id: index }) as { id: number };
      kept += out.id === index ? 1 : 0;
    }
    assert.equal(kept, 100_000);
    assert.ok(performance.now() - started < 5000);
  });
});
