/**
 * Structure of the 2025.11 routing sections, checked lightly: `routing-policies` (named, numbered
 * rule lists with a direction) and `attachment-routing-policy-rules` (which attachments, by routing
 * policy label, get which routing policies). The rule bodies (match conditions, actions) are only
 * shape-checked; their many types are AWS's to judge.
 */

import {
  asArray,
  asEnum,
  asInteger,
  asObject,
  asString,
  asStringList,
  type Context,
  checkKeys,
  child,
  field,
  type Json,
  optionalList,
  optionalText,
} from './check.js';
import { checkRuleNumber } from './structure-attachments.js';

const POLICY_KEYS = [
  'routing-policy-name',
  'routing-policy-description',
  'routing-policy-direction',
  'routing-policy-number',
  'routing-policy-rules',
];
const RULE_KEYS = ['rule-number', 'description', 'conditions', 'action', 'edge-locations'];

export function checkRoutingPolicies(ctx: Context, doc: Json): void {
  const value = doc['routing-policies'];
  if (value === undefined) return;
  ctx.needs2025('/routing-policies', '"routing-policies"');
  const policies = asArray(ctx, value, '/routing-policies', '"routing-policies"');
  for (const [i, item] of (policies ?? []).entries()) {
    checkRoutingPolicy(ctx, item, child('/routing-policies', i));
  }
  ctx.settle('routing-policy', policies, ctx.facts.routingPolicies.length, false);
}

function checkRoutingPolicy(ctx: Context, value: unknown, pointer: string): void {
  const policy = asObject(ctx, value, pointer, 'a routing policy');
  if (!policy) return;
  checkKeys(ctx, policy, pointer, 'a routing policy', POLICY_KEYS);
  const what = 'a routing policy';
  const nameAt = child(pointer, 'routing-policy-name');
  const nameValue = field(ctx, policy, 'routing-policy-name', pointer, what, true);
  const name = nameValue === undefined ? undefined : asString(ctx, nameValue, nameAt, 'routing policy name');
  if (name !== undefined) ctx.facts.routingPolicies.push({ name, pointer: nameAt });
  optionalText(ctx, policy, 'routing-policy-description', pointer);
  if (field(ctx, policy, 'routing-policy-direction', pointer, what, true) !== undefined) {
    const at = child(pointer, 'routing-policy-direction');
    asEnum(ctx, policy['routing-policy-direction'], at, 'routing policy direction', ['inbound', 'outbound']);
  }
  if (field(ctx, policy, 'routing-policy-number', pointer, what, true) !== undefined) {
    const at = child(pointer, 'routing-policy-number');
    asInteger(ctx, policy['routing-policy-number'], at, '"routing-policy-number"', 1, 65535);
  }
  if (field(ctx, policy, 'routing-policy-rules', pointer, what, true) === undefined) return;
  const at = child(pointer, 'routing-policy-rules');
  const rules = asArray(ctx, policy['routing-policy-rules'], at, '"routing-policy-rules"', 1) ?? [];
  const seen = new Map<number, string>();
  for (const [r, rule] of rules.entries()) checkPolicyRule(ctx, rule, child(at, r), seen);
}

function checkPolicyRule(ctx: Context, value: unknown, pointer: string, seen: Map<number, string>): void {
  const rule = asObject(ctx, value, pointer, 'a routing policy rule');
  if (!rule) return;
  checkRuleNumber(ctx, rule, pointer, seen, 'routing policy rule');
  if (field(ctx, rule, 'rule-definition', pointer, 'a routing policy rule', true) === undefined) return;
  const at = child(pointer, 'rule-definition');
  const definition = asObject(ctx, rule['rule-definition'], at, '"rule-definition"');
  if (!definition) return;
  checkKeys(ctx, definition, at, '"rule-definition"', ['match-conditions', 'condition-logic', 'action']);
  if (definition['condition-logic'] !== undefined) {
    asEnum(ctx, definition['condition-logic'], child(at, 'condition-logic'), '"condition-logic"', [
      'and',
      'or',
    ]);
  }
  if (definition['match-conditions'] !== undefined) {
    const conditionsAt = child(at, 'match-conditions');
    const conditions = asArray(ctx, definition['match-conditions'], conditionsAt, '"match-conditions"') ?? [];
    for (let c = 0; c < conditions.length; c++) {
      typed(ctx, conditions[c], child(conditionsAt, c), 'a match condition');
    }
  }
  if (field(ctx, definition, 'action', at, '"rule-definition"', true) !== undefined) {
    typed(ctx, definition.action, child(at, 'action'), 'a routing policy action');
  }
}

