/**
 * The one schema for headroom's configuration. Flags, environment variables and the YAML file are
 * merged into one object and validated here once, so every source gets the same rules and the same
 * messages. Descriptions, environment variable names and defaults shown by `--help` and the README
 * are read from this schema (see settings.ts); add a setting here and it appears everywhere.
 */
import { z } from 'zod';
import { LOG_LEVELS } from '../log/logger.js';
import { bool, enumOf, int, list, percent, positive, ratio, size, str, structured } from './leaves.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Reports the first of `keys` whose value is not above the previous one, on that key's path so the
 * loader can say which source set it. Skipped while any of them is invalid: that has its own issue.
 */
function strictlyIncreasing<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[]) {
  return (ctx: z.core.ParsePayload<T>): void => {
    const values = keys.map((key) => ctx.value[key]);
    if (!values.every((value) => typeof value === 'number')) return;
    for (let i = 1; i < keys.length; i++) {
      if ((values[i] as number) > (values[i - 1] as number)) continue;
      ctx.issues.push({
        code: 'custom',
        path: [keys[i]!],
        input: values[i],
        message: `a value above ${keys[i - 1]} (${values[i - 1]}); ${keys.join(', ')} must be strictly increasing`,
      });
      return;
    }
  };
}

const THRESHOLDS = [
  'moderateThreshold',
  'warningThreshold',
  'criticalThreshold',
  'emergencyThreshold',
] as const;

const memory = z
  .strictObject({
    budget: size().optional().meta({
      description: 'Memory budget for the process.',
      defaultText: 'derived from the V8 heap limit',
    }),
    moderateThreshold: ratio().default(0.6).describe('Share of the budget where pressure becomes moderate.'),
    warningThreshold: ratio().default(0.75).describe('Share of the budget where pressure becomes a warning.'),
    criticalThreshold: ratio().default(0.85).describe('Share of the budget where pressure becomes critical.'),
    emergencyThreshold: ratio()
      .default(0.95)
      .describe('Share of the budget where pressure becomes an emergency.'),
    metric: enumOf(['rss', 'heap'])
      .default('rss')
      .describe('What counts against the budget: resident set size (rss) or V8 heap (heap).'),
    sampleEvery: int({ min: 1 }).default(100).describe('Calls between two memory samples.'),
    sampleIntervalMs: int({ min: 1 }).default(50).describe('Milliseconds between background samples.'),
    gc: z
      .strictObject({
        trigger: enumOf(['budget', 'critical', 'never'])
          .default('budget')
          .describe(
            'When to force a garbage collection: over the budget, from critical pressure on, or never.',
          ),
        minIntervalMs: int({ min: 0 }).default(1000).describe('Milliseconds between forced collections.'),
      })
      .prefault({}),
  })
  .check(strictlyIncreasing(THRESHOLDS));

const streaming = z.strictObject({
  chunkSize: size()
    .default(64 * KiB)
    .describe('Bytes read per chunk when streaming input.'),
  memoryThresholdMb: positive().default(500).meta({
    description: 'Memory use, in megabytes, at which streaming starts reducing its own memory use.',
    env: 'HEADROOM_MEMORY_THRESHOLD_MB',
  }),
  maxItemSize: size()
    .default(64 * MiB)
    .describe('Largest single streamed item accepted.'),
  maxDepth: int({ min: 1 }).default(1000).describe('Deepest JSON nesting accepted.'),
});

const pooling = z.strictObject({
  maxPoolSize: int({ min: 1 }).default(1000).describe('Most items an object pool keeps.'),
  cleanupInterval: positive().default(300).describe('Seconds between pool clean-ups.'),
  bufferSize: size()
    .default(64 * KiB)
    .describe('Size of each pooled buffer.'),
});

const alerts = z
  .strictObject({
    warningPercent: percent().default(75).describe('Budget use (percent) that raises a warning alert.'),
    criticalPercent: percent().default(85).describe('Budget use (percent) that raises a critical alert.'),
  })
  .check(strictlyIncreasing(['warningPercent', 'criticalPercent']));

