import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../src/errors.js';
import { type CompiledQuery, compileQuery, MAX_QUERY_LENGTH } from '../../src/openapi/query.js';
import { seededRandom } from '../util/random.js';

function pick<T>(next: () => number, options: readonly T[]): T {
  return options[Math.floor(next() * options.length)]!;
}

/** Mostly objects like a list endpoint's items, with gaps, nulls and odd items that JMESPath must skip. */
function randomItem(next: () => number, id: number): unknown {
  const roll = next();
  if (roll < 0.04) return null;
  if (roll < 0.08) return Math.floor(next() * 5);
  if (roll < 0.14) return [{ x: id }, [id, id + 1], null];
  const item: Record<string, unknown> = {
    id,
    state: pick(next, ['open', 'closed']),
    title: pick(next, ['a1', 'b2', 'ab']),
  };
  if (next() < 0.8) item.a = pick(next, [0, 1, 2, 3, '2', null]);
  if (next() < 0.7) item.x = pick(next, [null, 0, 'x', false, { y: 1 }]);
  if (next() < 0.6)
    item.tags = Array.from({ length: Math.floor(next() * 3) }, () => pick(next, ['t1', 't2']));
  if (next() < 0.6) {
    item.b = Array.from({ length: Math.floor(next() * 3) }, () =>
      next() < 0.8 ? { c: Math.floor(next() * 3) } : 7,
    );
  }
  return item;
}

function randomArray(next: () => number): unknown[] {
  const length = Math.floor(next() * 40);
  return Array.from({ length }, (_, index) => randomItem(next, index));
}

/** Cuts `items` into random consecutive batches, some of them empty. */
function randomSplit(next: () => number, items: unknown[]): unknown[][] {
  const batches: unknown[][] = [];
  let start = 0;
  while (start < items.length) {
    const size = Math.floor(next() * 6);
    batches.push(items.slice(start, start + size));
    start += size;
  }
  batches.push([]);
  return batches;
}

/**
 * Looks for an array and a split where concatenating the batch results differs from the result on
 * the whole array; returns a description of the first one found, or undefined.
 */
function findCounterexample(
  seed: number,
  whole: (items: unknown[]) => unknown,
  batch: (items: unknown[]) => unknown,
): string | undefined {
  const next = seededRandom(seed);
  for (let round = 0; round < 60; round++) {
    const items = randomArray(next);
    const expected = outcome(() => JSON.stringify(whole(items)));
    for (let split = 0; split < 4; split++) {
      const batches = randomSplit(next, items);
      const actual = outcome(() => {
        const parts = batches.map(batch);
        return parts.every(Array.isArray) ? JSON.stringify(parts.flat(1)) : 'not arrays';
      });
      if (actual !== expected) return `on ${JSON.stringify(items)}: whole ${expected}, batches ${actual}`;
    }
  }
  return undefined;
}

/** A type error on one item fails the whole array and the batch holding that item alike. */
function outcome(run: () => string): string {
  try {
    return run();
  } catch (error) {
    if (error instanceof QueryError) return 'QueryError';
    throw error;
  }
}

function checkSplits(query: CompiledQuery, seed: number): void {
  const problem = findCounterexample(
    seed,
    (items) => query.apply(items),
    (items) => query.applyToBatch(items),
  );
  assert.equal(problem, undefined, `${query.expression} is classified per item but ${problem}`);
}

const PER_ITEM = [
  '@',
  '[*]',
  '[*].x',
  '[*].x.y',
  '[?a > `1`]',
  '[?a > `1`].b',
  '[]',
  '[].x',
  '[][]',
  '[?a > `1`].b[*].c',
  '[*].b[*].c',
  '[*].b[]',
  '[*].tags[]',
  '[*].tags[0]',
  '[*].{id: id, t: title}',
  '[*].[id, title]',
  "[?state=='open'].{id: id, title: title}",
  '[?a == `1` || a == `2`].id',
  '[?!x]',
  "[?starts_with(title, 'a')].id",
  '[?contains(tags || `[]`, `"t1"`)].id',
  '[*].length(tags || `[]`)',
  '[*].sort_by(b || `[]`, &to_string(@))',
  '[*].let $t = title in {t: $t, id: id}',
  '[*].x | [*]',
  '[?a > `1`] | [*].id',
  "[?state == 'open'] | [?a == `1`].{id: id}",
];

const WHOLE = [
  '[*].x | [0]',
  '[0]',
  '[-1]',
  '[:5]',
  '[1:]',
  'length(@)',
  'sort_by(@, &id)',
  'reverse(@)',
  'max_by(@, &id)',
  'items[*].x',
  '`1`',
  "'text'",
  '*.x',
  '$[*]',
  '$',
  '[*].{id: id, first: $[0].id}',
  '[?id == $[0].id]',
  'let $all = @ in $all[*].id',
  '[*].x | length(@)',
  '[*].x | [1:]',
  '{count: length(@)}',
  '[id, title]',
  '@ | [0]',
  'id',
];

