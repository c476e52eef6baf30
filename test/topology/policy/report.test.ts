/**
 * Reports: the CLI text form and the cap on kept issues.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPolicyReport, IssueList } from '../../../src/topology/policy/report.js';

describe('policy reports', () => {
  it('prints errors, then warnings, then a summary line', () => {
    const text = formatPolicyReport({
      source: 'policy.json',
      valid: false,
      version: '2025.11',
      errors: [
        {
          code: 'unknown-segment',
          pointer: '/segment-actions/2/segment',
          message: 'unknown segment "prod" (segments: production, development)',
        },
        { code: 'invalid-type', pointer: '', message: 'not an object' },
      ],
      warnings: [{ code: 'unknown-field', pointer: '/segmentz', message: 'no such field' }],
    });
    assert.equal(
      text,
      [
        'ERROR /segment-actions/2/segment: unknown segment "prod" (segments: production, development)',
        'ERROR (document): not an object',
        'WARNING /segmentz: no such field',
        'policy.json: not valid (version 2025.11), 2 errors, 1 warning',
      ].join('\n'),
    );
  });

  it('prints a valid report as its summary alone', () => {
    const text = formatPolicyReport({
      source: 'p.yaml',
      valid: true,
      version: '2021.12',
      errors: [],
      warnings: [],
    });
    assert.equal(text, 'p.yaml: valid (version 2021.12), 0 errors, 0 warnings');
  });

  it('keeps at most the cap per kind and says how many more there were', () => {
    const issues = new IssueList(3);
    for (let i = 0; i < 5; i++) issues.error('e', `/${i}`, 'bad');
    issues.warning('w', '/w', 'odd');
    issues.noteDropped();
    assert.deepEqual(
      issues.errors.map((e) => e.pointer),
      ['/0', '/1', '/2', ''],
    );
    assert.equal(issues.errors[3]!.code, 'too-many-issues');
    assert.match(issues.errors[3]!.message, /^2 more errors not shown/);
    assert.equal(issues.warnings.length, 1);
  });
});
