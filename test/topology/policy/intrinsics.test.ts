/**
 * Template leftovers: CloudFormation `Ref` and `Fn::` objects and `${...}` substitutions are errors at
 * their pointer, are not reported a second time by other checks, and the rest of the document is
 * still checked. Also the bounds of the walk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POLICY_DEPTH } from '../../../src/topology/policy/intrinsics.js';
import { validatePolicy } from '../../../src/topology/policy/validate.js';
import { basePolicy, type Doc, where } from './documents.js';

/** `${name}`, the way Terraform and Fn::Sub write a substitution. */
const placeholder = (name: string) => `\${${name}}`;

function check(change: (doc: Doc) => void) {
  const doc = basePolicy();
  change(doc);
  return validatePolicy(doc, 'template.json');
}

describe('policy intrinsics', () => {
  it('reports a Ref at its pointer and nothing else, keeping the document usable', () => {
    const report = check((d) => (d['attachment-policies'][2].conditions[0].value = { Ref: 'SpokeAccount' }));
    assert.deepEqual(where(report.errors), ['intrinsic-function /attachment-policies/2/conditions/0/value']);
    assert.match(report.errors[0]!.message, /\{"Ref": "SpokeAccount"\} left in the policy: resolve it/);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.valid, false);
    assert.ok(report.policy);
  });

  it('reports Fn:: functions in objects and arrays', () => {
    const report = check((d) => {
      d['core-network-configuration']['asn-ranges'] = [
        { 'Fn::Sub': `${placeholder('Low')}-${placeholder('High')}` },
      ];
      d['segment-actions'][1]['destination-cidr-blocks'] = [
        '10.0.0.0/16',
        { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] },
      ];
    });
    assert.deepEqual(where(report.errors), [
      'intrinsic-function /core-network-configuration/asn-ranges/0',
      'intrinsic-function /segment-actions/1/destination-cidr-blocks/1',
    ]);
    assert.match(report.errors[0]!.message, /\{"Fn::Sub": "\$\{Low\}-\$\{High\}"\}/);
    assert.match(report.errors[1]!.message, /\{"Fn::GetAtt": \[\.\.\.\]\}/);
  });

  it('reports a substitution in a string once, without also calling the name invalid or unknown', () => {
    const report = check((d) => {
      d.segments[1].name = placeholder('Environment');
      d['segment-actions'][0].segment = placeholder('Environment');
    });
    assert.deepEqual(where(report.errors), [
      'intrinsic-function /segments/1/name',
      'intrinsic-function /segment-actions/0/segment',
    ]);
    assert.match(report.errors[0]!.message, /template substitution in "\$\{Environment\}"/);
  });

  it('does not also call a whole section held by a placeholder the wrong type', () => {
    const report = check((d) => {
      d['core-network-configuration'] = placeholder('Config');
      d['network-function-groups'] = { Ref: 'Groups' };
    });
    // The edges and groups are unknown, so the names that refer to them are not reported either.
    assert.deepEqual(where(report.errors), [
      'intrinsic-function /core-network-configuration',
      'intrinsic-function /network-function-groups',
    ]);
  });

  it('still checks the rest of the document', () => {
    const report = check((d) => {
      d['core-network-configuration']['edge-locations'][0].location = { Ref: 'AWS::Region' };
      d['segment-actions'][3].segment = 'finance';
      d['attachment-policies'][0]['rule-number'] = 0;
    });
    assert.deepEqual(where(report.errors), [
      'intrinsic-function /core-network-configuration/edge-locations/0/location',
      'out-of-range /attachment-policies/0/rule-number',
      'unknown-segment /segment-actions/3/segment',
    ]);
  });

  it('does not take a key that merely contains "Fn" or "Ref" for a function', () => {
    const report = check((d) => (d.segments[1].description = 'Refers to Fn::Sub-free text'));
    assert.deepEqual(report.errors, []);
  });

  it('reports a whole document that is a Ref', () => {
    const report = validatePolicy({ Ref: 'PolicyDocument' }, 'x');
    assert.deepEqual(where(report.errors), ['intrinsic-function ']);
    assert.equal(report.policy, undefined);
  });

  it('escapes "/" and "~" in pointers', () => {
    const report = check((d) => (d['a/b~c'] = { Ref: 'X' }));
    assert.deepEqual(where(report.errors), ['intrinsic-function /a~1b~0c']);
  });

  it('stops at a document nested deeper than any policy, saying where', () => {
    const doc = basePolicy();
    let deep: Doc = {};
    doc.segments[0].description = deep;
    for (let i = 0; i < MAX_POLICY_DEPTH + 10; i++) {
      deep.x = {};
      deep = deep.x;
    }
    const report = validatePolicy(doc, 'deep.json');
    assert.deepEqual(
      report.errors.map((e) => e.code),
      ['document-too-deep'],
    );
    assert.ok(report.errors[0]!.pointer.startsWith('/segments/0/description/x/x'));
    assert.equal(report.policy, undefined);
  });

  it('stops at a cycle (a YAML alias can make one) instead of looping', () => {
    const doc = basePolicy();
    doc.segments[0].description = doc.segments;
    const report = validatePolicy(doc, 'cycle.yaml');
    assert.deepEqual(
      report.errors.map((e) => e.code),
      ['document-too-deep'],
    );
  });
});
