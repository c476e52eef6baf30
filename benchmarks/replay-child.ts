/**
 * The AWS replay server of the discovery benchmark, in a process of its own so that its memory
 * and CPU are not discovery's. Serves a generated topology; prints `url URL` when listening and,
 * on SIGTERM, `calls JSON` (requests by service:Operation) before it exits.
 * Usage: node --import tsx benchmarks/replay-child.ts <elements> <pageSize>
 */
import { TopologyBuilder } from '../src/topology/builder.js';
import { generateTopology } from '../src/topology/sources/generate.js';
import { startReplayServer } from '../test/cloudwan/replay/server.js';

const [elements = '15300', pageSize = '100'] = process.argv.slice(2);
const builder = new TopologyBuilder();
generateTopology({ elements: Number(elements), seed: 42 }, builder);
const server = await startReplayServer(builder.build(), { pageSize: Number(pageSize) });
process.stdout.write(`url ${server.url}\n`);
process.on('SIGTERM', () => {
  process.stdout.write(`calls ${JSON.stringify(server.callCounts())}\n`);
  void server.close().then(() => process.exit(0));
});
