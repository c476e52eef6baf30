/**
 * The shape of a Cloud WAN tool: its MCP definition and the function that answers it. A tool
 * returns a plain JSON value; the provider adds how old the data is and fits it to the budget.
 */
import type { CoreNetworkSummary } from '../../cloudwan/discovery/index.js';
import type { LoadedNetwork } from '../../cloudwan/network.js';
import type { CloudWanState, Loader } from '../../cloudwan/state.js';
import type { CoreNetworkPolicy } from '../../topology/policy-types.js';
import type { ToolCallContext, ToolDefinition, ToolResult } from '../server.js';
import type { Args } from './args.js';
import type { RenderStore } from './renders.js';

/** What AWS mode adds: questions answered by the account rather than by the loaded topology. */
export interface AwsAccess {
  listCoreNetworks(signal: AbortSignal): Promise<CoreNetworkSummary[]>;
  readPolicy(coreNetworkId: string, version: number, signal: AbortSignal): Promise<CoreNetworkPolicy>;
}

export interface CloudWanContext {
  state: CloudWanState;
  call: ToolCallContext;
  budgetBytes: number;
  renders: RenderStore;
  aws?: AwsAccess;
  /** A loader for a snapshot the model names, after checking the path is one it may read. */
  snapshotLoader(path: string): Loader;
  /** The network, loaded (or discovered) first when needed, with progress sent to the client. */
  network(): Promise<LoadedNetwork>;
}

/** A result that is already MCP content (an image, a resource), passed through as it is. */
export class DirectResult {
  constructor(readonly result: ToolResult) {}
}

export interface CloudWanTool {
  definition: ToolDefinition;
  run(args: Args, ctx: CloudWanContext): Promise<unknown>;
}

type Schema = Record<string, unknown>;

/** A read-only tool definition: every Cloud WAN tool only reads (refresh re-reads AWS). */
export function readOnlyTool(
  name: string,
  title: string,
  description: string,
  properties: Record<string, Schema>,
  required: string[] = [],
  options: { openWorld?: boolean } = {},
): ToolDefinition {
  return {
    name,
    title,
    description,
    inputSchema: {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    },
    annotations: {
      title,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: options.openWorld ?? false,
    },
  };
}

export const CORE_NETWORK_ID = {
  type: 'string',
  description: 'Core network id; needed only when the topology has several.',
} as const;

export const text = (description: string): Schema => ({ type: 'string', description });
