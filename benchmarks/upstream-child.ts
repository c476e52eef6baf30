/**
 * The loopback upstream of the call benchmarks, in a process of its own so that its memory and CPU
 * are not the server's. Prints `origin URL`, then one line per ended response:
 * `ended <complete|cut> <ms> <url>`.
 */
import { startUpstream } from '../test/e2e/upstream.js';

const upstream = await startUpstream({
  onEnded: ({ url, complete, ms }) =>
    process.stdout.write(`ended ${complete ? 'complete' : 'cut'} ${Math.round(ms)} ${url}\n`),
});
process.stdout.write(`origin ${upstream.origin}\n`);
process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
