/**
 * The live event stream the dashboard shows: the last events per session, kept in memory only
 * (a page reload starts empty). Fed by the realtime layer; read with useSyncExternalStore.
 */
export interface TLiveEvent {
  key: string;
  session: string;
  /** `event` for webhook envelopes, `engine` for raw engine.event messages. */
  kind: "event" | "engine";
  event: string;
  timestamp: number;
  data: unknown;
}

export const EVENT_LOG_LIMIT = 200;

export class EventLog {
  private readonly bySession = new Map<string, TLiveEvent[]>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private counter = 0;

  push(item: Omit<TLiveEvent, "key">): void {
    const entry = { ...item, key: `${item.timestamp}-${this.counter++}` };
    for (const bucket of [item.session, "*"]) {
      const list = this.bySession.get(bucket) ?? [];
      this.bySession.set(bucket, [entry, ...list].slice(0, EVENT_LOG_LIMIT));
      this.listeners.get(bucket)?.forEach((l) => l());
    }
  }

  clear(session: string): void {
    this.bySession.set(session, []);
    this.listeners.get(session)?.forEach((l) => l());
  }

  read(session: string): TLiveEvent[] {
    return this.bySession.get(session) ?? EMPTY;
  }

  subscribe(session: string, listener: () => void): () => void {
    const set = this.listeners.get(session) ?? new Set();
    set.add(listener);
    this.listeners.set(session, set);
    return () => set.delete(listener);
  }
}

const EMPTY: TLiveEvent[] = [];
