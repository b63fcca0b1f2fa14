/**
 * The one serial queue of the code base: work runs one item at a time, in the order it was given
 * (XState's Mailbox, for async work). A failed item rejects its own caller and never blocks the
 * next one. Each item starts in a later microtask, never inside run(), so a caller's code after
 * run() always runs before the work does. Universal: no timers, no Node APIs.
 *
 * Users: the EngineHost's command queue per session, the session lock around mutating services,
 * and the webhook dispatcher's database calls (one connection: see server/webhooks/dispatcher.ts).
 */
export class SerialQueue {
  /** Settles when the last item given so far has settled; never rejects. */
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** @param onIdle called each time the last queued item has settled (the queue is empty again). */
  constructor(private readonly onIdle?: () => void) {}

  /** Runs `work` after everything given before it; resolves or rejects with its result. */
  run<T>(work: () => T | PromiseLike<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(work);
    this.tail = result.then(this.settled, this.settled);
    return result;
  }

  /** Items given and not settled yet, the running one included. */
  get size(): number {
    return this.queued;
  }

  private readonly settled = (): void => {
    if (--this.queued === 0) this.onIdle?.();
  };
}

/**
 * One SerialQueue per key: work on one key runs one at a time, different keys never wait for each
 * other. A key's queue is dropped as soon as it is empty, so keys cost nothing while idle.
 */
export class KeyedSerialQueue<K> {
  private readonly queues = new Map<K, SerialQueue>();

  run<T>(key: K, work: () => T | PromiseLike<T>): Promise<T> {
    let queue = this.queues.get(key);
    if (!queue) {
      const created = new SerialQueue(() => {
        if (this.queues.get(key) === created) this.queues.delete(key);
      });
      this.queues.set(key, created);
      queue = created;
    }
    return queue.run(work);
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.queues.size;
  }
}
