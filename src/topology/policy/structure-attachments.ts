/**
 * Structure of `attachment-policies`: numbered rules whose conditions match an attachment and whose
 * action maps it to a segment (by name, or by the value of one of its tags) or to a network function
 * group. Each condition type needs its own fields, as AWS (and the Terraform provider) enforce.
 */

import {
  asArray,
  asBoolean,
  asEnum,
  asInteger,
  asObject,
  asString,
  type Context,
  checkKeys,
  child,
  describe,
  field,
  type Json,
  optionalText,
} from './check.js';
import { isUnresolved } from './intrinsics.js';
import { ATTACHMENT_TYPE_VALUES, CONDITION_OPERATORS, CONDITION_TYPES } from './rules.js';

const POLICY_KEYS = ['rule-number', 'description', 'condition-logic', 'conditions', 'action'];
const CONDITION_KEYS = ['type', 'operator', 'key', 'value'];
const ACTION_KEYS = [
  'association-method',
  'segment',
  'tag-value-of-key',
  'require-acceptance',
  'add-to-network-function-group',
];

/** Which of `key`, `operator`, `value` each condition type needs (true), may have (undefined) or must not have (false). */
const CONDITION_FIELDS: Record<string, { key?: boolean; operator?: boolean; value?: boolean }> = {
  any: { key: false, operator: false, value: false },
  'tag-exists': { key: true, operator: false, value: false },
  'tag-value': { key: true, operator: true, value: true },
  region: { key: false, operator: true, value: true },
  'resource-id': { key: false, operator: true, value: true },
  'account-id': { key: false, operator: true, value: true },
  'attachment-type': { key: false, operator: true, value: true },
  'routing-policy-label': { key: false, value: true },
};

export function checkAttachmentPolicies(ctx: Context, doc: Json): void {
  const value = doc['attachment-policies'];
  if (value === undefined) return;
  const policies = asArray(ctx, value, '/attachment-policies', '"attachment-policies"') ?? [];
  const ruleNumbers = new Map<number, string>();
  for (let i = 0; i < policies.length; i++) {
    const pointer = child('/attachment-policies', i);
    const policy = asObject(ctx, policies[i], pointer, 'an attachment policy');
    if (!policy) continue;
    checkKeys(ctx, policy, pointer, 'an attachment policy', POLICY_KEYS);
    checkRuleNumber(ctx, policy, pointer, ruleNumbers, 'attachment policy');
    optionalText(ctx, policy, 'description', pointer);
    const logic = policy['condition-logic'];
    if (logic !== undefined) {
      asEnum(ctx, logic, child(pointer, 'condition-logic'), '"condition-logic"', ['and', 'or']);
    }
    if (field(ctx, policy, 'conditions', pointer, 'an attachment policy', true) !== undefined) {
      const at = child(pointer, 'conditions');
      const conditions = asArray(ctx, policy.conditions, at, '"conditions"', 1) ?? [];
      for (let c = 0; c < conditions.length; c++) checkCondition(ctx, conditions[c], child(at, c));
      if (conditions.length > 1 && logic === undefined) {
        ctx.fail(
          'missing-field',
          pointer,
          `this rule has ${conditions.length} conditions and no "condition-logic": add "condition-logic": "and" (all must match) or "or" (any)`,
        );
      }
    }
    if (field(ctx, policy, 'action', pointer, 'an attachment policy', true) !== undefined) {
      checkPolicyAction(ctx, policy.action, child(pointer, 'action'));
    }
  }
}

/** `rule-number` from 1 to 65535, unique among the rules in `seen` (number -> pointer of its first use). */
export function checkRuleNumber(
  ctx: Context,
  rule: Json,
  pointer: string,
  seen: Map<number, string>,
  what: string,
): void {
  if (field(ctx, rule, 'rule-number', pointer, `an ${what}`, true) === undefined) return;
  const at = child(pointer, 'rule-number');
  const number = asInteger(ctx, rule['rule-number'], at, '"rule-number"', 1, 65535);
  if (number === undefined) return;
  const first = seen.get(number);
  if (first === undefined) seen.set(number, at);
  else {
    ctx.fail(
      'duplicate-rule-number',
      at,
      `rule number ${number} is already used at ${first}: give every ${what} its own number (rules run from the lowest)`,
    );
  }
}

