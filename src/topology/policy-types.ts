/**
 * The AWS Cloud WAN core network policy document (versions 2021.12 and 2025.11), typed as AWS writes
 * it (kebab-case keys), so a document read from a file or from `GetCoreNetworkPolicy` is used as is.
 * Only the fields the engine reads are typed strictly; the index signatures keep everything else.
 */

export type PolicyVersion = '2021.12' | '2025.11';

export interface EdgeLocation {
  location: string;
  asn?: number;
  'inside-cidr-blocks'?: string[];
  [key: string]: unknown;
}

export interface CoreNetworkConfiguration {
  'asn-ranges': string[];
  'edge-locations': EdgeLocation[];
  'inside-cidr-blocks'?: string[];
  'vpn-ecmp-support'?: boolean;
  'dns-support'?: boolean;
  'security-group-referencing-support'?: boolean;
  [key: string]: unknown;
}

export interface Segment {
  name: string;
  description?: string;
  'edge-locations'?: string[];
  'isolate-attachments'?: boolean;
  'require-attachment-acceptance'?: boolean;
  'allow-filter'?: string[];
  'deny-filter'?: string[];
  [key: string]: unknown;
}

export interface NetworkFunctionGroup {
  name: string;
  description?: string;
  'require-attachment-acceptance'?: boolean;
  [key: string]: unknown;
}

/** A `via` or `send-to` edge override: which edge inspects traffic between the edges of a set. */
export interface EdgeOverride {
  'edge-sets'?: string[][];
  'use-edge-location'?: string;
  'use-edge'?: string;
  [key: string]: unknown;
}

export interface SegmentAction {
  action: 'share' | 'create-route' | 'send-via' | 'send-to' | 'associate-routing-policy' | string;
  segment: string;
  mode?: 'attachment-route' | 'single-hop' | 'dual-hop' | string;
  'share-with'?: string[] | '*' | { except: string[] };
  'destination-cidr-blocks'?: string[];
  destinations?: string[] | ['blackhole'];
  description?: string;
  'when-sent-to'?: { segments?: string[] | '*' };
  via?: { 'network-function-groups'?: string[]; 'with-edge-overrides'?: EdgeOverride[] };
  'routing-policy-names'?: string[];
  [key: string]: unknown;
}

export interface AttachmentCondition {
  type:
    | 'any'
    | 'account-id'
    | 'attachment-type'
    | 'region'
    | 'resource-id'
    | 'tag-exists'
    | 'tag-value'
    | string;
  operator?: 'equals' | 'not-equals' | 'contains' | 'begins-with' | string;
  key?: string;
  value?: unknown;
  [key: string]: unknown;
}

export interface AttachmentPolicy {
  'rule-number': number;
  description?: string;
  'condition-logic'?: 'and' | 'or';
  conditions: AttachmentCondition[];
  action: {
    'association-method'?: 'constant' | 'tag';
    segment?: string;
    'tag-value-of-key'?: string;
    'require-acceptance'?: boolean;
    'add-to-network-function-group'?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface CoreNetworkPolicy {
  version: PolicyVersion | string;
  'core-network-configuration': CoreNetworkConfiguration;
  segments: Segment[];
  'network-function-groups'?: NetworkFunctionGroup[];
  'segment-actions'?: SegmentAction[];
  'attachment-policies'?: AttachmentPolicy[];
  'routing-policies'?: unknown[];
  'attachment-routing-policy-rules'?: unknown[];
  [key: string]: unknown;
}
