/**
 * Structure of the document's frame: `version`, `core-network-configuration` (ASN ranges, edge
 * locations), `segments` and `network-function-groups`.
 */

import { parseCidr } from '../cidr.js';
import {
  asArray,
  asBoolean,
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
import {
  ALLOWED_ASN_TEXT,
  describeBadCidr,
  isAllowedAsn,
  isAllowedAsnRange,
  MAX_ASN,
  NAME_PATTERN,
  NAME_RULE,
  POLICY_VERSIONS,
  parseAsnRange,
  REGION_PATTERN,
} from './rules.js';

export function checkVersion(ctx: Context, doc: Json): void {
  const value = doc.version;
  const pointer = '/version';
  if (value === undefined) {
    ctx.fail('missing-field', '', 'the document has no "version": add "version": "2025.11" (or "2021.12")');
    return;
  }
  if (typeof value === 'number' && POLICY_VERSIONS.includes(String(value) as never)) {
    // YAML reads an unquoted 2021.12 as a number; AWS wants the string.
    ctx.fail(
      'invalid-type',
      pointer,
      `"version" is the number ${value}: write it as the string "${value}" (quote it in YAML)`,
    );
    return;
  }
  const text = asString(ctx, value, pointer, '"version"');
  if (text === undefined) return;
  const version = POLICY_VERSIONS.find((v) => v === text);
  if (version) ctx.version = version;
  else ctx.fail('invalid-value', pointer, `version "${text}" is not supported: use "2021.12" or "2025.11"`);
}

const CONFIG_KEYS = [
  'asn-ranges',
  'edge-locations',
  'inside-cidr-blocks',
  'vpn-ecmp-support',
  'dns-support',
  'security-group-referencing-support',
];

export function checkCoreNetworkConfiguration(ctx: Context, doc: Json): void {
  const pointer = '/core-network-configuration';
  const value = field(ctx, doc, 'core-network-configuration', '', 'the document', true);
  const config =
    value === undefined ? undefined : asObject(ctx, value, pointer, '"core-network-configuration"');
  if (!config) {
    ctx.settle('edge-location', undefined, 0, true);
    return;
  }
  checkKeys(ctx, config, pointer, '"core-network-configuration"', CONFIG_KEYS);
  for (const key of ['vpn-ecmp-support', 'dns-support', 'security-group-referencing-support']) {
    if (config[key] !== undefined) asBoolean(ctx, config[key], child(pointer, key), `"${key}"`);
  }
  checkCidrList(ctx, config['inside-cidr-blocks'], child(pointer, 'inside-cidr-blocks'));

  if (field(ctx, config, 'asn-ranges', pointer, '"core-network-configuration"', true) !== undefined) {
    const ranges = asStringList(ctx, config['asn-ranges'], child(pointer, 'asn-ranges'), '"asn-ranges"', 1);
    for (const { text, pointer: at } of ranges) checkAsnRange(ctx, text, at);
  }
  let edges: unknown[] | undefined;
  if (field(ctx, config, 'edge-locations', pointer, '"core-network-configuration"', true) !== undefined) {
    const at = child(pointer, 'edge-locations');
    edges = asArray(ctx, config['edge-locations'], at, '"edge-locations"', 1);
    for (const [i, edge] of (edges ?? []).entries()) checkEdgeLocation(ctx, edge, child(at, i));
  }
  ctx.settle('edge-location', edges, ctx.facts.edges.length, true);
}

function checkAsnRange(ctx: Context, text: string, pointer: string): void {
  const range = parseAsnRange(text);
  if (typeof range === 'string') {
    ctx.fail('invalid-asn-range', pointer, range);
    return;
  }
  if (!isAllowedAsnRange(range.low, range.high)) {
    ctx.fail(
      'asn-not-allowed',
      pointer,
      `ASN range "${text}" is outside what AWS allows: use ranges within ${ALLOWED_ASN_TEXT}`,
    );
    return;
  }
  ctx.facts.asnRanges.push({ ...range, text, pointer });
}

function checkEdgeLocation(ctx: Context, value: unknown, pointer: string): void {
  const edge = asObject(ctx, value, pointer, 'an edge location');
  if (!edge) return;
  checkKeys(ctx, edge, pointer, 'an edge location', ['location', 'asn', 'inside-cidr-blocks']);
  const location = regionName(
    ctx,
    field(ctx, edge, 'location', pointer, 'an edge location', true),
    child(pointer, 'location'),
  );
  if (location !== undefined) ctx.facts.edges.push({ name: location, pointer: child(pointer, 'location') });
  if (edge.asn !== undefined) {
    const at = child(pointer, 'asn');
    const asn = asInteger(ctx, edge.asn, at, 'edge ASN', 1, MAX_ASN);
    if (asn !== undefined && !isAllowedAsn(asn)) {
      ctx.fail('asn-not-allowed', at, `edge ASN ${asn} is outside what AWS allows: use ${ALLOWED_ASN_TEXT}`);
    } else if (asn !== undefined && location !== undefined) {
      ctx.facts.edgeAsns.push({ location, asn, pointer: at });
    }
  }
  checkCidrList(ctx, edge['inside-cidr-blocks'], child(pointer, 'inside-cidr-blocks'));
}

/** An AWS Region code; reports a malformed one. */
function regionName(ctx: Context, value: unknown, pointer: string): string | undefined {
  if (value === undefined) return undefined;
  const text = asString(ctx, value, pointer, 'an edge location');
  if (text === undefined || REGION_PATTERN.test(text)) return text;
  ctx.fail(
    'invalid-region',
    pointer,
    `"${text}" is not an AWS Region code: write it like "us-east-1" or "eu-west-2"`,
  );
  return undefined;
}

function checkCidrList(ctx: Context, value: unknown, pointer: string): void {
  if (value === undefined) return;
  for (const { text, pointer: at } of asStringList(ctx, value, pointer, 'a CIDR list')) {
    if (!parseCidr(text)) ctx.fail('invalid-cidr', at, describeBadCidr(text));
  }
}

const SEGMENT_KEYS = [
  'name',
  'description',
  'edge-locations',
  'isolate-attachments',
  'require-attachment-acceptance',
  'allow-filter',
  'deny-filter',
];

export function checkSegments(ctx: Context, doc: Json): void {
  const segments =
    field(ctx, doc, 'segments', '', 'the document', true) === undefined
      ? undefined
      : asArray(ctx, doc.segments, '/segments', '"segments"', 1);
  for (const [i, value] of (segments ?? []).entries()) {
    const pointer = child('/segments', i);
    const segment = asObject(ctx, value, pointer, 'a segment');
    if (!segment) continue;
    checkKeys(ctx, segment, pointer, 'a segment', SEGMENT_KEYS);
    const name = definedName(ctx, segment, pointer, 'segment');
    optionalText(ctx, segment, 'description', pointer);
    let isolated = false;
    for (const key of ['isolate-attachments', 'require-attachment-acceptance']) {
      if (segment[key] === undefined) continue;
      const flag = asBoolean(ctx, segment[key], child(pointer, key), `"${key}"`);
      if (key === 'isolate-attachments') isolated = flag === true;
    }
    for (const { text, pointer: at } of optionalList(ctx, segment, 'edge-locations', pointer)) {
      ctx.ref('edge-location', text, at);
    }
    for (const key of ['allow-filter', 'deny-filter']) {
      for (const { text, pointer: at } of optionalList(ctx, segment, key, pointer)) {
        ctx.ref('segment', text, at);
      }
    }
    if (name !== undefined) ctx.facts.segments.push({ name, pointer: child(pointer, 'name'), isolated });
  }
  ctx.settle('segment', segments, ctx.facts.segments.length, true);
}

const GROUP_KEYS = ['name', 'description', 'require-attachment-acceptance'];

export function checkNetworkFunctionGroups(ctx: Context, doc: Json): void {
  const value = doc['network-function-groups'];
  if (value === undefined) return;
  const groups = asArray(ctx, value, '/network-function-groups', '"network-function-groups"');
  for (const [i, item] of (groups ?? []).entries()) {
    const pointer = child('/network-function-groups', i);
    const group = asObject(ctx, item, pointer, 'a network function group');
    if (!group) continue;
    checkKeys(ctx, group, pointer, 'a network function group', GROUP_KEYS);
    const name = definedName(ctx, group, pointer, 'network function group');
    optionalText(ctx, group, 'description', pointer);
    const acceptance = group['require-attachment-acceptance'];
    if (acceptance !== undefined) {
      asBoolean(
        ctx,
        acceptance,
        child(pointer, 'require-attachment-acceptance'),
        '"require-attachment-acceptance"',
      );
    }
    if (name !== undefined) ctx.facts.networkFunctionGroups.push({ name, pointer: child(pointer, 'name') });
  }
  ctx.settle('network-function-group', groups, ctx.facts.networkFunctionGroups.length, false);
}

/** The `name` of a segment or network function group, when present and well formed. */
function definedName(ctx: Context, obj: Json, pointer: string, what: string): string | undefined {
  const at = child(pointer, 'name');
  const value = field(ctx, obj, 'name', pointer, `a ${what}`, true);
  if (value === undefined) return undefined;
  const name = asString(ctx, value, at, `${what} name`);
  if (name === undefined || NAME_PATTERN.test(name)) return name;
  ctx.fail('invalid-name', at, `${what} name "${name}" is invalid: ${NAME_RULE}`);
  return undefined;
}
