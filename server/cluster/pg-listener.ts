import pg from "pg";
import type { Logger } from "pino";

export type ListenerState = "connected" | "disconnected";
export type NotificationHandler = (payload: string) => void;

export interface PgListenerOptions {
  /** A direct connection to PostgreSQL: LISTEN does not survive a pooler in transaction mode (docs/cluster.md). */
  connectionString: string;
  logger: Pick<Logger, "info" | "warn" | "debug" | "error">;
  /** Shown in pg_stat_activity, so an operator (and a test) can tell this connection apart. */
  applicationName?: string;
  /** First wait before reconnecting; doubles after each failed attempt, up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /**
   * A connection can die without a word (a NAT or firewall dropping an idle socket): then nothing arrives
   * and nothing fails. Every pingMs the listener asks the server for `SELECT 1`; no answer within
   * pingTimeoutMs counts as a lost connection.
   */
  pingMs?: number;
  pingTimeoutMs?: number;
}

/**
 * One dedicated PostgreSQL connection that LISTENs (not one of Prisma's pooled ones, which come and go).
 * It reconnects by itself with a growing delay, LISTENs again on every channel after each reconnect, and
 * reports `connected` only once every channel's LISTEN is confirmed, `disconnected` as soon as the
 * connection is lost. NOTIFY is a signal, not a queue: what was sent while disconnected is gone, so a
 * consumer must treat `connected` as "anything may have changed".
 */
export class PgListener {
  private client: pg.Client | null = null;
  private state: ListenerState = "disconnected";
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly stateListeners = new Set<(state: ListenerState) => void>();
  private started = false;
  private closed = false;
  private failedAttempts = 0;
  private lostAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private readonly options: Required<PgListenerOptions>;

  constructor(options: PgListenerOptions) {
    this.options = {
      applicationName: "switchboard-listener",
      minDelayMs: 100,
      maxDelayMs: 5_000,
      pingMs: 5_000,
      pingTimeoutMs: 5_000,
      ...options,
    };
  }

  get connected(): boolean {
    return this.state === "connected";
  }

  /** Calls `handler` with each payload sent on `channel`. Register before start() to be covered by the first `connected`. */
  on(channel: string, handler: NotificationHandler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      // A connection being opened or open: LISTEN on it now (queued by pg until the connection is ready).
      const client = this.client;
      client?.query(`LISTEN ${quoteIdentifier(channel)}`).catch((error: unknown) => this.lose(client, error));
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Called on every change of state, `connected` after each (re)connection whose LISTENs are confirmed. */
  onStateChange(listener: (state: ListenerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Starts connecting (in the background: a database that is down is retried, never thrown). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearTimeout(this.pingTimer);
    const client = this.client;
    this.client = null;
    this.setState("disconnected");
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName,
      keepAlive: true,
      // A connect that hangs counts as lost and is retried, like one refused.
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    // Kept for the client's whole life: a connection that already counts as lost may still report errors.
    client.on("error", (error) => this.lose(client, error));
    client.on("end", () => this.lose(client, new Error("the connection was closed")));
    client.on("notification", (message) => this.deliver(message.channel, message.payload ?? ""));
    try {
      await client.connect();
      for (const channel of [...this.handlers.keys()]) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      this.lose(client, error);
      return;
    }
    if (this.client !== client) return; // lost or closed meanwhile
    if (this.lostAt !== null) {
      this.options.logger.info({ downMs: Date.now() - this.lostAt }, "PostgreSQL listener reconnected");
    }
    this.failedAttempts = 0;
    this.lostAt = null;
    this.setState("connected");
    this.schedulePing(client);
  }

  /** The connection failed or ended: report it once, drop it, and try again after the backoff. */
  private lose(client: pg.Client | null, error: unknown): void {
    if (client === null || this.client !== client) return;
    this.client = null;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    dropConnection(client);
    if (this.closed) return;
    if (this.lostAt === null) {
      this.lostAt = Date.now();
      this.options.logger.warn({ err: error }, "PostgreSQL listener lost its connection; reconnecting");
    } else {
      this.options.logger.debug({ err: error, attempt: this.failedAttempts }, "PostgreSQL listener could not reconnect yet");
    }
    this.setState("disconnected");
    const delay = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** this.failedAttempts);
    this.failedAttempts++;
    // Jitter, so workers that lost the database together do not all come back at the same instant.
    this.retryTimer = setTimeout(() => void this.connect(), delay * (0.5 + Math.random() / 2));
  }

  private schedulePing(client: pg.Client): void {
    this.pingTimer = setTimeout(() => {
      const timeout = setTimeout(
        () => this.lose(client, new Error(`no answer to a ping within ${this.options.pingTimeoutMs} ms`)),
        this.options.pingTimeoutMs,
      );
      client.query("SELECT 1").then(
        () => {
          clearTimeout(timeout);
          if (this.client === client) this.schedulePing(client);
        },
        (error: unknown) => {
          clearTimeout(timeout);
          this.lose(client, error);
        },
      );
    }, this.options.pingMs);
  }

  private deliver(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.options.logger.error({ err: error, channel }, "a PostgreSQL notification handler failed");
      }
    }
  }

  private setState(state: ListenerState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** Channels are identifiers: quoted, so any name LISTENs as written. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Closes a connection that is no longer trusted without waiting for the server: `end()` alone waits for
 * an answer that a dead peer never sends, so the socket is destroyed too.
 */
function dropConnection(client: pg.Client): void {
  void client.end().catch(() => undefined);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
