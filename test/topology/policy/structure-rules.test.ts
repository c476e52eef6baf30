/**
 * Structure checks of the rule sections (segment actions, attachment policies, 2025.11 routing):
 * the base policy broken in one place at a time; each test names the exact issues (code and
 * pointer) it expects and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatePolicy } from '../../../src/topology/policy/validate.js';
import { basePolicy, type Doc, where } from './documents.js';

function check(change: (doc: Doc) => void) {
  const doc = basePolicy();
  change(doc);
  return validatePolicy(doc, 'test.json');
}

/** Asserts the report has exactly these errors (as `code pointer`) and no document handed back. */
function expectErrors(change: (doc: Doc) => void, expected: string[]) {
  const report = check(change);
  assert.deepEqual(where(report.errors), expected);
  assert.equal(report.valid, false);
  assert.equal(report.policy, undefined);
  return report;
}

describe('policy structure: segment actions', () => {
  it('names the actions for an unknown one', () => {
    const report = expectErrors(
      (d) => (d['segment-actions'][0].action = 'shared'),
      ['invalid-value /segment-actions/0/action'],
    );
    assert.match(
      report.errors[0]!.message,
      /share, create-route, send-via, send-to, associate-routing-policy/,
    );
  });

  it('needs a segment on every action', () => {
    expectErrors((d) => delete d['segment-actions'][3].segment, ['missing-field /segment-actions/3']);
  });

  it('needs share-with on a share, as "*", a list, or {"except": [...]}', () => {
    expectErrors((d) => delete d['segment-actions'][0]['share-with'], ['missing-field /segment-actions/0']);
    expectErrors(
      (d) => (d['segment-actions'][0]['share-with'] = 'production'),
      ['invalid-type /segment-actions/0/share-with'],
    );
    const star = check((d) => (d['segment-actions'][0]['share-with'] = '*'));
    assert.deepEqual(star.errors, []);
    const except = check((d) => (d['segment-actions'][0]['share-with'] = { except: ['production'] }));
    assert.deepEqual(except.errors, []);
  });

  it('needs destination CIDR blocks and destinations on a static route', () => {
    expectErrors(
      (d) => {
        delete d['segment-actions'][1]['destination-cidr-blocks'];
        delete d['segment-actions'][1].destinations;
      },
      ['missing-field /segment-actions/1', 'missing-field /segment-actions/1'],
    );
  });

  it('refuses a static route CIDR with host bits set', () => {
    const report = expectErrors(
      (d) => (d['segment-actions'][1]['destination-cidr-blocks'] = ['10.0.0.0/16', '10.1.2.3/16']),
      ['invalid-cidr /segment-actions/1/destination-cidr-blocks/1'],
    );
    assert.match(report.errors[0]!.message, /did you mean "10\.1\.0\.0\/16"/);
  });

  it('takes ["blackhole"] alone or attachment ids as destinations', () => {
    expectErrors(
      (d) => (d['segment-actions'][1].destinations = ['blackhole', 'attachment-0123456789abcdef0']),
      ['invalid-value /segment-actions/1/destinations'],
    );
    expectErrors(
      (d) => (d['segment-actions'][1].destinations = ['vpc-123']),
      ['invalid-value /segment-actions/1/destinations/0'],
    );
    const ids = check((d) => (d['segment-actions'][1].destinations = ['attachment-0123456789abcdef0']));
    assert.deepEqual(ids.errors, []);
  });

  it('warns about a field the action does not use', () => {
    const report = check((d) => (d['segment-actions'][1].mode = 'attachment-route'));
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), ['unexpected-field /segment-actions/1/mode']);
    assert.match(report.warnings[0]!.message, /not used in a "create-route" action/);
  });

  it('checks the send-via mode, and warns when it is missing', () => {
    expectErrors(
      (d) => (d['segment-actions'][2].mode = 'triple-hop'),
      ['invalid-value /segment-actions/2/mode'],
    );
    const missing = check((d) => delete d['segment-actions'][2].mode);
    assert.deepEqual(missing.errors, []);
    assert.deepEqual(where(missing.warnings), ['missing-field /segment-actions/2']);
  });

  it('needs via with network function groups on send-to and send-via', () => {
    expectErrors((d) => delete d['segment-actions'][3].via, ['missing-field /segment-actions/3']);
    expectErrors(
      (d) => (d['segment-actions'][2].via['network-function-groups'] = []),
      ['too-few-items /segment-actions/2/via/network-function-groups'],
    );
  });

  it('accepts when-sent-to segments as "*", one name or a list', () => {
    for (const segments of ['*', 'development', ['development']]) {
      const report = check((d) => (d['segment-actions'][2]['when-sent-to'] = { segments }));
      assert.deepEqual(report.errors, [], JSON.stringify(segments));
    }
  });

  it('wants edge-sets to be lists of edge locations', () => {
    expectErrors(
      (d) => (d['segment-actions'][2].via['with-edge-overrides'][0]['edge-sets'] = ['us-east-1']),
      ['invalid-type /segment-actions/2/via/with-edge-overrides/0/edge-sets/0'],
    );
  });
});