const monitoring = z.strictObject({
  enabled: bool()
    .default(false)
    .describe(
      'Serve the dashboard, its JSON API and Prometheus /metrics over HTTP (also on with --dashboard-port).',
    ),
  host: str().default('127.0.0.1').describe('Address the dashboard listens on.'),
  port: int({ min: 0, max: 65535 })
    .default(9464)
    .describe('Port of the dashboard and /metrics (0 picks a free one).'),
  token: str().optional().meta({
    description:
      'Token the dashboard asks for (Bearer or ?token=); required when it listens beyond loopback.',
    defaultText: 'none',
  }),
  sampleIntervalMs: int({ min: 1 }).default(1000).describe('Milliseconds between metric samples.'),
  historySeconds: int({ min: 10, max: 86_400 })
    .default(3600)
    .describe('Seconds of samples kept for the dashboard and /api/metrics/history.'),
  alerts: alerts.prefault({}),
});

const profiling = z.strictObject({
  enabled: bool().default(false).describe('Record memory snapshots while running.'),
  snapshotInterval: positive().default(0.1).describe('Seconds between memory snapshots.'),
  snapshotDir: str().optional().meta({
    description:
      "Folder of the heap snapshots a server writes on its signal or the dashboard's button (not the working folder: a desktop client picks that).",
    defaultText: '$XDG_CACHE_HOME/headroom/heap-snapshots or ~/.cache/headroom/heap-snapshots',
  }),
  // SIGUSR1 is not offered: it starts Node's inspector. SIGINT and SIGTERM stop the servers.
  heapSnapshotSignal: enumOf(['SIGUSR2', 'SIGHUP', 'none'])
    .default('SIGUSR2')
    .describe('Signal that makes a server write a heap snapshot to snapshotDir (none: no signal).'),
  heapSnapshotsNearLimit: int({ min: 0 })
    .default(0)
    .describe(
      'Heap snapshots written at most as the heap nears its limit (0: none); Node writes them in the working folder, or --diagnostic-dir, not snapshotDir.',
    ),
});

const log = z.strictObject({
  level: enumOf(LOG_LEVELS).default('info').meta({
    description: 'Least severe log level written to stderr.',
    env: 'HEADROOM_LOG_LEVEL',
  }),
  format: enumOf(['text', 'json']).default('text').describe('Log line format.'),
});

const filter = {
  includeTags: list().optional().describe('Serve only operations with one of these tags.'),
  excludeTags: list().optional().describe('Leave out operations with any of these tags.'),
  includeOperations: list()
    .optional()
    .describe('Serve only operations whose operationId matches one of these globs.'),
  excludeOperations: list()
    .optional()
    .describe('Leave out operations whose operationId matches one of these globs.'),
  methods: list().optional().describe('Serve only these HTTP methods.'),
  pathPrefixes: list().optional().describe('Serve only paths starting with one of these prefixes.'),
  readOnly: bool().default(false).describe('Serve GET and HEAD operations only.'),
};

/** A secret for a security scheme: the value itself, or an OAuth2 client's id and secret. */
const credentials = z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) });

