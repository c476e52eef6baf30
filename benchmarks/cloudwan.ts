/**
 * Discovery of a Cloud WAN core network through the AWS SDK, against the replay server (in its own
 * process) serving a generated topology of about 5,000 attachments, the default AWS quota:
 * - `sequential`: one request in flight (concurrency 1), the baseline;
 * - `discover`: the default concurrency (8).
 * Each reports wall time, API calls made, peak RSS of the discovering process, the store's bytes,
 * and traceNetworkPath latency on the discovered topology.
 * Usage: node --import tsx benchmarks/child.ts ./cloudwan.ts <variant> [elements]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createCloudWanClients, discoverCoreNetwork } from '../src/cloudwan/discovery/index.js';
import { ATTACHMENT_TYPES } from '../src/topology/model.js';
import { measure } from './lib/measure.js';
import { traceFigures } from './topology.js';

const PAGE_SIZE = 100;

async function startReplay(
  elements: string,
): Promise<{ child: ChildProcess; url: string; lines: AsyncIterator<string> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'replay-child.ts'), elements, String(PAGE_SIZE)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const first = await lines.next();
  const url = /^url (\S+)/.exec(String(first.value))?.[1];
  if (!url) throw new Error(`the replay server did not start: ${first.value}`);
  return { child, url, lines };
}

export async function run(variant: string, elements = '15300'): Promise<Record<string, number>> {
  const concurrency = variant === 'sequential' ? 1 : variant === 'discover' ? 8 : undefined;
  if (concurrency === undefined) throw new Error(`cloudwan benchmark: unknown variant ${variant}`);
  const replay = await startReplay(elements);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_NETWORKMANAGER: replay.url,
    AWS_ENDPOINT_URL_EC2: replay.url,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  try {
    const clients = createCloudWanClients();
    let result: Awaited<ReturnType<typeof discoverCoreNetwork>> | undefined;
    const m = await measure(async () => {
      result = await discoverCoreNetwork({ clients, concurrency });
    });
    clients.destroy();
    if (!result) throw new Error('no discovery result');
    if (result.problems.length > 0)
      throw new Error(`discovery problems: ${JSON.stringify(result.problems[0])}`);
    const view = result.topology;
    replay.child.kill('SIGTERM');
    const callsLine = await replay.lines.next();
    const calls = JSON.parse(String(callsLine.value).replace(/^calls /, '')) as Record<string, number>;
    return {
      ms: m.ms,
      apiCalls: Object.values(calls).reduce((a, b) => a + b, 0),
      attachments: ATTACHMENT_TYPES.reduce((n, t) => n + view.elementsOfType(t).length, 0),
      elements: view.elementCount,
      storeKb: (view.byteSize().total + result.networkRoutes.byteSize()) / 1024,
      peakRssMb: m.peakRssMb,
      ...traceFigures(view, 1000),
    };
  } finally {
    if (replay.child.exitCode === null) {
      replay.child.kill('SIGTERM');
      await once(replay.child, 'exit');
    }
  }
}
