import { UsageError } from '../../errors.js';
import type { CommandDefinition, RunContext } from '../types.js';
import { TOPOLOGY_ACTIONS } from './topology-actions.js';

const ACTIONS = Object.keys(TOPOLOGY_ACTIONS).join(', ');

export const topologyCommand: CommandDefinition = {
  name: 'topology',
  summary: 'Generate, load, inspect, trace and render Cloud WAN topologies of up to millions of elements.',
  usage: `headroom topology generate --elements N [--connections M] [--seed S] [--format ndjson|json] -o FILE
headroom topology inspect FILE [--json]
headroom topology render FILE --format mermaid|dot|svg [--segment S] [--region R] [--max-nodes N] [-o OUT]
headroom topology trace FILE SRC_IP DST_IP [--json]
headroom topology routes FILE --segment S --region R [--limit N] [--offset N] [--json]
headroom topology isolation FILE [--json]
headroom topology simulate FILE --attachment ID --segment S [--json]
headroom topology validate-policy FILE [--json]

  FILE is a snapshot in NDJSON (streamed in) or JSON (docs/topology-snapshot.md); generate writes one
  from a deterministic generator with a realistic Cloud WAN mix (a core network, edges, segments,
  network function groups, VPC/VPN/Connect/DX attachments, TGWs, peerings, routes and a policy).
  inspect prints counts and the store's exact bytes (--json: {elements, connections, storeBytes,
  bytesPerElement, buildMs, ...}). trace follows a packet from SRC_IP to DST_IP through the core
  network, hop by hop with the reason for each. validate-policy checks a core network policy
  document (JSON or YAML). --lenient loads the rest of a snapshot past bad records, with warnings.`,
  args: '<ACTION> [ARGS...]',
  options: [
    { name: 'json', type: 'boolean', description: 'Print the result as JSON.' },
    {
      name: 'output',
      short: 'o',
      type: 'string',
      valueName: 'FILE',
      description: 'Write to FILE (generate, render).',
    },
    { name: 'elements', type: 'string', valueName: 'N', description: 'generate: how many elements.' },
    {
      name: 'connections',
      type: 'string',
      valueName: 'M',
      description: 'generate: about how many connections (default 2 x N).',
    },
    { name: 'seed', type: 'string', valueName: 'S', description: 'generate: the random seed (default 1).' },
    {
      name: 'format',
      type: 'string',
      valueName: 'FORMAT',
      description: 'generate: ndjson or json; render: mermaid, dot or svg.',
    },
    { name: 'segment', type: 'string', valueName: 'S', description: 'render/routes/simulate: the segment.' },
    { name: 'region', type: 'string', valueName: 'R', description: 'render/routes: the region (edge).' },
    {
      name: 'max-nodes',
      type: 'string',
      valueName: 'N',
      description: 'render: most nodes in the diagram (default 150).',
    },
    { name: 'attachment', type: 'string', valueName: 'ID', description: 'simulate: the attachment to move.' },
    { name: 'limit', type: 'string', valueName: 'N', description: 'routes: routes per page (default 100).' },
    { name: 'offset', type: 'string', valueName: 'N', description: 'routes: routes to skip.' },
    {
      name: 'lenient',
      type: 'boolean',
      description: 'Skip bad snapshot records with a warning instead of stopping.',
    },
  ],
  async run(ctx: RunContext) {
    const [action, ...args] = ctx.positionals;
    const run = action === undefined ? undefined : TOPOLOGY_ACTIONS[action];
    if (!run) {
      throw new UsageError(
        `${action === undefined ? 'no action given' : `unknown action '${action}'`}: use one of ${ACTIONS} (headroom topology --help)`,
      );
    }
    return run(ctx, args);
  },
};