/** An object with a string `type`, the common shape of match conditions and rule actions. */
function typed(ctx: Context, value: unknown, pointer: string, what: string): void {
  const obj = asObject(ctx, value, pointer, what);
  if (!obj || field(ctx, obj, 'type', pointer, what, true) === undefined) return;
  asString(ctx, obj.type, child(pointer, 'type'), `the type of ${what}`);
}

export function checkAttachmentRoutingPolicyRules(ctx: Context, doc: Json): void {
  const value = doc['attachment-routing-policy-rules'];
  if (value === undefined) return;
  const base = '/attachment-routing-policy-rules';
  ctx.needs2025(base, '"attachment-routing-policy-rules"');
  const rules = asArray(ctx, value, base, '"attachment-routing-policy-rules"') ?? [];
  const seen = new Map<number, string>();
  for (let i = 0; i < rules.length; i++) {
    const pointer = child(base, i);
    const rule = asObject(ctx, rules[i], pointer, 'an attachment routing policy rule');
    if (!rule) continue;
    checkKeys(ctx, rule, pointer, 'an attachment routing policy rule', RULE_KEYS);
    checkRuleNumber(ctx, rule, pointer, seen, 'attachment routing policy rule');
    optionalText(ctx, rule, 'description', pointer);
    if (field(ctx, rule, 'conditions', pointer, 'an attachment routing policy rule', true) !== undefined) {
      const at = child(pointer, 'conditions');
      const conditions = asArray(ctx, rule.conditions, at, '"conditions"', 1) ?? [];
      for (let c = 0; c < conditions.length; c++) checkLabelCondition(ctx, conditions[c], child(at, c));
    }
    for (const edge of optionalList(ctx, rule, 'edge-locations', pointer)) {
      ctx.ref('edge-location', edge.text, edge.pointer);
    }
    if (field(ctx, rule, 'action', pointer, 'an attachment routing policy rule', true) === undefined) {
      continue;
    }
    const actionAt = child(pointer, 'action');
    const action = asObject(ctx, rule.action, actionAt, 'the rule action');
    if (!action) continue;
    checkKeys(ctx, action, actionAt, 'the rule action', ['associate-routing-policies']);
    if (field(ctx, action, 'associate-routing-policies', actionAt, 'the rule action', true) === undefined) {
      continue;
    }
    const at = child(actionAt, 'associate-routing-policies');
    for (const name of asStringList(
      ctx,
      action['associate-routing-policies'],
      at,
      '"associate-routing-policies"',
      1,
    )) {
      ctx.ref('routing-policy', name.text, name.pointer);
    }
  }
}

function checkLabelCondition(ctx: Context, value: unknown, pointer: string): void {
  const condition = asObject(ctx, value, pointer, 'a condition');
  if (!condition) return;
  checkKeys(ctx, condition, pointer, 'a condition', ['type', 'operator', 'value']);
  if (field(ctx, condition, 'type', pointer, 'a condition', true) !== undefined) {
    asEnum(ctx, condition.type, child(pointer, 'type'), 'condition type', ['routing-policy-label']);
  }
  if (condition.operator !== undefined) {
    asEnum(ctx, condition.operator, child(pointer, 'operator'), 'operator', [
      'equals',
      'not-equals',
      'contains',
      'begins-with',
    ]);
  }
  if (field(ctx, condition, 'value', pointer, 'a condition', true) !== undefined) {
    asString(ctx, condition.value, child(pointer, 'value'), 'a routing policy label');
  }
}
