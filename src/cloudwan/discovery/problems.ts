/**
 * Partial failures. A call that fails after the SDK's retries becomes a DiscoveryProblem naming the
 * call, the region, the AWS error, the IAM action that is missing (for access errors) and what the
 * result lacks because of it; discovery carries on. Failures of the same call in the same region are
 * merged into one problem whose consequence counts everything they cost, so a denied region is one
 * line, not one per batch. Aborts are never problems: they end discovery.
 */

import { AbortedError, CloudWanError } from '../../errors.js';
import { formatCount } from '../../util/count.js';
import type { DiscoveryProblem } from './types.js';

type Service = DiscoveryProblem['service'];

export interface ProblemSite {
  service: Service;
  operation: string;
  region?: string;
  resource?: string;
  /** How many things this failure cost (attachments, route tables...), summed when merged. */
  amount?: number;
  /** Merge failures of this call and region whatever the resource (the first resource is kept). */
  merge?: boolean;
  /** What the result lacks, given the summed amount. */
  consequence: (amount: number) => string;
}

const ACCESS_CODES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'UnauthorizedException',
]);

interface Entry {
  problem: Omit<DiscoveryProblem, 'consequence'>;
  amount: number;
  consequence: (amount: number) => string;
}

export class ProblemLog {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly signal?: AbortSignal) {}

  /** Records a failed call; rethrows it as an AbortedError when discovery was cancelled. */
  fail(error: unknown, site: ProblemSite): void {
    throwIfAbort(error, this.signal);
    const code = errorCode(error);
    this.add(site, code, errorMessage(error, code));
  }

  /** Records a problem that is not a failed call (inconsistent data, a result AWS truncated). */
  add(site: ProblemSite, code: string, message: string): void {
    const key = [
      site.service,
      site.operation,
      site.region ?? '',
      code,
      site.merge ? '' : (site.resource ?? ''),
    ].join('\n');
    const entry = this.entries.get(key);
    if (entry) {
      entry.amount += site.amount ?? 1;
      return;
    }
    const problem: Omit<DiscoveryProblem, 'consequence'> = {
      service: site.service,
      operation: site.operation,
      code,
      message,
    };
    if (site.region !== undefined) problem.region = site.region;
    if (site.resource !== undefined) problem.resource = site.resource;
    if (ACCESS_CODES.has(code)) problem.permission = `${site.service}:${site.operation}`;
    this.entries.set(key, { problem, amount: site.amount ?? 1, consequence: site.consequence });
  }

  /**
   * The access error this call already got in this region, if any: the rest of its batches would
   * get it too, so callers record it again (adding to the count) instead of calling.
   */
  denied(
    service: Service,
    operation: string,
    region?: string,
  ): { code: string; message: string } | undefined {
    for (const entry of this.entries.values()) {
      const p = entry.problem;
      if (p.service === service && p.operation === operation && p.region === region && p.permission) {
        return { code: p.code, message: p.message };
      }
    }
    return undefined;
  }

  list(): DiscoveryProblem[] {
    return [...this.entries.values()].map((entry) => ({
      ...entry.problem,
      consequence: entry.consequence(entry.amount),
    }));
  }
}

/** `1 VPC`, `12 VPCs`: counts in consequences. */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** The AWS error code (the SDK puts it in `name`), or a Node error code, or the error's class name. */
export function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.name && error.name !== 'Error') return error.name;
    if (typeof code === 'string' && code) return code;
    return error.name || 'Error';
  }
  return 'Error';
}

/** The SDK's note on a response it could not parse: advice for SDK developers, not for users. */
const DESERIALIZATION_NOTE =
  /\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\.?/;

export function errorMessage(error: unknown, code = errorCode(error)): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(DESERIALIZATION_NOTE, '');
  // Node's word for a response body whose connection closed before its end.
  if (message === 'aborted') return 'the connection closed before the whole response arrived (aborted)';
  if (message !== raw) return `${message || code}: the response could not be read (cut short or malformed)`;
  return message || code;
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
]);

export function isAccessError(code: string): boolean {
  return ACCESS_CODES.has(code);
}

export function throwIfAbort(error: unknown, signal: AbortSignal | undefined): void {
  if (error instanceof AbortedError) throw error;
  const aborted = signal?.aborted || (error instanceof Error && error.name === 'AbortError');
  if (aborted) throw new AbortedError('discovery of the core network was cancelled', signal?.reason ?? error);
}

/**
 * The error for a call discovery cannot do without (listing or reading the core network): what
 * failed, the AWS error, and what to do about it. `notFound` is the advice for a missing resource.
 */
export function fatalError(
  error: unknown,
  signal: AbortSignal | undefined,
  call: { what: string; operation: string; region: string; notFound?: string },
): CloudWanError {
  throwIfAbort(error, signal);
  const code = errorCode(error);
  const message = errorMessage(error, code);
  let advice: string;
  if (isAccessError(code)) {
    advice = `grant networkmanager:${call.operation} to these credentials, or use a profile that has it (AWS_PROFILE)`;
  } else if (code === 'CredentialsProviderError') {
    advice =
      'configure AWS credentials: AWS_PROFILE (with aws sso login for SSO), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance role';
  } else if (THROTTLING_CODES.has(code)) {
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
    advice = `AWS kept throttling it${attempts ? ` through ${attempts} attempts` : ''}; wait a minute and try again, or allow more attempts (--max-attempts, HEADROOM_CLOUDWAN_MAX_ATTEMPTS)`;
  } else if (code === 'ResourceNotFoundException') {
    advice = call.notFound ?? 'check the core network id (list them with list_core_networks)';
  } else {
    advice = 'check the network and the endpoint (AWS_ENDPOINT_URL_NETWORKMANAGER), then try again';
  }
  return new CloudWanError(
    `could not ${call.what} (networkmanager:${call.operation} in ${call.region}): ${code}: ${message}; ${advice}`,
    { cause: error },
  );
}
