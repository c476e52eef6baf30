import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFilter, filterOperations, type OperationFilter } from '../../src/openapi/filter.js';

const ops = [
  { operationId: 'pets/list', method: 'get', path: '/pets', tags: ['Pets'] },
  { operationId: 'pets/create', method: 'post', path: '/pets', tags: ['pets'] },
  { operationId: 'pets/delete', method: 'DELETE', path: '/pets/{id}', tags: ['pets', 'admin'] },
  { operationId: 'store/inventory', method: 'get', path: '/store/inventory', tags: ['store'] },
  { operationId: 'store/order', method: 'post', path: '/store/order', tags: ['store'] },
  { operationId: 'health', method: 'head', path: '/health', tags: [] },
  { method: 'get', path: '/petsitters/{id}', tags: ['people'] },
];

const ids = (filter: OperationFilter) =>
  filterOperations(ops, filter).map((op) => op.operationId ?? `${op.method} ${op.path}`);

describe('filterOperations', () => {
  it('keeps everything without options, or with empty lists', () => {
    assert.equal(filterOperations(ops, {}).length, ops.length);
    assert.equal(
      filterOperations(ops, { includeTags: [], methods: [], pathPrefixes: [], readOnly: false }).length,
      ops.length,
    );
  });

  it('includes by tag, case-insensitively', () => {
    assert.deepEqual(ids({ includeTags: ['PETS'] }), ['pets/list', 'pets/create', 'pets/delete']);
    assert.deepEqual(ids({ includeTags: ['store', 'people'] }), [
      'store/inventory',
      'store/order',
      'get /petsitters/{id}',
    ]);
  });

  it('excludes by tag', () => {
    assert.deepEqual(ids({ excludeTags: ['Admin', 'store'] }), [
      'pets/list',
      'pets/create',
      'health',
      'get /petsitters/{id}',
    ]);
  });

  it('includes and excludes operations by glob, falling back to the method_path name', () => {
    assert.deepEqual(ids({ includeOperations: ['pets/*', 'health'] }), [
      'pets/list',
      'pets/create',
      'pets/delete',
      'health',
    ]);
    assert.deepEqual(ids({ includeOperations: ['get_petsitters_*'] }), ['get /petsitters/{id}']);
    assert.deepEqual(ids({ excludeOperations: ['*/[cd]*'] }), [
      'pets/list',
      'store/inventory',
      'store/order',
      'health',
      'get /petsitters/{id}',
    ]);
  });

  it('filters by method, case-insensitively', () => {
    assert.deepEqual(ids({ methods: ['POST', 'delete'] }), ['pets/create', 'pets/delete', 'store/order']);
  });

  it('filters by path prefix on whole segments', () => {
    assert.deepEqual(ids({ pathPrefixes: ['/pets'] }), ['pets/list', 'pets/create', 'pets/delete']);
    assert.deepEqual(ids({ pathPrefixes: ['store/', '/health'] }), [
      'store/inventory',
      'store/order',
      'health',
    ]);
    assert.equal(ids({ pathPrefixes: ['/'] }).length, ops.length);
  });

  it('keeps only GET and HEAD when read-only', () => {
    assert.deepEqual(ids({ readOnly: true }), [
      'pets/list',
      'store/inventory',
      'health',
      'get /petsitters/{id}',
    ]);
  });

  it('ANDs across lists and lets excludes win over includes', () => {
    assert.deepEqual(ids({ includeTags: ['pets', 'store'], methods: ['post'] }), [
      'pets/create',
      'store/order',
    ]);
    assert.deepEqual(ids({ includeTags: ['pets'], excludeTags: ['admin'] }), ['pets/list', 'pets/create']);
    assert.deepEqual(ids({ includeOperations: ['pets/*'], excludeOperations: ['pets/*'] }), []);
    assert.deepEqual(
      ids({
        includeTags: ['pets', 'store', 'people'],
        pathPrefixes: ['/pets', '/store', '/petsitters'],
        readOnly: true,
        excludeOperations: ['store/*'],
      }),
      ['pets/list', 'get /petsitters/{id}'],
    );
    assert.deepEqual(ids({ methods: ['post'], readOnly: true }), []);
  });

  it('keeps the original objects and order', () => {
    const kept = filterOperations(ops, { includeTags: ['store'] });
    assert.equal(kept[0], ops[3]);
  });
});

describe('describeFilter', () => {
  it('says what is kept in one line', () => {
    assert.equal(describeFilter({}), 'all operations');
    assert.equal(describeFilter({ includeTags: [] }), 'all operations');
    assert.equal(
      describeFilter({
        includeTags: ['pets', 'store'],
        excludeTags: ['admin'],
        includeOperations: ['pets/*'],
        excludeOperations: ['*delete*'],
        methods: ['get', 'post'],
        pathPrefixes: ['/pets'],
        readOnly: true,
      }),
      'tags pets, store; not tags admin; operations pets/*; not operations *delete*; methods GET, POST; ' +
        'paths under /pets; read-only',
    );
  });
});
