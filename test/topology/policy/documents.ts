/**
 * A small valid policy that each test copies and breaks in one place, and helpers to read reports.
 */
import type { PolicyIssue, PolicyReport } from '../../../src/topology/policy/report.js';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents by path to break them in one place
export type Doc = Record<string, any>;

/** Two edges, two segments (production isolated), one network function group, one rule of each kind. */
export function basePolicy(): Doc {
  return {
    version: '2025.11',
    'core-network-configuration': {
      'vpn-ecmp-support': false,
      'asn-ranges': ['64512-65534'],
      'edge-locations': [
        { location: 'us-east-1', asn: 64512 },
        { location: 'eu-west-1', asn: 64513 },
      ],
    },
    segments: [
      { name: 'production', 'isolate-attachments': true, 'require-attachment-acceptance': false },
      { name: 'development', 'edge-locations': ['us-east-1'] },
    ],
    'network-function-groups': [{ name: 'inspection', 'require-attachment-acceptance': false }],
    'segment-actions': [
      { action: 'share', mode: 'attachment-route', segment: 'development', 'share-with': ['production'] },
      {
        action: 'create-route',
        segment: 'production',
        'destination-cidr-blocks': ['10.0.0.0/16'],
        destinations: ['blackhole'],
      },
      {
        action: 'send-via',
        segment: 'production',
        mode: 'single-hop',
        'when-sent-to': { segments: ['development'] },
        via: {
          'network-function-groups': ['inspection'],
          'with-edge-overrides': [
            { 'edge-sets': [['us-east-1', 'eu-west-1']], 'use-edge-location': 'us-east-1' },
          ],
        },
      },
      { action: 'send-to', segment: 'development', via: { 'network-function-groups': ['inspection'] } },
    ],
    'attachment-policies': [
      {
        'rule-number': 100,
        'condition-logic': 'and',
        conditions: [
          { type: 'tag-exists', key: 'domain' },
          { type: 'attachment-type', operator: 'equals', value: 'vpc' },
        ],
        action: { 'association-method': 'tag', 'tag-value-of-key': 'domain' },
      },
      {
        'rule-number': 200,
        conditions: [{ type: 'tag-value', operator: 'equals', key: 'inspection', value: true }],
        action: { 'add-to-network-function-group': 'inspection' },
      },
      {
        'rule-number': 300,
        conditions: [{ type: 'account-id', operator: 'equals', value: '123456789012' }],
        action: { 'association-method': 'constant', segment: 'development' },
      },
    ],
  };
}

/** `code pointer` of each issue, for exact comparisons. */
export function where(issues: PolicyIssue[]): string[] {
  return issues.map((issue) => `${issue.code} ${issue.pointer}`);
}

/** The only issue of a report (fails the caller's assertion with the whole list otherwise). */
export function only(report: PolicyReport, kind: 'errors' | 'warnings'): PolicyIssue {
  const list = report[kind];
  if (list.length !== 1)
    throw new Error(`expected one ${kind.slice(0, -1)}, got ${JSON.stringify(list, null, 1)}`);
  return list[0]!;
}
