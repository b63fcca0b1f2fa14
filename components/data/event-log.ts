/**
 * The live event stream the dashboard shows: the last events per session, kept in memory only
 * (a page reload starts empty). Fed by the realtime layer; read with useSyncExternalStore.
 *
 * The `*` bucket (the event monitor, every session at once) keeps envelopes only: each raw engine
 * event also arrives as an `engine.event` envelope carrying the same data, so keeping both would
 * fill the buffer twice as fast with nothing new.
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

/** The bucket of every session's events. */
export const ALL_EVENTS = "*";
export const EVENT_LOG_LIMIT = 200;
/** The `*` bucket is shared by every session, so it keeps more. */
export const ALL_EVENTS_LIMIT = 500;
/** rate() averages over this many whole seconds. */
export const RATE_WINDOW_SECONDS = 10;

export class EventLog {
  private readonly bySession = new Map<string, TLiveEvent[]>();
  /** How many events each bucket received since the page opened (or its last clear), kept or not. */
  private readonly counts = new Map<string, number>();
  /** Per bucket, how many events arrived in each of the last seconds (by this browser's clock). */
  private readonly perSecond = new Map<string, { second: number; count: number }[]>();
  /** Per bucket, the second of its first arrival (since the page opened or its last clear). */
  private readonly firstSecond = new Map<string, number>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  push(item: Omit<TLiveEvent, "key">): void {
    const entry = { ...item, key: `${item.timestamp}-${this.counter++}` };
    const buckets = item.kind === "event" ? [item.session, ALL_EVENTS] : [item.session];
    for (const bucket of buckets) {
      const list = this.bySession.get(bucket) ?? [];
      const limit = bucket === ALL_EVENTS ? ALL_EVENTS_LIMIT : EVENT_LOG_LIMIT;
      this.bySession.set(bucket, [entry, ...list].slice(0, limit));
      this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
      this.countArrival(bucket);
      this.listeners.get(bucket)?.forEach((l) => l());
    }
  }

  clear(session: string): void {
    this.bySession.set(session, []);
    this.counts.set(session, 0);
    this.perSecond.delete(session);
    this.firstSecond.delete(session);
    this.listeners.get(session)?.forEach((l) => l());
  }

  read(session: string): TLiveEvent[] {
    return this.bySession.get(session) ?? EMPTY;
  }

  /** Events the bucket received, including those that no longer fit in it. */
  received(session: string): number {
    return this.counts.get(session) ?? 0;
  }

  /**
   * Events per second the bucket received over the last RATE_WINDOW_SECONDS whole seconds before `at`
   * (fewer while it has been receiving for less); null before a whole second of arrivals has passed.
   */
  rate(session: string, at: number): number | null {
    const second = Math.floor(at / 1000);
    const first = this.firstSecond.get(session);
    if (first === undefined || first >= second) return null;
    let total = 0;
    for (const entry of this.perSecond.get(session) ?? []) {
      if (entry.second < second && entry.second >= second - RATE_WINDOW_SECONDS) total += entry.count;
    }
    return total / Math.min(RATE_WINDOW_SECONDS, second - first);
  }

  subscribe(session: string, listener: () => void): () => void {
    const set = this.listeners.get(session) ?? new Set();
    set.add(listener);
    this.listeners.set(session, set);
    return () => set.delete(listener);
  }

  private countArrival(bucket: string): void {
    const second = Math.floor(this.now() / 1000);
    if (!this.firstSecond.has(bucket)) this.firstSecond.set(bucket, second);
    const list = this.perSecond.get(bucket) ?? [];
    const last = list.at(-1);
    if (last?.second === second) last.count++;
    else list.push({ second, count: 1 });
    while (list.length > 0 && list[0].second < second - RATE_WINDOW_SECONDS) list.shift();
    this.perSecond.set(bucket, list);
  }
}

const EMPTY: TLiveEvent[] = [];

/**
 * What a session's live stream shows. Each raw engine event arrives twice, as an `engine` message and as an
 * `engine.event` envelope with the same data: the envelope is the one shown (it is what webhooks receive),
 * and only while `engine` (the "Raw engine events" switch) is on. `name`, when set, keeps that event only.
 */
export function streamEvents(events: readonly TLiveEvent[], { engine, name }: { engine: boolean; name: string }): TLiveEvent[] {
  return events.filter((e) => e.kind === "event" && (engine || e.event !== "engine.event") && (!name || e.event === name));
}