describe('policy structure: attachment policies', () => {
  const rule = (d: Doc, i: number) => d['attachment-policies'][i];

  it('keeps rule numbers within 1 to 65535', () => {
    expectErrors(
      (d) => {
        rule(d, 0)['rule-number'] = 0;
        rule(d, 1)['rule-number'] = 65536;
        rule(d, 2)['rule-number'] = 1.5;
      },
      [
        'out-of-range /attachment-policies/0/rule-number',
        'out-of-range /attachment-policies/1/rule-number',
        'invalid-type /attachment-policies/2/rule-number',
      ],
    );
  });

  it('refuses a rule number used twice, pointing at the first', () => {
    const report = expectErrors(
      (d) => (rule(d, 2)['rule-number'] = 100),
      ['duplicate-rule-number /attachment-policies/2/rule-number'],
    );
    assert.match(report.errors[0]!.message, /already used at \/attachment-policies\/0\/rule-number/);
  });

  it('names the condition types for an unknown one', () => {
    const report = expectErrors(
      (d) => (rule(d, 0).conditions[0].type = 'tag'),
      ['invalid-value /attachment-policies/0/conditions/0/type'],
    );
    assert.match(report.errors[0]!.message, /tag-exists, tag-value/);
  });

  it('needs key, operator and value on a tag-value condition', () => {
    expectErrors(
      (d) => delete rule(d, 1).conditions[0].key,
      ['missing-field /attachment-policies/1/conditions/0'],
    );
  });

  it('needs operator "equals" on an attachment-type condition', () => {
    expectErrors(
      (d) => (rule(d, 0).conditions[1].operator = 'contains'),
      ['invalid-value /attachment-policies/0/conditions/1/operator'],
    );
  });

  it('names the operators for an unknown one', () => {
    expectErrors(
      (d) => (rule(d, 2).conditions[0].operator = 'is'),
      ['invalid-value /attachment-policies/2/conditions/0/operator'],
    );
  });

  it('warns about fields a condition type does not use', () => {
    const report = check((d) => (rule(d, 2).conditions = [{ type: 'any', key: 'x' }]));
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), ['unexpected-field /attachment-policies/2/conditions/0/key']);
  });

  it('warns about an attachment type AWS does not document', () => {
    const report = check((d) => (rule(d, 0).conditions[1].value = 'vpn'));
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), [
      'unknown-attachment-type /attachment-policies/0/conditions/1/value',
    ]);
  });

  it('refuses an object as a condition value', () => {
    expectErrors(
      (d) => (rule(d, 2).conditions[0].value = { id: 1 }),
      ['invalid-type /attachment-policies/2/conditions/0/value'],
    );
  });

  it('needs condition-logic when a rule has several conditions', () => {
    const report = expectErrors(
      (d) => delete rule(d, 0)['condition-logic'],
      ['missing-field /attachment-policies/0'],
    );
    assert.match(report.errors[0]!.message, /2 conditions/);
  });

  it('needs an association method (or a network function group) in the action', () => {
    expectErrors(
      (d) => (rule(d, 2).action = { segment: 'development' }),
      ['missing-field /attachment-policies/2/action'],
    );
  });

  it('needs segment with "constant" and tag-value-of-key with "tag"', () => {
    expectErrors(
      (d) => {
        delete rule(d, 2).action.segment;
        delete rule(d, 0).action['tag-value-of-key'];
      },
      ['missing-field /attachment-policies/0/action', 'missing-field /attachment-policies/2/action'],
    );
  });
});

describe('policy structure: 2025.11 routing sections', () => {
  const routing = (d: Doc) => {
    d['routing-policies'] = [
      {
        'routing-policy-name': 'dropDefault',
        'routing-policy-direction': 'inbound',
        'routing-policy-number': 100,
        'routing-policy-rules': [
          {
            'rule-number': 100,
            'rule-definition': {
              'match-conditions': [{ type: 'prefix-equals', value: '0.0.0.0/0' }],
              'condition-logic': 'or',
              action: { type: 'drop' },
            },
          },
        ],
      },
    ];
    d['attachment-routing-policy-rules'] = [
      {
        'rule-number': 100,
        conditions: [{ type: 'routing-policy-label', value: 'vpcs' }],
        action: { 'associate-routing-policies': ['dropDefault'] },
        'edge-locations': ['us-east-1'],
      },
    ];
    d['segment-actions'][0]['routing-policy-names'] = ['dropDefault'];
  };

  it('accepts routing policies, attachment routing rules and routing-policy-names in 2025.11', () => {
    const report = check(routing);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.warnings, []);
  });

  it('refuses them in a 2021.12 document', () => {
    expectErrors(
      (d) => {
        routing(d);
        d.version = '2021.12';
      },
      [
        'unsupported-in-version /segment-actions/0/routing-policy-names',
        'unsupported-in-version /routing-policies',
        'unsupported-in-version /attachment-routing-policy-rules',
      ],
    );
  });

  it('checks the direction, the rules and the label conditions', () => {
    expectErrors(
      (d) => {
        routing(d);
        d['routing-policies'][0]['routing-policy-direction'] = 'both';
        delete d['routing-policies'][0]['routing-policy-rules'][0]['rule-definition'].action;
        d['attachment-routing-policy-rules'][0].conditions[0].type = 'tag-value';
      },
      [
        'invalid-value /routing-policies/0/routing-policy-direction',
        'missing-field /routing-policies/0/routing-policy-rules/0/rule-definition',
        'invalid-value /attachment-routing-policy-rules/0/conditions/0/type',
      ],
    );
  });

  it('needs an edge-location-association on associate-routing-policy', () => {
    expectErrors(
      (d) => {
        routing(d);
        d['segment-actions'].push({ action: 'associate-routing-policy', segment: 'production' });
      },
      ['missing-field /segment-actions/4'],
    );
  });
});
