/**
 * Rows that are read on every request and written rarely, kept in memory until their tables are
 * written (db.ts drops them on every write through the client). Per process: in cluster mode the
 * writes of other workers drop it too, and while they cannot be heard it is bypassed
 * (server/cluster/signals.ts).
 */
export class ReadCache {
  private readonly rows = new Map<string, unknown>();
  /** Bumped by every write, so a read that overlapped a write never keeps what it saw. */
  private generation = 0;
  private bypassed = false;

  constructor(private readonly maxEntries = 10_000) {}

  invalidate(): void {
    this.generation++;
    this.rows.clear();
  }

  /**
   * Bypassed, every read loads and nothing is kept (writes elsewhere could go unseen); either way what is
   * held is dropped, so a read that overlapped the switch is not kept either.
   */
  setBypassed(bypassed: boolean): void {
    this.bypassed = bypassed;
    this.invalidate();
  }

  /** The cached value for `key`, or load() it and keep it (frozen: callers share it) unless a write overlapped. */
  async read<T extends object>(key: string, load: () => Promise<T>): Promise<T>;
  async read<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null>;
  async read<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (this.bypassed) return load();
    const hit = this.rows.get(key);
    if (hit !== undefined) return hit as T;
    const generation = this.generation;
    const value = await load();
    if (value === null || generation !== this.generation) return value;
    if (this.rows.size >= this.maxEntries) this.rows.clear();
    this.rows.set(key, deepFreeze(value));
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
