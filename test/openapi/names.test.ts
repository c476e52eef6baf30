import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileGlob,
  fnv1a32,
  matchesGlob,
  NameAllocator,
  sanitizeName,
  toolName,
} from '../../src/openapi/names.js';

const op = (operationId: string | undefined, method = 'get', path = '/x') => ({ operationId, method, path });

describe('toolName', () => {
  it('uses the operationId, else the method and path', () => {
    assert.equal(toolName(op('repos/get')), 'repos_get');
    assert.equal(toolName(op('listPets')), 'listPets');
    assert.equal(toolName(op(undefined, 'GET', '/repos/{owner}/{repo}')), 'get_repos_owner_repo');
    assert.equal(toolName(op('  ', 'delete', '/pets/{id}')), 'delete_pets_id');
    assert.equal(toolName(op('!!!', 'post', '/')), 'post');
  });

  it('sanitizes to letters, digits, _ and -', () => {
    assert.equal(sanitizeName('__a  b..c__'), 'a_b_c');
    assert.equal(sanitizeName('café/crème-brûlée'), 'caf_cr_me-br_l_e');
    assert.equal(sanitizeName('keep-dashes_and_UNDERSCORES9'), 'keep-dashes_and_UNDERSCORES9');
    assert.equal(sanitizeName('%%%'), '');
    assert.equal(toolName(op('%%%', '%', '%')), 'operation');
  });

  it('sanitizes as its definition says: disallowed characters to _, runs of _ as one, ends trimmed', () => {
    const definition = (raw: string) =>
      raw
        .replace(/[^A-Za-z0-9_-]+/g, '_')
        .replace(/_+/g, '_')
        .replace(/^_+|_+$/g, '');
    const pieces = fc.constantFrom('a', 'Z', '7', '_', '__', '-', '/', ' ', '.', '{', '}', 'é', '\u{1F600}');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const raw = parts.join('');
        assert.equal(sanitizeName(raw), definition(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('joins a sanitized prefix with __', () => {
    assert.equal(toolName(op('repos/get'), { prefix: 'github' }), 'github__repos_get');
    assert.equal(toolName(op('repos/get'), { prefix: 'my api!' }), 'my_api__repos_get');
    assert.equal(toolName(op('repos/get'), { prefix: '!!' }), 'repos_get');
  });

  it('truncates to a readable head and a stable hash of the whole name', () => {
    const long = `${'a'.repeat(40)}_${'b'.repeat(40)}`;
    const name = toolName(op(long), { prefix: 'graph' });
    assert.equal(name.length, 64);
    assert.ok(name.startsWith('graph__aaaa'));
    const hash = fnv1a32(`graph__${long}`).toString(36).padStart(7, '0');
    assert.ok(name.endsWith(`_${hash}`), name);
    assert.equal(toolName(op(long), { prefix: 'graph' }), name);
    assert.equal(toolName(op('x'.repeat(64))), 'x'.repeat(64));
    assert.equal(toolName(op('x'.repeat(65))).length, 64);
  });

  it('keeps many long, similar names distinct and within maxLength', () => {
    const names = new Set<string>();
    for (let index = 0; index < 5000; index++) {
      const name = toolName(
        op(`microsoft.graph.users.user.calendar.events.instances.attachments.item${index}`),
        {
          maxLength: 40,
        },
      );
      assert.ok(name.length <= 40 && /^[A-Za-z0-9_-]+$/.test(name), name);
      names.add(name);
    }
    assert.equal(names.size, 5000);
  });

  it('rejects a maxLength with no room for a hash', () => {
    assert.throws(() => toolName(op('a'), { maxLength: 5 }), RangeError);
  });

  it('matches the FNV-1a reference values', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });
});

describe('NameAllocator', () => {
  it('numbers clashes', () => {
    const names = new NameAllocator();
    assert.equal(names.allocate(op('list')), 'list');
    assert.equal(names.allocate(op('list')), 'list_2');
    assert.equal(names.allocate(op('list!')), 'list_3');
    assert.equal(names.allocate(op('list_2')), 'list_2_2');
    assert.equal(names.allocate(op(undefined, 'get', '/list')), 'get_list');
  });

  it('keeps numbered clashes within maxLength', () => {
    const names = new NameAllocator({ maxLength: 12 });
    const taken = Array.from({ length: 12 }, () => names.allocate(op('abcdefghijkl')));
    assert.deepEqual(taken.slice(0, 3), ['abcdefghijkl', 'abcdefghij_2', 'abcdefghij_3']);
    assert.equal(taken[11], 'abcdefghi_12');
    assert.equal(new Set(taken).size, 12);
    assert.ok(taken.every((name) => name.length <= 12));
  });

  it('stays fast when one name clashes thousands of times', () => {
    const names = new NameAllocator();
    const start = performance.now();
    const taken = Array.from({ length: 5000 }, () => names.allocate(op('same')));
    assert.equal(new Set(taken).size, 5000);
    assert.equal(taken[4999], 'same_5000');
    assert.ok(performance.now() - start < 500);
  });

  it('avoids reserved names', () => {
    const names = new NameAllocator({ reserved: ['search_operations'] });
    assert.equal(names.allocate(op('search_operations')), 'search_operations_2');
    assert.ok(names.has('search_operations'));
  });

  it('gives the same names for the same operations in the same order', () => {
    const ops = Array.from({ length: 300 }, (_, index) =>
      op(
        index % 3 === 0 ? undefined : `users.${'very_long_segment.'.repeat(5)}${index % 7}`,
        'get',
        `/u/${index % 5}`,
      ),
    );
    const run = () => {
      const names = new NameAllocator({ prefix: 'graph', maxLength: 48 });
      return ops.map((each) => names.allocate(each));
    };
    const first = run();
    assert.deepEqual(run(), first);
    assert.equal(new Set(first).size, ops.length);
    assert.ok(first.every((name) => name.length <= 48));
  });
});

describe('matchesGlob', () => {
  it('supports * and ?, anchored and case-sensitive', () => {
    assert.ok(matchesGlob('repos/get', 'repos/*'));
    assert.ok(matchesGlob('repos/get', '*get'));
    assert.ok(matchesGlob('repos/get', '*'));
    assert.ok(matchesGlob('', '*'));
    assert.ok(matchesGlob('repos/get', 'repos/g?t'));
    assert.ok(matchesGlob('a-b-c', 'a*b*c'));
    assert.ok(matchesGlob('abcbc', '*bc'));
    assert.ok(!matchesGlob('repos/get', 'repos'));
    assert.ok(!matchesGlob('repos/get', 'Repos/*'));
    assert.ok(!matchesGlob('xrepos/get', 'repos*'));
    assert.ok(!matchesGlob('repos/gt', 'repos/g?t'));
    assert.ok(!matchesGlob('', '?'));
  });

  it('supports character classes, ranges, negation and escapes', () => {
    assert.ok(matchesGlob('v1', 'v[0-9]'));
    assert.ok(!matchesGlob('vx', 'v[0-9]'));
    assert.ok(matchesGlob('get', '[gs]et'));
    assert.ok(matchesGlob('pet', '[!gs]et'));
    assert.ok(matchesGlob('pet', '[^gs]et'));
    assert.ok(!matchesGlob('get', '[!gs]et'));
    assert.ok(matchesGlob(']', '[]]'));
    assert.ok(matchesGlob('a-', 'a[x-]'));
    assert.ok(matchesGlob('[x', '[x'), 'an unclosed class is literal');
    assert.ok(matchesGlob('a*b', 'a\\*b'));
    assert.ok(!matchesGlob('axb', 'a\\*b'));
    assert.ok(matchesGlob('é', '?'), 'one character, not one code unit');
  });

  it('compiles once for many names', () => {
    const matches = compileGlob('issues/*comment*');
    assert.deepEqual(
      ['issues/list-comments', 'issues/create', 'issues/get-comment', 'pulls/list-comments'].filter(matches),
      ['issues/list-comments', 'issues/get-comment'],
    );
  });

  it('does not blow up on pathological patterns', () => {
    const start = performance.now();
    assert.ok(!matchesGlob('a'.repeat(200), `${'*a'.repeat(30)}b`));
    assert.ok(performance.now() - start < 100);
  });
});
