import type pg from "pg";
import type { Logger } from "pino";
import type { Db } from "../db";
import type { ReadCache } from "../read-cache";
import { pgPeerTransport } from "../realtime/peer-link";
import { createFanOutPool, type RealtimeServer } from "../realtime/realtime-server";
import {
  CACHE_CHANNEL,
  OWNER_CHANNEL,
  parseOwnerNotification,
  parseWorkerNotification,
  WORKER_CHANNEL,
  type TNotificationCheck,
  type TOwnerNotification,
  type TWorkerNotification,
} from "./notifications";
import { PgListener, type ListenerState, type PgListenerOptions } from "./pg-listener";

export interface ClusterSignals {
  /** A session's owner, epoch or status changed, or its row was deleted (sb_owner). */
  onOwner(handler: (change: TOwnerNotification) => void): () => void;
  /** A worker joined, left, or changed draining, url, capacity or incarnation (sb_worker): its id. */
  onWorker(handler: (workerId: TWorkerNotification) => void): () => void;
  /**
   * The LISTEN connection's state. Notifications sent while it was down are lost: after each `connected`,
   * whatever is kept from them (an owner map, a worker list) must be read again.
   */
  onListenerState(handler: (state: ListenerState) => void): () => void;
  /** Call after the RealtimeServer was closed: this ends the pool its adapter uses. */
  close(): Promise<void>;
}

/**
 * Cluster mode's signals between workers over PostgreSQL (docs/cluster.md): one LISTEN connection that
 * keeps this worker's session read cache fresh (dropped on every worker's write, bypassed while it
 * cannot hear them) and hands ownership and worker changes to whoever subscribes; and, when a
 * RealtimeServer is given, live push shared with the other workers (heard on that connection, sent
 * through a pool of one connection of its own).
 */
export function startClusterSignals(options: {
  databaseUrl: string;
  db: Db;
  realtime: RealtimeServer | null;
  logger: Logger;
  /** Tests shorten the reconnect and ping times. */
  listener?: Partial<Omit<PgListenerOptions, "connectionString" | "logger">>;
}): ClusterSignals {
  const logger = options.logger.child({ module: "cluster-signals" });
  const listener = new PgListener({ connectionString: options.databaseUrl, logger, ...options.listener });
  keepReadCacheFresh(listener, options.db.$sessionReads());
  keepReadCacheFresh(listener, options.db.$keyReads());

  let pool: pg.Pool | null = null;
  if (options.realtime) {
    pool = createFanOutPool(options.databaseUrl, logger);
    options.realtime.shareAcrossWorkers(pgPeerTransport(pool, listener));
  }

  const subscribe = <T>(channel: string, parse: (payload: string) => TNotificationCheck<T>) => {
    const handlers = new Set<(value: T) => void>();
    listener.on(channel, (payload) => {
      const parsed = parse(payload);
      if (!parsed.ok) {
        logger.warn({ channel, issues: parsed.issues }, "cluster notification ignored: it does not match its schema");
        return;
      }
      for (const handler of handlers) handler(parsed.value);
    });
    return (handler: (value: T) => void) => {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    };
  };
  const onOwner = subscribe(OWNER_CHANNEL, parseOwnerNotification);
  const onWorker = subscribe(WORKER_CHANNEL, parseWorkerNotification);

  listener.start();
  return {
    onOwner,
    onWorker,
    onListenerState: (handler) => listener.onStateChange(handler),
    async close() {
      await listener.close();
      await pool?.end();
    },
  };
}

/**
 * A read cache across workers (the sessions', the API keys'): every write to Session, SessionMetadata or
 * ApiKey by any worker drops it (sb_cache; a key revoked on one worker is refused by all within the
 * NOTIFY's delay). Until LISTEN is confirmed, and whenever the connection is lost, it is bypassed: reads
 * go to the database and nothing is kept, since a write made meanwhile would go unheard. Reconnected,
 * it starts again from empty.
 */
function keepReadCacheFresh(listener: PgListener, cache: ReadCache): void {
  cache.setBypassed(true);
  listener.on(CACHE_CHANNEL, () => cache.invalidate());
  listener.onStateChange((state) => cache.setBypassed(state !== "connected"));
}
