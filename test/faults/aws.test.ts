/**
 * AWS faults (issue 9): discovery through the real AWS SDK clients against the loopback replay
 * server (test/cloudwan/replay), with a small loopback proxy in front of it where AWS has to answer
 * wrongly in ways the replay server does not offer (tokens that loop, bodies cut short). Every case
 * ends in a partial topology whose problems say what failed and what is missing, or in a clear error;
 * retries are counted, and every run is bounded in time.
 *
 * | Bullet (issue 9)           | Covered by                                                                                     |
 * | -------------------------- | ---------------------------------------------------------------------------------------------- |
 * | throttling storms          | test/cloudwan/replay-faults.test.ts "throttles twice, and the SDK retry gets the answer ...",   |
 * |                            | "fails once the retries are used up, ..."; test/cloudwan/discovery-faults.test.ts "finishes   |
 * |                            | whole when throttled twice"; here: "a throttling storm on the route tables and VPCs ...",      |
 * |                            | "a throttling storm on ListCoreNetworks ends in a clear error ..."                              |
 * | AccessDenied on some calls | test/cloudwan/discovery-faults.test.ts "goes on without the VPCs of a region that refuses ...", |
 * |                            | "goes on without one network route table that is refused", "recovers the function groups ...";|
 * |                            | test/e2e/cloudwan-aws.test.ts "serves what it could read and names the permission ...";        |
 * |                            | here: "AccessDenied on calls of both services ...", "AccessDenied on ListCoreNetworks ..."      |
 * | pagination tokens that loop| here (new: they used to end silently, or run 100,000 pages): "a NextToken that comes back ..." |
 * |                            | x3, "pages without end stop at the page limit"                                                 |
 * | truncated responses        | here: "a JSON body cut short ...", "a connection closed mid-body ...", "an EC2 XML body ..."   |
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  type CloudWanClients,
  createCloudWanClients,
  type DiscoveryProblem,
  type DiscoveryResult,
  discoverCoreNetwork,
} from '../../src/cloudwan/discovery/index.js';
import { PageTokens, PaginationError } from '../../src/cloudwan/discovery/page-tokens.js';
import { CloudWanError } from '../../src/errors.js';
import { networkManagerOperation } from '../cloudwan/replay/network-manager.js';
import { ATTACHMENTS, CORE, EU, scenario, US } from '../cloudwan/replay/scenario.js';
import { type ReplayOptions, type ReplayServer, startReplayServer } from '../cloudwan/replay/server.js';

const ATTEMPTS = 3;
/** Each discovery here is over in a few seconds; the SDK's throttling backoff is the slowest part. */
const RUN_MS = 25_000;

const saved = new Map<string, string | undefined>();
after(() => {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** Points the SDK's standard variables at `env` (saving what was there, for `after`). */
function useEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    process.env[key] = value;
  }
}

/** What the proxy saw of one AWS request, and the replay server's answer to it. */
interface Exchange {
  /** 'networkmanager:ListAttachments', 'ec2:DescribeVpcs' */
  operation: string;
  /** Path and query as sent. */
  url: string;
  /** The request body (EC2's form). */
  form: string;
  status: number;
  body: Buffer;
}

/**
 * A changed answer: another status or body (its Content-Length set to match), or the first `cut`
 * bytes and then a reset.
 */
type Tamper = (exchange: Exchange) => { status?: number; body?: Buffer; cut?: number } | undefined;

interface Proxy {
  url: string;
  close(): Promise<void>;
}

