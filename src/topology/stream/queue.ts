/**
 * The hand-over between the chunk producer and the consumer: at most `capacity` chunks wait here,
 * and each side can sleep until the other moves. "In flight" counts the waiting chunks plus the one
 * the consumer holds until it asks for the next, because that one is still in memory.
 */
export class HandOver<T> {
  private readonly items: T[] = [];
  private holding = false;
  private finished = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private wakeProducer: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;

  constructor(private readonly capacity: number) {}

  get inFlight(): number {
    return this.items.length + (this.holding ? 1 : 0);
  }
  get full(): boolean {
    return this.items.length >= this.capacity;
  }
  /** The consumer has gone away (it broke out of its loop or failed). */
  get isStopped(): boolean {
    return this.stopped;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** The producer ends, with an error to hand to the consumer after the chunks already queued. */
  finish(error?: unknown): void {
    if (error !== undefined) this.failure = { error };
    this.finished = true;
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Wakes whichever side sleeps (also used when the abort signal fires). */
  wake(): void {
    const producer = this.wakeProducer;
    const consumer = this.wakeConsumer;
    this.wakeProducer = undefined;
    this.wakeConsumer = undefined;
    producer?.();
    consumer?.();
  }

  producerSleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeProducer = resolve;
    });
  }

  /**
   * The consumer asks for the next item: the one it held is released first. Resolves with the item,
   * or `done` when the producer has finished; rejects with the producer's error.
   */
  async take(check: () => void): Promise<{ item: T } | 'done'> {
    this.holding = false;
    this.wake();
    for (;;) {
      check();
      const item = this.items.shift();
      if (item !== undefined) {
        this.holding = true;
        this.wake();
        return { item };
      }
      if (this.finished) {
        if (this.failure) throw this.failure.error;
        return 'done';
      }
      await new Promise<void>((resolve) => {
        this.wakeConsumer = resolve;
      });
    }
  }
}
