import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, didYouMean, levenshtein } from '../../src/util/suggest.js';

describe('suggest', () => {
  it('computes edit distances', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('same', 'same'), 0);
  });

  it('suggests only close candidates', () => {
    assert.equal(closest('opnapi', ['openapi', 'spec']), 'openapi');
    assert.equal(closest('topo', ['openapi', 'topology']), 'topology');
    assert.equal(closest('zzzz', ['openapi', 'spec']), undefined);
    assert.equal(didYouMean('budgt', ['budget']), " Did you mean 'budget'?");
    assert.equal(didYouMean('x', []), '');
  });
});