describe('compileQuery: perItem', () => {
  it('classifies from the AST', () => {
    for (const expression of PER_ITEM) assert.equal(compileQuery(expression).perItem, true, expression);
    for (const expression of WHOLE) assert.equal(compileQuery(expression).perItem, false, expression);
  });

  it('batch by batch equals the whole array for every expression classified per item', () => {
    let checked = 0;
    for (const [index, expression] of [...PER_ITEM, ...WHOLE].entries()) {
      const query = compileQuery(expression);
      if (!query.perItem) continue;
      checkSplits(query, 1000 + index);
      checked += 1;
    }
    assert.equal(checked, PER_ITEM.length);
  });

  it('the split check finds counterexamples for expressions that need the whole array', () => {
    // Shows that the property above can fail: evaluated batch by batch, these give other answers.
    for (const expression of [
      '[0]',
      '[-1]',
      '[:5]',
      '[1:]',
      'reverse(@)',
      'sort_by(@, &to_string(id))',
      '[*].x | [0]',
    ]) {
      const query = compileQuery(expression);
      const batchwise = (items: unknown[]) => {
        const result = query.apply(items);
        return Array.isArray(result) ? result : [result];
      };
      assert.notEqual(
        findCounterexample(7, (items) => query.apply(items), batchwise),
        undefined,
        expression,
      );
    }
  });

  it('random expressions classified per item really are', () => {
    const next = seededRandom(42);
    const heads = [
      '[*]',
      '[]',
      '[?a > `1`]',
      "[?state == 'open']",
      '@',
      '[0]',
      '[:2]',
      '$',
      'sort_by(@, &id)',
    ];
    const tails = [
      '.x',
      '.b',
      '.c',
      '[*]',
      '[]',
      '[0]',
      '[1:]',
      '.{i: id, t: title}',
      '[?c > `0`]',
      '.length(@)',
      ' | [0]',
      ' | [*]',
      ' | [?a]',
      ' | length(@)',
      '.[id, $[0].id]',
      '.to_string(@)',
    ];
    let perItem = 0;
    let whole = 0;
    for (let round = 0; round < 300; round++) {
      let expression = pick(next, heads);
      const length = Math.floor(next() * 4);
      for (let index = 0; index < length; index++) expression += pick(next, tails);
      let query: CompiledQuery;
      try {
        query = compileQuery(expression);
      } catch {
        continue;
      }
      if (!query.perItem) {
        whole += 1;
        continue;
      }
      perItem += 1;
      checkSplits(query, round);
    }
    // Both kinds were generated, so the loop above tested something.
    assert.ok(perItem > 50 && whole > 50, `per item ${perItem}, whole ${whole}`);
  });
});

describe('compileQuery: evaluation', () => {
  const issues = [
    { id: 1, state: 'open', title: 'a', user: { login: 'ada' } },
    { id: 2, state: 'closed', title: 'b', user: { login: 'bob' } },
    { id: 3, state: 'open', title: 'c', user: null },
  ];

  it('applies to whole documents, objects included', () => {
    const document = { total: 3, items: issues };
    assert.deepEqual(compileQuery("items[?state=='open'].id").apply(document), [1, 3]);
    assert.deepEqual(compileQuery('{n: total, logins: items[*].user.login}').apply(document), {
      n: 3,
      logins: ['ada', 'bob'],
    });
    assert.equal(compileQuery('length(items)').apply(document), 3);
    assert.equal(compileQuery('nope').apply(document), null);
    assert.deepEqual(compileQuery('[*].id | [0]').apply(issues), 1);
  });

  it('applies per-item queries to batches', () => {
    const query = compileQuery("[?state=='open'].{id: id, title: title}");
    assert.deepEqual(query.applyToBatch(issues), [
      { id: 1, title: 'a' },
      { id: 3, title: 'c' },
    ]);
    assert.deepEqual(query.applyToBatch([]), []);
    assert.deepEqual(compileQuery('[*].user.login').applyToBatch(issues), ['ada', 'bob']);
  });

  it('refuses batches for queries that need the whole document, as a programming error', () => {
    assert.throws(
      () => compileQuery('[0]').applyToBatch(issues),
      (error: unknown) =>
        error instanceof Error && !(error instanceof QueryError) && /whole document/.test(error.message),
    );
  });

  it('reports evaluation failures as QueryError', () => {
    assert.throws(
      () => compileQuery('length(`1`)').apply({}),
      (error: unknown) => error instanceof QueryError && /failed on this response/.test(error.message),
    );
  });
});

describe('compileQuery: errors', () => {
  const rejects = (expression: string, pattern: RegExp) =>
    assert.throws(
      () => compileQuery(expression),
      (error: unknown) => {
        assert.ok(error instanceof QueryError, `${expression}: ${String(error)}`);
        assert.equal(error.code, 'HR_QUERY_INVALID');
        assert.match(error.message, pattern, expression);
        return true;
      },
    );

  it('gives the parser message and the position', () => {
    rejects('a b', /unexpected token type: UnquotedIdentifier, value: b, at character 3/);
    rejects('items[?state == ]', /invalid token \(Rbracket\).*at character 17/);
    rejects('a | | b', /at character 5/);
    rejects('foo[0:1:2:3]', /too many colons.*at character 10/);
    rejects('a.b # c', /unknown character: #, at character 5/);
    rejects('x.y."unterminated', /at character 5/);
  });

  it('says when the expression ends too early', () => {
    rejects('[*', /at the end of the expression/);
    rejects('items[?a > `1`', /at the end of the expression/);
    rejects('{a: b', /at the end of the expression/);
  });

  it('names unknown functions before evaluating', () => {
    rejects('[*].nope(@)', /unknown function nope\(\)/);
    assert.equal(compileQuery("[*].{n: 'nope(@)'}").perItem, true);
  });

  it('limits the length', () => {
    const longest = `[*].${'a'.repeat(MAX_QUERY_LENGTH - 4)}`;
    assert.equal(compileQuery(longest).perItem, true);
    rejects(`${longest}b`, /4,?097 characters long; at most 4,?096/);
  });
});
