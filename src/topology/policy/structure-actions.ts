/**
 * Structure of `segment-actions`: each action kind with the fields it needs. Names it mentions are
 * recorded as references; whether they exist is a semantic check.
 */

import { parseCidr } from '../cidr.js';
import {
  asArray,
  asEnum,
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
import type { NameDef } from './facts.js';
import { isUnresolved } from './intrinsics.js';
import { ATTACHMENT_ID_PATTERN, describeBadCidr, SEGMENT_ACTIONS, SEND_VIA_MODES } from './rules.js';

/** The fields each action uses besides `action`, `segment` and `description`. */
const ACTION_FIELDS: Record<string, readonly string[]> = {
  share: ['mode', 'share-with', 'routing-policy-names'],
  'create-route': ['destination-cidr-blocks', 'destinations'],
  'send-via': ['mode', 'when-sent-to', 'via'],
  // AWS documents `when-sent-to` for send-via only, but published send-to examples carry it too.
  'send-to': ['via', 'when-sent-to'],
  'associate-routing-policy': ['edge-location-association', 'routing-policy-names'],
};
const COMMON_FIELDS = ['action', 'segment', 'description'];
const ALL_FIELDS = [...new Set([...COMMON_FIELDS, ...Object.values(ACTION_FIELDS).flat()])];

export function checkSegmentActions(ctx: Context, doc: Json): void {
  const value = doc['segment-actions'];
  if (value === undefined) return;
  const actions = asArray(ctx, value, '/segment-actions', '"segment-actions"') ?? [];
  for (let i = 0; i < actions.length; i++) checkAction(ctx, actions[i], child('/segment-actions', i));
}

function checkAction(ctx: Context, value: unknown, pointer: string): void {
  const action = asObject(ctx, value, pointer, 'a segment action');
  if (!action) return;
  const kindValue = field(ctx, action, 'action', pointer, 'a segment action', true);
  const kind =
    kindValue === undefined
      ? undefined
      : asEnum(ctx, kindValue, child(pointer, 'action'), 'action', SEGMENT_ACTIONS);
  const allowed = kind === undefined ? ALL_FIELDS : [...COMMON_FIELDS, ...(ACTION_FIELDS[kind] ?? [])];
  checkKeys(ctx, action, pointer, kind ? `a "${kind}" action` : 'a segment action', allowed, ALL_FIELDS);
  optionalText(ctx, action, 'description', pointer);

  const segmentValue = field(ctx, action, 'segment', pointer, 'a segment action', true);
  const segment =
    segmentValue === undefined
      ? undefined
      : asString(ctx, segmentValue, child(pointer, 'segment'), '"segment"');
  if (segment !== undefined) ctx.ref('segment', segment, child(pointer, 'segment'));

  if (kind === 'share') checkShare(ctx, action, pointer, segment);
  else if (kind === 'create-route') checkCreateRoute(ctx, action, pointer, segment);
  else if (kind === 'send-via' || kind === 'send-to') checkInsertion(ctx, action, pointer, kind);
  else if (kind === 'associate-routing-policy') checkAssociateRoutingPolicy(ctx, action, pointer);
  if (
    (kind === 'share' || kind === 'associate-routing-policy') &&
    action['routing-policy-names'] !== undefined
  ) {
    const at = child(pointer, 'routing-policy-names');
    ctx.needs2025(at, '"routing-policy-names"');
    for (const name of optionalList(ctx, action, 'routing-policy-names', pointer)) {
      ctx.ref('routing-policy', name.text, name.pointer);
    }
  }
}

function checkShare(ctx: Context, action: Json, pointer: string, segment: string | undefined): void {
  if (action.mode !== undefined) {
    asEnum(ctx, action.mode, child(pointer, 'mode'), 'share mode', ['attachment-route']);
  }
  const value = field(ctx, action, 'share-with', pointer, 'a "share" action', true);
  if (value === undefined || isUnresolved(value)) return;
  const at = child(pointer, 'share-with');
  let wildcard = false;
  let listed: { text: string; pointer: string }[] = [];
  if (value === '*') {
    wildcard = true;
  } else if (Array.isArray(value)) {
    listed = asStringList(ctx, value, at, '"share-with"', 1);
  } else if (
    value !== null &&
    typeof value === 'object' &&
    Object.keys(value).length === 1 &&
    'except' in value
  ) {
    wildcard = true;
    listed = asStringList(ctx, value.except, child(at, 'except'), '"except"', 1);
  } else {
    ctx.fail(
      'invalid-type',
      at,
      '"share-with" must be "*", an array of segment names, or {"except": [segment names]}',
    );
    return;
  }
  const targets: NameDef[] = listed.map(({ text, pointer: p }) => ({ name: text, pointer: p }));
  for (const target of targets) ctx.ref('segment', target.name, target.pointer);
  if (segment !== undefined) ctx.facts.shares.push({ segment, pointer: at, wildcard, targets });
}

function checkCreateRoute(ctx: Context, action: Json, pointer: string, segment: string | undefined): void {
  if (field(ctx, action, 'destination-cidr-blocks', pointer, 'a "create-route" action', true) !== undefined) {
    const at = child(pointer, 'destination-cidr-blocks');
    for (const { text, pointer: p } of asStringList(
      ctx,
      action['destination-cidr-blocks'],
      at,
      '"destination-cidr-blocks"',
      1,
    )) {
      const cidr = parseCidr(text);
      if (!cidr) ctx.fail('invalid-cidr', p, describeBadCidr(text));
      else if (segment !== undefined) ctx.facts.staticRoutes.push({ segment, cidr, text, pointer: p });
    }
  }
  if (field(ctx, action, 'destinations', pointer, 'a "create-route" action', true) === undefined) return;
  const at = child(pointer, 'destinations');
  const destinations = asStringList(ctx, action.destinations, at, '"destinations"', 1);
  const blackhole = destinations.some((d) => d.text === 'blackhole');
  if (blackhole && destinations.length > 1) {
    ctx.fail(
      'invalid-value',
      at,
      '"blackhole" cannot be combined with other destinations: use ["blackhole"] alone, or only attachment ids',
    );
    return;
  }
  for (const { text, pointer: p } of destinations) {
    if (text !== 'blackhole' && !ATTACHMENT_ID_PATTERN.test(text)) {
      ctx.fail(
        'invalid-value',
        p,
        `destination "${text}" is neither "blackhole" nor a core network attachment id (like "attachment-0123456789abcdef0")`,
      );
    }
  }
}

function checkInsertion(ctx: Context, action: Json, pointer: string, kind: 'send-via' | 'send-to'): void {
  if (kind === 'send-via') {
    if (action.mode === undefined) {
      ctx.warn('missing-field', pointer, 'a "send-via" action has no "mode": set "single-hop" or "dual-hop"');
    } else {
      asEnum(ctx, action.mode, child(pointer, 'mode'), 'send-via mode', SEND_VIA_MODES);
    }
  }
  if (action['when-sent-to'] !== undefined) {
    checkWhenSentTo(ctx, action['when-sent-to'], child(pointer, 'when-sent-to'));
  }
  if (field(ctx, action, 'via', pointer, `a "${kind}" action`, true) === undefined) return;
  const at = child(pointer, 'via');
  const via = asObject(ctx, action.via, at, '"via"');
  if (!via) return;
  checkKeys(ctx, via, at, '"via"', ['network-function-groups', 'with-edge-overrides']);
  if (field(ctx, via, 'network-function-groups', at, '"via"', true) !== undefined) {
    const groups = asStringList(
      ctx,
      via['network-function-groups'],
      child(at, 'network-function-groups'),
      '"network-function-groups"',
      1,
    );
    for (const group of groups) ctx.ref('network-function-group', group.text, group.pointer);
  }
  if (via['with-edge-overrides'] === undefined) return;
  const overridesAt = child(at, 'with-edge-overrides');
  const overrides = asArray(ctx, via['with-edge-overrides'], overridesAt, '"with-edge-overrides"') ?? [];
  for (let i = 0; i < overrides.length; i++) checkEdgeOverride(ctx, overrides[i], child(overridesAt, i));
}

function checkWhenSentTo(ctx: Context, value: unknown, pointer: string): void {
  const when = asObject(ctx, value, pointer, '"when-sent-to"');
  if (!when) return;
  checkKeys(ctx, when, pointer, '"when-sent-to"', ['segments']);
  const segments = field(ctx, when, 'segments', pointer, '"when-sent-to"', true);
  // One name, "*" for every segment, or a list of names.
  if (segments === undefined || segments === '*' || isUnresolved(segments)) return;
  const at = child(pointer, 'segments');
  if (typeof segments === 'string') {
    ctx.ref('segment', segments, at);
    return;
  }
  for (const { text, pointer: p } of asStringList(ctx, segments, at, '"segments"', 1)) {
    ctx.ref('segment', text, p);
  }
}

function checkEdgeOverride(ctx: Context, value: unknown, pointer: string): void {
  const override = asObject(ctx, value, pointer, 'an edge override');
  if (!override) return;
  checkKeys(ctx, override, pointer, 'an edge override', ['edge-sets', 'use-edge-location', 'use-edge']);
  if (override['edge-sets'] !== undefined) {
    const at = child(pointer, 'edge-sets');
    const sets = asArray(ctx, override['edge-sets'], at, '"edge-sets"', 1) ?? [];
    for (let i = 0; i < sets.length; i++) {
      for (const { text, pointer: p } of asStringList(ctx, sets[i], child(at, i), 'an edge set', 1)) {
        ctx.ref('edge-location', text, p);
      }
    }
  }
  for (const key of ['use-edge-location', 'use-edge']) {
    if (override[key] === undefined) continue;
    const name = asString(ctx, override[key], child(pointer, key), `"${key}"`);
    if (name !== undefined) ctx.ref('edge-location', name, child(pointer, key));
  }
}

function checkAssociateRoutingPolicy(ctx: Context, action: Json, pointer: string): void {
  ctx.needs2025(child(pointer, 'action'), 'the "associate-routing-policy" action');
  const value = action['edge-location-association'];
  if (value === undefined) {
    if (action['routing-policy-names'] === undefined) {
      ctx.fail(
        'missing-field',
        pointer,
        'an "associate-routing-policy" action has no "edge-location-association": add one with "edge-location", "peer-edge-location" and "routing-policy-names"',
      );
    }
    return;
  }
  const at = child(pointer, 'edge-location-association');
  const association = asObject(ctx, value, at, '"edge-location-association"');
  if (!association) return;
  checkKeys(ctx, association, at, '"edge-location-association"', [
    'edge-location',
    'peer-edge-location',
    'routing-policy-names',
  ]);
  for (const key of ['edge-location', 'peer-edge-location']) {
    if (field(ctx, association, key, at, '"edge-location-association"', true) === undefined) continue;
    const name = asString(ctx, association[key], child(at, key), `"${key}"`);
    if (name !== undefined) ctx.ref('edge-location', name, child(at, key));
  }
  if (
    field(ctx, association, 'routing-policy-names', at, '"edge-location-association"', true) === undefined
  ) {
    return;
  }
  const names = asStringList(
    ctx,
    association['routing-policy-names'],
    child(at, 'routing-policy-names'),
    '"routing-policy-names"',
    1,
  );
  for (const name of names) ctx.ref('routing-policy', name.text, name.pointer);
}
