/**
 * Injected failures: AccessDenied, throttling, not-found and internal errors, per operation, region
 * and request text, each for a number of requests. The errors read like AWS's own (AccessDenied
 * names the action and the caller), in each protocol's shape.
 */

import { notFoundCode } from './ec2.js';
import { ec2Error } from './ec2-query.js';
import { networkManagerError, type Reply } from './reply.js';

export interface ReplayFault {
  service: 'networkmanager' | 'ec2';
  /** 'GetNetworkRoutes', 'DescribeVpcs', ... */
  operation: string;
  /** EC2 only: only in this region. */
  region?: string;
  /** Only when the request path, query or body contains this text (a segment name, a route table id...). */
  match?: string;
  error: 'AccessDenied' | 'Throttling' | 'NotFound' | 'Internal';
  /** How many matching requests fail (default: all). */
  times?: number;
}

const ERRORS = ['AccessDenied', 'Throttling', 'NotFound', 'Internal'];

/** The faults of one server, with what is left of each one's `times`. */
export class FaultPlan {
  private readonly faults: Array<{ fault: ReplayFault; left: number }>;

  constructor(faults: readonly ReplayFault[] = []) {
    this.faults = faults.map((fault, i) => {
      const where = `options.faults[${i}]`;
      if (fault.service !== 'networkmanager' && fault.service !== 'ec2') {
        throw new TypeError(`${where}.service must be 'networkmanager' or 'ec2', got '${fault.service}'`);
      }
      if (!ERRORS.includes(fault.error)) {
        throw new TypeError(`${where}.error must be one of ${ERRORS.join(', ')}, got '${fault.error}'`);
      }
      if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 0)) {
        throw new TypeError(`${where}.times must be a non-negative integer, got ${fault.times}`);
      }
      return { fault, left: fault.times ?? Number.POSITIVE_INFINITY };
    });
  }

  /** The first fault this request triggers (using up one of its `times`), if any. */
  take(service: string, operation: string, region: string, text: () => string): ReplayFault | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.left <= 0 || fault.service !== service || fault.operation !== operation) continue;
      if (fault.region !== undefined && fault.region !== region) continue;
      if (fault.match !== undefined && !text().includes(fault.match)) continue;
      entry.left--;
      return fault;
    }
    return undefined;
  }
}

/** The error reply of a fault, as the service would send it. */
export function faultReply(
  fault: ReplayFault,
  callerAccountId: string,
  region: string,
  text: string,
  requestId: string,
): Reply {
  const caller = `arn:aws:iam::${callerAccountId}:user/test`;
  const action = `${fault.service}:${fault.operation}`;
  if (fault.service === 'networkmanager') {
    switch (fault.error) {
      case 'AccessDenied': {
        const core = /core-network-[0-9a-zA-Z]+/.exec(text)?.[0];
        const resource = core ? `arn:aws:networkmanager::${callerAccountId}:core-network/${core}` : '*';
        return networkManagerError(
          403,
          'AccessDeniedException',
          `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`,
          requestId,
        );
      }
      case 'Throttling':
        return networkManagerError(429, 'ThrottlingException', 'Rate exceeded', requestId);
      case 'NotFound':
        return networkManagerError(
          404,
          'ResourceNotFoundException',
          'Resource not found (injected fault)',
          requestId,
        );
      default:
        return networkManagerError(
          500,
          'InternalServerException',
          'Internal server error (injected fault)',
          requestId,
        );
    }
  }
  switch (fault.error) {
    case 'AccessDenied':
      return ec2Error(
        403,
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: ${caller} is not authorized to perform: ${action} in ${region} because no identity-based policy allows the ${action} action`,
        requestId,
      );
    case 'Throttling':
      return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.', requestId);
    case 'NotFound':
      return ec2Error(
        400,
        notFoundCode(fault.operation),
        'The resource does not exist (injected fault)',
        requestId,
      );
    default:
      return ec2Error(500, 'InternalError', 'An internal error has occurred (injected fault)', requestId);
  }
}
