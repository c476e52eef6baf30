/**
 * The Cloud WAN tools as an MCP tool provider: arguments checked against each tool's properties,
 * the network loaded (or discovered) on demand with progress sent to the client, and every JSON
 * answer stamped with how old its data is and fitted to the response budget.
 */
import type { CloudWanState, Loader } from '../../cloudwan/state.js';
import { fitJson } from '../../openapi/fit.js';
import type { ToolCallContext, ToolDefinition, ToolProvider, ToolResult } from '../server.js';
import { Args } from './args.js';
import { ATTACHMENT_TOOLS } from './attachment-tools.js';
import { CORE_TOOLS } from './core-tools.js';
import type { RenderStore } from './renders.js';
import { ROUTING_TOOLS } from './routing-tools.js';
import { type AwsAccess, type CloudWanContext, type CloudWanTool, DirectResult } from './tool.js';
import { TOPOLOGY_TOOLS } from './topology-tools.js';

export const CLOUDWAN_TOOLS: readonly CloudWanTool[] = [
  ...CORE_TOOLS,
  ...ATTACHMENT_TOOLS,
  ...ROUTING_TOOLS,
  ...TOPOLOGY_TOOLS,
];

const RESERVED_BYTES = 1024;

export interface CloudWanToolsOptions {
  state: CloudWanState;
  budgetBytes: number;
  renders: RenderStore;
  aws?: AwsAccess;
  snapshotLoader(path: string): Loader;
}

export class CloudWanTools implements ToolProvider {
  private readonly tools = new Map(CLOUDWAN_TOOLS.map((tool) => [tool.definition.name, tool]));
  private readonly definitions = CLOUDWAN_TOOLS.map((tool) => tool.definition);

  constructor(private readonly options: CloudWanToolsOptions) {}

  list(): readonly ToolDefinition[] {
    return this.definitions;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  async call(name: string, args: Record<string, unknown>, call: ToolCallContext): Promise<ToolResult> {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`unknown tool ${name}`); // the server checks names first
    const properties = Object.keys((tool.definition.inputSchema.properties ?? {}) as object);
    const { state } = this.options;
    const ctx: CloudWanContext = {
      ...this.options,
      // Tools fill pages up to this; the rest is room for asOf and a note of what was cut.
      budgetBytes: this.options.budgetBytes - RESERVED_BYTES,
      call,
      network: () => state.current(call.signal, call.progress),
    };
    const value = await tool.run(new Args(name, args, properties), ctx);
    if (value instanceof DirectResult) return value.result;
    // Room for the note that says what was cut.
    const fitted = fitJson(
      { ...(value as object), asOf: this.asOf() },
      this.options.budgetBytes - RESERVED_BYTES / 4,
    );
    const text = fitted.cut
      ? `${fitted.text}\n[cut to fit the response budget: ${fitted.notes.join('; ')}]`
      : fitted.text;
    return { content: [{ type: 'text', text }] };
  }

  /** Where the answer's data comes from and how old it is, so the model can judge and refresh. */
  private asOf(): Record<string, unknown> | undefined {
    const { state } = this.options;
    const network = state.peek();
    if (!network) return undefined;
    const ttl = state.secondsToLive(network);
    return {
      source: network.data.source,
      loadedAt: network.loadedAt.toISOString(),
      ageSeconds: state.ageSeconds(network),
      ...(ttl !== undefined ? { refreshInSeconds: ttl } : {}),
    };
  }
}