const api = z.strictObject({
  spec: z.string().min(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  baseUrl: z.string().optional(),
  auth: z.record(z.string(), z.union([z.string(), credentials])).optional(),
  includeTags: z.array(z.string()).optional(),
  excludeTags: z.array(z.string()).optional(),
  includeOperations: z.array(z.string()).optional(),
  excludeOperations: z.array(z.string()).optional(),
  methods: z.array(z.string()).optional(),
  pathPrefixes: z.array(z.string()).optional(),
  readOnly: z.boolean().optional(),
});

/** How tool calls reach the upstream API and how its answers come back. */
const calls = {
  baseUrl: str().optional().meta({
    description: "Base URL of the API, instead of the specification's servers (every API without its own).",
    defaultText: "the specification's first server",
  }),
  auth: structured(
    z.record(z.string(), z.union([z.string(), credentials])).default({}),
    'a map from security scheme name to its secret, or to {clientId, clientSecret} for OAuth2',
  ).describe(
    'Credentials by security scheme (configuration file only); HEADROOM_AUTH_<SCHEME> variables win.',
  ),
  responseBudget: int({ min: 100 })
    .default(25_000)
    .describe('Tokens of a tool result the model gets (4 bytes a token); the rest is kept for read_result.'),
  maxResponseBytes: size()
    .default(1024 * MiB)
    .describe('Largest upstream response body read (after decompression).'),
  maxDecompressionRatio: int({ min: 2 })
    .default(200)
    .describe('Largest decompressed-to-compressed ratio of a response body (a guard against bombs).'),
  maxParseBytes: size()
    .default(8 * MiB)
    .describe('Largest JSON response that is not an array at the top to parse whole.'),
  connectTimeoutMs: int({ min: 1 }).default(10_000).describe('Milliseconds to connect to the API.'),
  headersTimeoutMs: int({ min: 1 })
    .default(30_000)
    .describe('Milliseconds from sending a request to its response headers.'),
  bodyTimeoutMs: int({ min: 1 })
    .default(30_000)
    .describe('Longest pause, in milliseconds, between two parts of a response body.'),
  maxRetries: int({ min: 0, max: 10 })
    .default(2)
    .describe('Retries of idempotent calls answered 429, 502, 503 or 504, or cut off before any answer.'),
  allowCrossOriginRedirects: bool()
    .default(false)
    .describe("Follow redirects to another origin than the API's (credentials are not sent along)."),
  callMemory: size()
    .default(8 * MiB)
    .describe(
      'Memory set aside in the budget for each call while its answer is read; calls that would not fit wait, then are refused as overloaded.',
    ),
  // A response being spilled holds its connection until its body ends, so calls in flight need room.
  connectionsPerOrigin: int({ min: 1 }).default(64).describe('Most open connections to one API origin.'),
  spill: bool()
    .default(true)
    .describe('Keep the part of a response that does not fit on disk for read_result.'),
  spillDir: str().optional().meta({
    description: 'Folder of kept responses.',
    defaultText: '$XDG_CACHE_HOME/headroom/spill or ~/.cache/headroom/spill',
  }),
  spillTtl: int({ min: 1 }).default(3600).describe('Seconds a kept response stays readable.'),
  maxSpillSize: size()
    .default(2048 * MiB)
    .describe('Disk budget of kept responses; the oldest go first.'),
  structuredOutput: bool()
    .default(false)
    .describe('Declare output schemas and return structuredContent for JSON responses (larger tools/list).'),
};

const openapi = z.strictObject({
  apis: structured(
    z.array(api).default([]),
    'a list of APIs, each with spec and optionally name, baseUrl, auth and filters (includeTags, excludeTags, includeOperations, excludeOperations, methods, pathPrefixes, readOnly)',
  ).describe('APIs to serve together (configuration file only), in addition to those on the command line.'),
  tools: enumOf(['auto', 'all', 'dynamic'])
    .default('auto')
    .describe(
      'One tool per operation (all), three search/describe/call tools (dynamic), or all for small APIs (auto).',
    ),
  autoMaxTools: int({ min: 1 })
    .default(100)
    .describe('Most operations for which auto mode lists one tool each.'),
  autoMaxListSize: size()
    .default(100 * KiB)
    .describe('Largest tools/list for which auto mode lists one tool per operation.'),
  maxNameLength: int({ min: 8, max: 128 }).default(64).describe('Longest tool name.'),
  schemaBudget: size()
    .default(32 * KiB)
    .describe("Bytes of shared definitions included in one tool's input schema."),
  maxSpecSize: size()
    .default(100 * MiB)
    .describe('Largest specification accepted.'),
  maxTotalSpecSize: size()
    .default(512 * MiB)
    .describe('Largest total size of the specifications served together.'),
  cache: bool().default(true).describe('Keep prepared catalogs in a compressed cache for fast starts.'),
  cacheDir: str().optional().meta({
    description: 'Folder of the catalog cache.',
    defaultText: '$XDG_CACHE_HOME/headroom or ~/.cache/headroom',
  }),
  maxCacheSize: size()
    .default(512 * MiB)
    .describe('Byte limit of the cache folder; least recently used entries go first.'),
  allowRemoteRefs: bool().default(false).describe('Follow $refs to http(s) URLs.'),
  allowExternalRefs: bool()
    .default(false)
    .describe("Follow $refs to files outside the specification's folder."),
  keepExtensions: list().default([]).describe('Vendor extensions (x-...) kept when optimizing.'),
  ...filter,
  ...calls,
});

const cloudwan = z.strictObject({
  snapshot: str().optional().meta({
    description: 'Serve this topology snapshot (NDJSON or JSON) instead of discovering through AWS.',
    defaultText: 'none',
  }),
  generate: int({ min: 1, max: 50_000_000 }).optional().meta({
    description: 'Serve a generated topology of this many elements instead of discovering through AWS.',
    defaultText: 'none',
  }),
  seed: int({ min: 0, max: 4_294_967_295 }).default(1).describe('Seed of the generated topology.'),
  coreNetwork: str().optional().meta({
    description: 'Core network to serve; needed when the account has several.',
    defaultText: 'the only one',
  }),
  region: str()
    .default('us-west-2')
    .describe('Home region of the Network Manager API (us-west-2; us-gov-west-1 in GovCloud).'),
  policyVersion: int({ min: 1 }).optional().meta({
    description: 'Core network policy version to read.',
    defaultText: 'the LIVE policy',
  }),
  ttl: int({ min: 0 })
    .default(900)
    .describe('Seconds a discovered topology is served before it is discovered again (0: never).'),
  concurrency: int({ min: 1, max: 64 }).default(8).describe('AWS API requests in flight at most.'),
  maxAttempts: int({ min: 1, max: 20 })
    .default(5)
    .describe('Attempts per AWS API request (adaptive retry on throttling).'),
  responseBudget: int({ min: 100 })
    .default(25_000)
    .describe('Tokens of a tool result the model gets (4 bytes a token); longer lists are paged.'),
  lenient: bool().default(false).describe('Load snapshots with bad lines, skipping them with warnings.'),
});

const server = z.strictObject({
  transport: enumOf(['stdio', 'http']).default('stdio').describe('How MCP clients connect.'),
  host: str().default('127.0.0.1').describe('Address the HTTP transport listens on.'),
  port: int({ min: 0, max: 65535 })
    .default(8080)
    .describe('Port of the HTTP transport (0 picks a free one).'),
  path: str().default('/mcp').describe('URL path of the MCP endpoint.'),
  httpMode: enumOf(['stateful', 'stateless'])
    .default('stateful')
    .describe('Sessions with ids (stateful) or none (stateless).'),
  token: str().optional().meta({
    description: 'Bearer token HTTP clients must send; required when listening beyond loopback.',
    defaultText: 'none',
    env: 'HEADROOM_TOKEN',
  }),
  allowedHosts: list().default([]).describe('Host header values accepted besides loopback names.'),
  allowedOrigins: list().default([]).describe('Origin header values accepted besides loopback origins.'),
  maxBodySize: size()
    .default(4 * MiB)
    .describe('Largest HTTP request body accepted.'),
  maxSessions: int({ min: 1 }).default(100).describe('Most concurrent stateful HTTP sessions.'),
});

export const configSchema = z.strictObject({
  memory: memory.prefault({}),
  streaming: streaming.prefault({}),
  pooling: pooling.prefault({}),
  monitoring: monitoring.prefault({}),
  profiling: profiling.prefault({}),
  log: log.prefault({}),
  openapi: openapi.prefault({}),
  cloudwan: cloudwan.prefault({}),
  server: server.prefault({}),
});

export type HeadroomConfig = z.output<typeof configSchema>;

/** The configuration with every default applied and nothing else. */
export function defaultConfig(): HeadroomConfig {
  return configSchema.parse({});
}
