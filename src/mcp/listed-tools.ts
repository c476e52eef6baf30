/**
 * A tool provider that answers from a cached tool listing and builds the real provider on the
 * first call: a session that only lists tools never reads a catalog, and one that calls pays for
 * reading it once, on that first call.
 */
import type { RawJson } from './raw-json.js';
import type {
  ResourceProvider,
  ToolCallContext,
  ToolDefinition,
  ToolProvider,
  ToolResult,
} from './server.js';
import type { ToolListing } from './tool-listing.js';

export class ListedTools implements ToolProvider {
  private parsed: ToolDefinition[] | undefined;

  constructor(
    private readonly listing: ToolListing,
    private readonly load: () => Promise<ToolProvider>,
  ) {}

  list(): readonly ToolDefinition[] {
    this.parsed ??= this.listing.tools.toJSON() as ToolDefinition[];
    return this.parsed;
  }

  listJson(): RawJson {
    return this.listing.tools;
  }

  has(name: string): boolean {
    return this.listing.names.has(name);
  }

  async call(name: string, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> {
    return (await this.load()).call(name, args, context);
  }
}

/** Resources whose provider is built on the first read; the templates are known up front. */
export function deferredResources(
  templates: ResourceProvider['templates'],
  load: () => Promise<ResourceProvider | undefined>,
): ResourceProvider {
  return {
    templates,
    async read(uri, context) {
      const resources = await load();
      if (!resources) throw new Error('results are not kept by this server');
      return resources.read(uri, context);
    },
  };
}
