/**
 * The network a `headroom cloudwan` server answers from, and when to load it again. A discovered
 * network is served until its time to live passes, then discovered again on the next question;
 * `refresh()` does it now. Loads are shared: questions that arrive during one wait for it (and get
 * its progress) instead of starting their own.
 */
import { LoadedNetwork, type NetworkData } from './network.js';

export type Progress = (progress: number, total?: number, message?: string) => void;
export type Loader = (signal: AbortSignal, progress: Progress) => Promise<NetworkData>;

export interface CloudWanStateOptions {
  loader: Loader;
  /** Milliseconds a network of kind 'aws' is served before it is loaded again; 0: never. */
  ttlMs: number;
  now?: () => number;
  /** Told of every load, with its bytes, so they can be logged and monitored. */
  onLoad?: (network: LoadedNetwork) => void;
}

interface Pending {
  promise: Promise<LoadedNetwork>;
  listeners: Set<Progress>;
  controller: AbortController;
}

export class CloudWanState {
  private loader: Loader;
  private network: LoadedNetwork | undefined;
  private pending: Pending | undefined;
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: CloudWanStateOptions) {
    this.loader = options.loader;
    this.now = options.now ?? Date.now;
  }

  /** The network, loaded first when there is none yet or its time to live has passed. */
  current(signal?: AbortSignal, progress?: Progress): Promise<LoadedNetwork> {
    const network = this.network;
    if (network && !this.expired(network)) return Promise.resolve(network);
    return this.load(signal, progress);
  }

  /** Loads again now (joining a load already under way). */
  refresh(signal?: AbortSignal, progress?: Progress): Promise<LoadedNetwork> {
    return this.load(signal, progress);
  }

  /** Serves what `loader` gives from now on (a snapshot the model asked for), loading it now. */
  replace(loader: Loader, signal?: AbortSignal, progress?: Progress): Promise<LoadedNetwork> {
    this.pending?.controller.abort();
    this.pending = undefined;
    this.loader = loader;
    return this.load(signal, progress);
  }

  /** The network served now, without loading. */
  peek(): LoadedNetwork | undefined {
    return this.network;
  }

  /** Seconds until the served network is loaded again; undefined when it never expires. */
  secondsToLive(network: LoadedNetwork): number | undefined {
    if (!this.expires(network)) return undefined;
    const left = network.loadedAt.getTime() + this.options.ttlMs - this.now();
    return Math.max(0, Math.round(left / 1000));
  }

  ageSeconds(network: LoadedNetwork): number {
    return Math.max(0, Math.round((this.now() - network.loadedAt.getTime()) / 1000));
  }

  close(): void {
    this.pending?.controller.abort();
  }

  private expires(network: LoadedNetwork): boolean {
    return network.data.kind === 'aws' && this.options.ttlMs > 0;
  }

  private expired(network: LoadedNetwork): boolean {
    return this.expires(network) && this.now() - network.loadedAt.getTime() >= this.options.ttlMs;
  }

  private load(signal?: AbortSignal, progress?: Progress): Promise<LoadedNetwork> {
    const pending = this.pending ?? this.start(progress);
    if (progress) pending.listeners.add(progress);
    const forget = () => {
      if (progress) pending.listeners.delete(progress);
    };
    if (!signal) return pending.promise.finally(forget);
    // A caller that gives up stops waiting; the load goes on for the others (and the next caller).
    return new Promise<LoadedNetwork>((resolve, reject) => {
      const abort = () => reject(signal.reason ?? new Error('aborted'));
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      pending.promise.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', abort);
        forget();
      });
    });
  }

  /** Starts a load; `first` hears its progress from the start (a loader may report before it awaits). */
  private start(first?: Progress): Pending {
    const controller = new AbortController();
    const listeners = new Set<Progress>(first ? [first] : []);
    const report: Progress = (done, total, message) => {
      for (const listener of listeners) listener(done, total, message);
    };
    const promise = this.loader(controller.signal, report).then(
      (data) => {
        if (this.pending?.promise !== promise) return this.network ?? new LoadedNetwork(data, 0);
        this.generation++;
        const network = new LoadedNetwork(data, this.generation, new Date(this.now()));
        this.network = network;
        this.pending = undefined;
        this.options.onLoad?.(network);
        return network;
      },
      (error: unknown) => {
        if (this.pending?.promise === promise) this.pending = undefined;
        throw error;
      },
    );
    const pending = { promise, listeners, controller };
    this.pending = pending;
    return pending;
  }
}
