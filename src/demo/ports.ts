/**
 * The demo's ports, settled before anything starts: a port asked for must be free (so the demo
 * fails at once with the option to change, instead of half-started, or polling someone else's
 * server), and 0 becomes a free port picked by the system, because the servers' URLs must be known
 * to print them and to check that each answers.
 */
import { createServer } from 'node:net';
import { UsageError } from '../errors.js';

export interface PortRequest {
  /** The option that sets it, for the message: `--openapi-port`. */
  option: string;
  port: number;
}

/** The ports to use, in the order asked; 0 replaced by a free one, distinct from the others. */
export async function settlePorts(host: string, requests: readonly PortRequest[]): Promise<number[]> {
  const fixed = requests.filter((r) => r.port !== 0);
  for (const [i, a] of fixed.entries()) {
    const twin = fixed.slice(i + 1).find((b) => b.port === a.port);
    if (twin)
      throw new UsageError(`${a.option} and ${twin.option} are both ${a.port}: give them different ports`);
  }
  const taken = new Set(fixed.map((r) => r.port));
  const settled: number[] = [];
  for (const request of requests) {
    if (request.port !== 0) {
      await probe(host, request.port).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(
          error.code === 'EADDRINUSE'
            ? `port ${request.port} on ${host} is in use: pick another with ${request.option} (0 picks a free one)`
            : `cannot listen on ${host}:${request.port} (${error.code ?? error.message}): pick another with ${request.option}`,
        );
      });
      settled.push(request.port);
      continue;
    }
    // Bounded: the system hands out a port nobody listens on; one we took already is rare.
    let port = 0;
    for (let attempt = 0; attempt < 20 && (port === 0 || taken.has(port)); attempt++)
      port = await probe(host, 0);
    taken.add(port);
    settled.push(port);
  }
  return settled;
}

/** Listens on `port` for a moment and returns the port it got. */
function probe(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(got));
    });
  });
}
