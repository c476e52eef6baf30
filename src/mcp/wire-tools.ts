/**
 * The wire form of tool definitions, apart from the server so that providers can write it without
 * loading the MCP SDK.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../log/logger.js';
import type { ToolDefinition } from './server.js';

/** The wire shape of each tool: only the fields MCP defines, so provider-internal fields never leak. */
export function wireTools(definitions: readonly ToolDefinition[], logger?: Pick<Logger, 'warn'>): Tool[] {
  const listed: Tool[] = [];
  for (const definition of definitions) {
    const schemaType = definition.inputSchema.type;
    if (schemaType !== undefined && schemaType !== 'object') {
      // SDK clients validate the whole list and reject all of it when one tool is malformed,
      // so one bad schema must cost only its own tool.
      logger?.warn('tool left out of tools/list: its input schema is not an object schema', {
        tool: definition.name,
        type: schemaType,
      });
      continue;
    }
    const tool: Tool = {
      name: definition.name,
      inputSchema: (schemaType === undefined
        ? { type: 'object', ...definition.inputSchema }
        : definition.inputSchema) as Tool['inputSchema'],
    };
    if (definition.title !== undefined) tool.title = definition.title;
    if (definition.description !== undefined) tool.description = definition.description;
    if (definition.outputSchema !== undefined)
      tool.outputSchema = definition.outputSchema as Tool['outputSchema'];
    if (definition.annotations !== undefined) tool.annotations = definition.annotations;
    listed.push(tool);
  }
  return listed;
}