/** A loopback proxy in front of the replay server that can change the answers `tamper` picks. */
async function startProxy(target: string, tamper: Tamper): Promise<Proxy> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const form = Buffer.concat(parts);
      const action = /(?:^|&)Action=(\w+)/.exec(form.toString())?.[1];
      const path = new URL(req.url ?? '/', 'http://proxy').pathname;
      const operation = action
        ? `ec2:${action}`
        : `networkmanager:${networkManagerOperation(req.method ?? 'GET', path).operation}`;
      const upstream = request(
        `${target}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            const exchange = {
              operation,
              url: req.url ?? '',
              form: form.toString(),
              status: answer.statusCode ?? 0,
              body,
            };
            const change = tamper(exchange) ?? {};
            const out = change.body ?? body;
            const headers = { ...answer.headers, 'content-length': String(out.length) };
            delete headers['transfer-encoding'];
            res.writeHead(change.status ?? answer.statusCode ?? 500, headers);
            if (change.cut === undefined) return void res.end(out);
            // The promised length never arrives: the connection closes in the middle of the body.
            res.write(out.subarray(0, change.cut), () => res.socket?.resetAndDestroy());
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(form);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Discovered {
  result?: DiscoveryResult;
  error?: Error;
  /** Requests the replay server answered, by 'service:Operation' (retries included). */
  counts: Record<string, number>;
  ms: number;
}

/**
 * Discovers the hand-built scenario served with `options` (behind a proxy when `tamper` is given),
 * with clients of ATTEMPTS attempts made from the standard variables; a thrown error is returned.
 */
async function discover(options: ReplayOptions = {}, tamper?: Tamper): Promise<Discovered> {
  const replay: ReplayServer = await startReplayServer(scenario(), options);
  const proxy = tamper ? await startProxy(replay.url, tamper) : undefined;
  const endpoint = proxy?.url ?? replay.url;
  useEnv({ ...replay.env(), AWS_ENDPOINT_URL_NETWORKMANAGER: endpoint, AWS_ENDPOINT_URL_EC2: endpoint });
  let clients: CloudWanClients | undefined;
  const started = performance.now();
  try {
    clients = createCloudWanClients({ maxAttempts: ATTEMPTS });
    const run = discoverCoreNetwork({ clients });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`discovery did not end within ${RUN_MS} ms`)), RUN_MS);
    });
    try {
      const result = await Promise.race([run, deadline]);
      return { result, counts: replay.callCounts(), ms: performance.now() - started };
    } catch (error) {
      if (/did not end within/.test((error as Error).message)) throw error;
      return { error: error as Error, counts: replay.callCounts(), ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    clients?.destroy();
    await proxy?.close();
    await replay.close();
  }
}

function problemsOf(found: Discovered): DiscoveryProblem[] {
  assert.ok(found.result, `discovery failed: ${found.error?.message}`);
  return found.result.problems;
}

function only(problems: DiscoveryProblem[], operation: string): DiscoveryProblem[] {
  return problems.filter((p) => p.operation === operation);
}

/** The attachments discovery found (elements of the attachment ids the scenario has). */
function attachmentsFound(found: Discovered): string[] {
  const view = found.result?.topology;
  assert.ok(view);
  return ATTACHMENTS.filter((id) => view.indexOf(id) !== -1);
}

describe('throttling storms', { timeout: 60_000 }, () => {
  it('a throttling storm on the route tables and VPCs ends in a partial topology after bounded retries', async () => {
    const found = await discover({
      faults: [
        { service: 'networkmanager', operation: 'GetNetworkRoutes', error: 'Throttling' },
        { service: 'ec2', operation: 'DescribeVpcs', error: 'Throttling' },
        // A storm that passes: the third attempt gets through.
        { service: 'networkmanager', operation: 'ListAttachments', error: 'Throttling', times: 2 },
      ],
    });
    const problems = problemsOf(found);
    // Six route tables (prod, dev, inspection at two edges), each tried ATTEMPTS times.
    const routes = only(problems, 'GetNetworkRoutes');
    assert.equal(routes.length, 6, JSON.stringify(problems));
    for (const p of routes) {
      assert.equal(p.code, 'ThrottlingException');
      assert.match(p.consequence, /^the route table of (segment|network function group) \w+ at [a-z0-9-]+/);
    }
    const vpcs = only(problems, 'DescribeVpcs');
    assert.deepEqual(vpcs.map((p) => `${p.region} ${p.code}`).sort(), [
      `${EU} RequestLimitExceeded`,
      `${US} RequestLimitExceeded`,
    ]);
    assert.equal(found.counts['networkmanager:GetNetworkRoutes'], 6 * ATTEMPTS);
    assert.equal(found.counts['ec2:DescribeVpcs'], 2 * ATTEMPTS);
    assert.equal(found.counts['networkmanager:ListAttachments'], 3);
    assert.equal(found.result?.calls['networkmanager:GetNetworkRoutes'], 6 * ATTEMPTS);
    // What was not throttled is whole: every attachment, listed after the storm passed.
    assert.deepEqual(attachmentsFound(found), [...ATTACHMENTS]);
    assert.equal(only(problems, 'ListAttachments').length, 0);
  });

  it('a throttling storm on ListCoreNetworks ends in a clear error after maxAttempts', async () => {
    const found = await discover({
      faults: [{ service: 'networkmanager', operation: 'ListCoreNetworks', error: 'Throttling' }],
    });
    assert.ok(found.error instanceof CloudWanError, String(found.error));
    assert.match(
      found.error.message,
      /could not list the core networks .*ThrottlingException: Rate exceeded/,
    );
    assert.match(found.error.message, new RegExp(`throttling it through ${ATTEMPTS} attempts`));
    assert.match(found.error.message, /--max-attempts/);
    assert.deepEqual(found.counts, { 'networkmanager:ListCoreNetworks': ATTEMPTS });
  });
});

describe('AccessDenied on some calls', { timeout: 60_000 }, () => {
  it('AccessDenied on calls of both services yields a partial topology naming each permission', async () => {
    const found = await discover({
      faults: [
        { service: 'networkmanager', operation: 'GetConnectPeer', error: 'AccessDenied' },
        {
          service: 'networkmanager',
          operation: 'GetTransitGatewayRouteTableAttachment',
          error: 'AccessDenied',
        },
        { service: 'ec2', operation: 'DescribeTransitGateways', error: 'AccessDenied' },
        { service: 'ec2', operation: 'DescribeSubnets', region: US, error: 'AccessDenied' },
      ],
    });
    const problems = problemsOf(found);
    assert.deepEqual(
      problems.map((p) => p.permission).sort(),
      [
        'ec2:DescribeSubnets',
        'ec2:DescribeTransitGateways',
        'networkmanager:GetConnectPeer',
        'networkmanager:GetTransitGatewayRouteTableAttachment',
      ],
      JSON.stringify(problems),
    );
    for (const p of problems) {
      assert.match(p.message, /is not authorized to perform/);
      assert.ok(p.consequence.length > 0);
    }
    // Denied calls are not retried.
    assert.equal(found.counts['networkmanager:GetConnectPeer'], 1);
    assert.equal(found.counts['networkmanager:GetTransitGatewayRouteTableAttachment'], 1);
    assert.equal(found.counts['ec2:DescribeTransitGateways'], 1);
    // What was allowed is there: the attachments, the VPCs with their CIDRs, the route tables.
    const view = found.result?.topology;
    assert.ok(view);
    assert.deepEqual(attachmentsFound(found), [...ATTACHMENTS]);
    assert.deepEqual(view.cidrs(view.indexOf('vpc-0000000000000000a')), [
      '10.1.0.0/16',
      '2600:1f18:aa00::/56',
    ]);
    assert.equal(view.indexOf('subnet-0000000000000000a'), -1, 'subnets of us-east-1 were denied');
    assert.notEqual(view.indexOf('subnet-0000000000000000c'), -1, 'subnets of eu-west-1 were allowed');
    assert.equal(found.result?.networkRoutes.tables().length, 6);
  });

  it('AccessDenied on ListCoreNetworks ends in a clear error naming the permission', async () => {
    const found = await discover({
      faults: [{ service: 'networkmanager', operation: 'ListCoreNetworks', error: 'AccessDenied' }],
    });
    assert.ok(found.error instanceof CloudWanError, String(found.error));
    assert.match(found.error.message, /AccessDeniedException: User: .* is not authorized/);
    assert.match(found.error.message, /grant networkmanager:ListCoreNetworks to these credentials/);
    assert.deepEqual(found.counts, { 'networkmanager:ListCoreNetworks': 1 });
  });
});

/** The `nextToken` a Network Manager request asked with (undefined on the first page). */
function askedToken(url: string): string | undefined {
  return new URL(url, 'http://proxy').searchParams.get('nextToken') ?? undefined;
}

/** A JSON answer with its NextToken replaced. */
function withNextToken(body: Buffer, token: string): Buffer {
  const json = JSON.parse(body.toString()) as { NextToken?: string };
  return Buffer.from(JSON.stringify({ ...json, NextToken: token }));
}

describe('pagination tokens that loop', { timeout: 60_000 }, () => {
  it('a NextToken that comes back at once stops ListAttachments with a PaginationError problem', async () => {
    // Page 2 answers with the token it was asked with: the SDK's stopOnSameToken used to end the
    // listing there without a word, the attachments of pages 3 and 4 silently missing.
    const found = await discover({ pageSize: 2 }, (x) => {
      const asked = askedToken(x.url);
      if (x.operation !== 'networkmanager:ListAttachments' || !asked) return undefined;
      return { body: withNextToken(x.body, asked) };
    });
    const problems = only(problemsOf(found), 'ListAttachments');
    assert.equal(problems.length, 1, JSON.stringify(found.result?.problems));
    const [problem] = problems;
    assert.equal(problem?.code, 'PaginationError');
    assert.match(
      problem?.message ?? '',
      /after page 2 the NextToken that page 1 already returned: the listing loops/,
    );
    assert.equal(problem?.consequence, 'the attachments after the first 4 (page 3 on)');
    assert.equal(found.counts['networkmanager:ListAttachments'], 2);
    assert.equal(attachmentsFound(found).length, 4);
  });

  it('a NextToken that comes back two pages later stops the loop at once', async () => {
    // Page 3 sends the client back to page 2: before the fix, 100,000 requests (minutes).
    let first: string | undefined;
    const found = await discover({ pageSize: 2 }, (x) => {
      const asked = askedToken(x.url);
      if (x.operation !== 'networkmanager:ListAttachments' || !asked) return undefined;
      first ??= asked;
      return asked === first ? undefined : { body: withNextToken(x.body, first) };
    });
    const [problem] = only(problemsOf(found), 'ListAttachments');
    assert.equal(problem?.code, 'PaginationError');
    assert.match(problem?.message ?? '', /after page 3 the NextToken that page 1 already returned/);
    assert.equal(found.counts['networkmanager:ListAttachments'], 3);
    assert.ok(found.ms < 10_000, `took ${Math.round(found.ms)} ms`);
  });

  it('a NextToken that comes back in an EC2 listing stops DescribeVpcs with a problem for that region', async () => {
    const found = await discover({ pageSize: 1 }, (x) => {
      if (x.operation !== 'ec2:DescribeVpcs') return undefined;
      const asked = /(?:^|&)NextToken=([^&]+)/.exec(x.form)?.[1];
      if (!asked) return undefined;
      const text = x.body.toString().replace(/<nextToken>[^<]*<\/nextToken>/, '');
      const token = decodeURIComponent(asked);
      return { body: Buffer.from(text.replace('</vpcSet>', `</vpcSet><nextToken>${token}</nextToken>`)) };
    });
    const problems = only(problemsOf(found), 'DescribeVpcs');
    // us-east-1 has two attached VPCs (two pages of one), eu-west-1 one (no second page).
    assert.deepEqual(
      problems.map((p) => `${p.region} ${p.code}`),
      [`${US} PaginationError`],
      JSON.stringify(found.result?.problems),
    );
    assert.match(problems[0]?.message ?? '', /the listing loops/);
    assert.equal(found.counts['ec2:DescribeVpcs'], 3);
  });

  it('a NextToken that comes back in ListCoreNetworks ends in a clear error', async () => {
    // The account has one core network: the proxy makes up a second page that points at itself.
    let first: Buffer | undefined;
    const found = await discover({}, (x) => {
      if (x.operation !== 'networkmanager:ListCoreNetworks') return undefined;
      first ??= x.body;
      return { status: 200, body: withNextToken(first, 'made-up-token') };
    });
    assert.ok(found.error instanceof CloudWanError, String(found.error));
    assert.match(
      found.error.message,
      /could not list the core networks .*PaginationError: .*the listing loops/,
    );
    assert.equal(found.counts['networkmanager:ListCoreNetworks'], 2);
  });

  it('pages without end stop at the page limit with a clear error', () => {
    const tokens = new PageTokens(3);
    assert.equal(tokens.next('a'), true);
    assert.equal(tokens.next('b'), true);
    assert.throws(
      () => tokens.next('c'),
      (error: Error) =>
        error instanceof PaginationError &&
        /after page 3, more pages than any account has/.test(error.message),
    );
    assert.equal(new PageTokens(3).next(undefined), false);
    assert.equal(new PageTokens(3).next(''), false);
  });
});

describe('truncated responses', { timeout: 60_000 }, () => {
  it('a JSON body cut short (with a matching length) is a problem saying it could not be read', async () => {
    const found = await discover({}, (x) =>
      x.operation === 'networkmanager:ListAttachments' ? { body: x.body.subarray(0, 150) } : undefined,
    );
    const [problem] = only(problemsOf(found), 'ListAttachments');
    assert.equal(problem?.code, 'SyntaxError');
    assert.match(
      problem?.message ?? '',
      /in JSON at position 150: the response could not be read \(cut short or malformed\)$/,
    );
    assert.doesNotMatch(problem?.message ?? '', /\$response/);
    assert.equal(problem?.consequence, 'every attachment');
    // Nothing was lost in transit, so nothing is retried.
    assert.equal(found.counts['networkmanager:ListAttachments'], 1);
    assert.ok(found.result && found.result.topology.elementCount > 0);
  });

  it('a connection closed mid-body is retried, then a problem saying so', async () => {
    const found = await discover({}, (x) =>
      x.operation === 'networkmanager:GetNetworkRoutes' && x.form.includes('"SegmentName":"dev"')
        ? { cut: 40 }
        : undefined,
    );
    const problems = only(problemsOf(found), 'GetNetworkRoutes');
    assert.deepEqual(problems.map((p) => `${p.resource} ${p.code}`).sort(), [
      `segment dev at ${EU} ECONNRESET`,
      `segment dev at ${US} ECONNRESET`,
    ]);
    for (const p of problems)
      assert.equal(p.message, 'the connection closed before the whole response arrived (aborted)');
    // Four tables answered once; the two dev tables ATTEMPTS times each.
    assert.equal(found.counts['networkmanager:GetNetworkRoutes'], 4 + 2 * ATTEMPTS);
    assert.equal(found.result?.networkRoutes.tables().length, 4);
  });

  it('an EC2 XML body cut short is a problem for that region only', async () => {
    const found = await discover({}, (x) =>
      x.operation === 'ec2:DescribeVpcs' && x.form.includes('vpc-0000000000000000a')
        ? { body: x.body.subarray(0, Math.floor(x.body.length / 2)) }
        : undefined,
    );
    const problems = only(problemsOf(found), 'DescribeVpcs');
    assert.deepEqual(
      problems.map((p) => p.region),
      [US],
    );
    assert.match(problems[0]?.message ?? '', /XML parse error.*: the response could not be read/);
    const view = found.result?.topology;
    assert.ok(view);
    assert.deepEqual(view.cidrs(view.indexOf('vpc-0000000000000000b')), ['10.2.0.0/16']);
    assert.equal(found.counts['ec2:DescribeVpcs'], 2);
  });

  it('a GetCoreNetwork body cut short ends in a clear error', async () => {
    const found = await discover({}, (x) =>
      x.operation === 'networkmanager:GetCoreNetwork' ? { body: x.body.subarray(0, 60) } : undefined,
    );
    assert.ok(found.error instanceof CloudWanError, String(found.error));
    assert.match(
      found.error.message,
      new RegExp(`could not read core network ${CORE} .*SyntaxError: .*cut short or malformed`),
    );
  });
});
