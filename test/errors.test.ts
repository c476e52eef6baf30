import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as errors from '../src/errors.js';

// The codes are public API: users match on them. Changing one is a breaking change.
it('pins every error code', () => {
  const made: Array<[errors.HeadroomError, string]> = [
    [new errors.UsageError('x'), 'HR_USAGE'],
    [new errors.ConfigError('memory.budget', 'flag --memory-budget', 'x'), 'HR_CONFIG_INVALID'],
    [new errors.BudgetExceededError('x', 2, 1), 'HR_BUDGET_EXCEEDED'],
    [new errors.CircuitOpenError('api', 'x', 10), 'HR_CIRCUIT_OPEN'],
    [new errors.MemoryPressureError('x'), 'HR_MEMORY_PRESSURE'],
    [new errors.PoolExhaustedError('x'), 'HR_POOL_EXHAUSTED'],
    [new errors.JsonStreamError('x', 5), 'HR_JSON_INVALID'],
    [new errors.ItemTooLargeError('x', 5, 10), 'HR_ITEM_TOO_LARGE'],
    [new errors.BatchError('x', 3, new Error('inner')), 'HR_BATCH_FAILED'],
    [new errors.AbortedError('x'), 'HR_ABORTED'],
    [new errors.SpecError('api.yaml', 'x', { line: 3, column: 4 }), 'HR_SPEC_INVALID'],
    [new errors.SpecTooLargeError('api.yaml', 'x', 11, 10), 'HR_SPEC_TOO_LARGE'],
    [new errors.ToolArgumentError('x'), 'HR_TOOL_ARGUMENTS'],
    [new errors.UnknownOperationError('x'), 'HR_UNKNOWN_OPERATION'],
    [new errors.NotImplementedError('x'), 'HR_NOT_IMPLEMENTED'],
    [new errors.SearchIndexError('x'), 'HR_SEARCH_INDEX_INVALID'],
    [new errors.ListenError('x'), 'HR_LISTEN_FAILED'],
    [new errors.UpstreamError('HR_UPSTREAM_TIMEOUT', 'x'), 'HR_UPSTREAM_TIMEOUT'],
    [new errors.UpstreamError('HR_UPSTREAM_UNREACHABLE', 'x'), 'HR_UPSTREAM_UNREACHABLE'],
    [new errors.UpstreamError('HR_UPSTREAM_REDIRECT_REFUSED', 'x'), 'HR_UPSTREAM_REDIRECT_REFUSED'],
    [new errors.UpstreamError('HR_RESPONSE_TOO_LARGE', 'x'), 'HR_RESPONSE_TOO_LARGE'],
    [new errors.UpstreamError('HR_DECOMPRESSION_RATIO', 'x'), 'HR_DECOMPRESSION_RATIO'],
    [new errors.AuthMissingError('x'), 'HR_AUTH_MISSING'],
    [new errors.AuthFailedError('x'), 'HR_AUTH_FAILED'],
    [new errors.QueryError('x'), 'HR_QUERY_INVALID'],
    [new errors.CursorError('x'), 'HR_CURSOR_UNKNOWN'],
    [new errors.SpillFullError('x'), 'HR_SPILL_FULL'],
    [new errors.TopologyError('t.ndjson', 'x', { line: 2 }), 'HR_TOPOLOGY_INVALID'],
    [new errors.PolicyError('p.json', 'x', '/segments/0'), 'HR_POLICY_INVALID'],
  ];
  for (const [error, code] of made) {
    assert.equal(error.code, code);
    assert.ok(error instanceof errors.HeadroomError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, error.constructor.name);
  }
});

it('throwIfAborted names the work and keeps the reason', () => {
  const controller = new AbortController();
  errors.throwIfAborted(controller.signal, 'loading');
  controller.abort(new Error('client went away'));
  assert.throws(
    () => errors.throwIfAborted(controller.signal, 'loading'),
    (error: unknown) => error instanceof errors.AbortedError && /loading was cancelled/.test(error.message),
  );
});
