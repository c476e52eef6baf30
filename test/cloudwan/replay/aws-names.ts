/**
 * How model values become AWS values, in one place so Network Manager and EC2 answers agree:
 * states, tags (the model's name kept as a `Name` tag), ARNs and stable made-up ids.
 */

/** The caller's account when the options name none, and the owner of ARNs whose element has no account. */
export const DEFAULT_ACCOUNT_ID = '123456789012';

/** Every resource was "created" at the same instant, so answers are deterministic (epoch seconds). */
export const CREATED_AT = 1_700_000_000;
export const CREATED_AT_ISO = new Date(CREATED_AT * 1000).toISOString();

/** Model states are kebab case; Network Manager's upper snake case (`pending-attachment-acceptance` <-> `PENDING_ATTACHMENT_ACCEPTANCE`). */
export function networkManagerState(state: string | undefined): string | undefined {
  return state === undefined ? undefined : state.toUpperCase().replaceAll('-', '_');
}

/** The model's tags plus its name as a `Name` tag (unless a `Name` tag is already there), in key order given. */
export function tagPairs(
  name: string | undefined,
  tags: Readonly<Record<string, string>>,
): Array<[string, string]> {
  const pairs = Object.entries(tags);
  if (name !== undefined && !('Name' in tags)) pairs.unshift(['Name', name]);
  return pairs;
}

/** Network Manager's tag list: `[{Key, Value}]`. */
export function jsonTags(
  pairs: ReadonlyArray<readonly [string, string]>,
): Array<{ Key: string; Value: string }> {
  return pairs.map(([Key, Value]) => ({ Key, Value }));
}

/**
 * A stable 17-hex-digit suffix for ids AWS would make up (`tgw-attach-...`, `vpn-...`): the hex
 * tail of the model id when it has one of that length, else a hash of the whole id.
 */
export function hexSuffix(id: string): string {
  const tail = /-([0-9a-f]{17})$/.exec(id)?.[1];
  if (tail) return tail;
  // Two FNV-1a passes with different offsets give 64 bits; one more nibble makes AWS's 17 digits.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return `0${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

export function ec2Arn(region: string, account: string, kind: string, id: string): string {
  return `arn:aws:ec2:${region}:${account}:${kind}/${id}`;
}

export function coreNetworkArn(account: string, coreNetworkId: string): string {
  return `arn:aws:networkmanager::${account}:core-network/${coreNetworkId}`;
}

export function dxGatewayArn(account: string, dxGatewayId: string): string {
  return `arn:aws:directconnect::${account}:dx-gateway/${dxGatewayId}`;
}