function checkCondition(ctx: Context, value: unknown, pointer: string): void {
  const condition = asObject(ctx, value, pointer, 'a condition');
  if (!condition) return;
  checkKeys(ctx, condition, pointer, 'a condition', CONDITION_KEYS);
  if (field(ctx, condition, 'type', pointer, 'a condition', true) === undefined) return;
  const type = asEnum(ctx, condition.type, child(pointer, 'type'), 'condition type', CONDITION_TYPES);
  if (type === undefined) return;
  if (type === 'routing-policy-label') {
    ctx.needs2025(child(pointer, 'type'), 'the "routing-policy-label" condition');
  }
  const rules = CONDITION_FIELDS[type] ?? {};
  for (const name of ['key', 'operator', 'value'] as const) {
    const present = condition[name] !== undefined;
    if (rules[name] === true && !present) {
      ctx.fail('missing-field', pointer, `a "${type}" condition needs "${name}": add it`);
    } else if (rules[name] === false && present) {
      ctx.warn(
        'unexpected-field',
        child(pointer, name),
        `a "${type}" condition does not use "${name}": remove it`,
      );
    }
  }
  if (condition.key !== undefined) asString(ctx, condition.key, child(pointer, 'key'), 'condition key');
  if (condition.operator !== undefined) {
    const operator = asEnum(
      ctx,
      condition.operator,
      child(pointer, 'operator'),
      'operator',
      CONDITION_OPERATORS,
    );
    if (type === 'attachment-type' && operator !== undefined && operator !== 'equals') {
      ctx.fail(
        'invalid-value',
        child(pointer, 'operator'),
        `an "attachment-type" condition only supports "equals", not "${operator}"`,
      );
    }
  }
  checkConditionValue(ctx, condition.value, child(pointer, 'value'), type);
}

function checkConditionValue(ctx: Context, value: unknown, pointer: string, type: string): void {
  if (value === undefined || isUnresolved(value)) return;
  // Tag values may be written as booleans (`"value": true` matches the tag value "true").
  if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
    ctx.fail('invalid-type', pointer, `a condition value must be a string, not ${describe(value)}`);
    return;
  }
  if (type === 'attachment-type' && !ATTACHMENT_TYPE_VALUES.includes(String(value))) {
    ctx.warn(
      'unknown-attachment-type',
      pointer,
      `attachment type "${String(value)}" is not one AWS documents (${ATTACHMENT_TYPE_VALUES.join(', ')}): this rule may never match`,
    );
  }
}

function checkPolicyAction(ctx: Context, value: unknown, pointer: string): void {
  const action = asObject(ctx, value, pointer, 'an attachment policy action');
  if (!action) return;
  checkKeys(ctx, action, pointer, 'an attachment policy action', ACTION_KEYS);
  if (action['require-acceptance'] !== undefined) {
    asBoolean(
      ctx,
      action['require-acceptance'],
      child(pointer, 'require-acceptance'),
      '"require-acceptance"',
    );
  }
  const group = action['add-to-network-function-group'];
  if (group !== undefined) {
    const at = child(pointer, 'add-to-network-function-group');
    const name = asString(ctx, group, at, '"add-to-network-function-group"');
    if (name !== undefined) ctx.ref('network-function-group', name, at);
    for (const key of ['association-method', 'segment', 'tag-value-of-key']) {
      if (action[key] !== undefined) {
        ctx.warn(
          'unexpected-field',
          child(pointer, key),
          `"${key}" is not used with "add-to-network-function-group": remove it`,
        );
      }
    }
    return;
  }
  if (action['association-method'] === undefined) {
    ctx.fail(
      'missing-field',
      pointer,
      'the action has no "association-method": use "constant" with "segment", "tag" with "tag-value-of-key", or "add-to-network-function-group"',
    );
    return;
  }
  const method = asEnum(
    ctx,
    action['association-method'],
    child(pointer, 'association-method'),
    'association method',
    ['constant', 'tag'],
  );
  if (method === 'constant') {
    const segment = field(ctx, action, 'segment', pointer, 'a "constant" association', true);
    const name =
      segment === undefined ? undefined : asString(ctx, segment, child(pointer, 'segment'), '"segment"');
    if (name !== undefined) ctx.ref('segment', name, child(pointer, 'segment'));
    if (action['tag-value-of-key'] !== undefined) {
      ctx.warn(
        'unexpected-field',
        child(pointer, 'tag-value-of-key'),
        '"tag-value-of-key" is not used by a "constant" association: remove it',
      );
    }
  } else if (method === 'tag') {
    const key = field(ctx, action, 'tag-value-of-key', pointer, 'a "tag" association', true);
    if (key !== undefined) asString(ctx, key, child(pointer, 'tag-value-of-key'), '"tag-value-of-key"');
    if (action.segment !== undefined) {
      ctx.warn(
        'unexpected-field',
        child(pointer, 'segment'),
        '"segment" is not used by a "tag" association (the tag value names the segment): remove it',
      );
    }
  }
}
