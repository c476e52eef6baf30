/**
 * The fixed vocabularies of the generator: real AWS region names (in the order a growing estate
 * usually adds them), segment names (alphanumeric, as Cloud WAN requires) and network function
 * group names.
 */

export const AWS_REGIONS: readonly string[] = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-1',
  'us-west-2',
  'eu-central-1',
  'ap-northeast-1',
  'us-east-2',
  'ap-southeast-2',
  'eu-west-2',
  'ap-south-1',
  'ca-central-1',
  'sa-east-1',
  'eu-north-1',
  'eu-west-3',
  'ap-northeast-2',
  'us-west-1',
  'ap-northeast-3',
  'eu-south-1',
  'af-south-1',
  'me-south-1',
  'ap-east-1',
  'ap-southeast-3',
  'eu-central-2',
  'eu-south-2',
  'me-central-1',
  'ap-south-2',
  'il-central-1',
  'ca-west-1',
  'ap-southeast-4',
  'mx-central-1',
];

/** The AWS quota on segments per core network. */
export const MAX_SEGMENTS = 40;

/**
 * Segment names, most common first so small topologies get the usual ones. `shared` comes first
 * because the policy shares it with everything; `hybrid` holds VPN, Connect, DX and TGW attachments.
 */
const SEGMENT_NAMES = [
  'shared',
  'production',
  'hybrid',
  'development',
  'staging',
  'testing',
  'sandbox',
  'pci',
];

/** Segments whose attachments cannot reach each other (`isolate-attachments`). */
export const ISOLATED_SEGMENTS: ReadonlySet<string> = new Set(['production', 'sandbox', 'pci']);

export function segmentName(index: number): string {
  return SEGMENT_NAMES[index] ?? `segment${index + 1}`;
}

export const MAX_FUNCTION_GROUPS = 8;

const FUNCTION_GROUP_NAMES = ['inspection', 'egress', 'ingress', 'firewall', 'ids', 'proxy', 'dlp', 'waf'];

export function functionGroupName(index: number): string {
  return FUNCTION_GROUP_NAMES[index] ?? `nfg${index + 1}`;
}

/** Cloud WAN region names look like `us-east-1`, `ap-southeast-4`, `us-gov-west-1`. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
