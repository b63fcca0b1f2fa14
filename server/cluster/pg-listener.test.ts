import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createPostgresDatabase, postgresSkipReason, type PostgresDatabase } from "@/test/support/postgres";
import { startTcpProxy, type TcpProxy } from "@/test/support/tcp-proxy";
import { PgListener, type ListenerState, type PgListenerOptions } from "./pg-listener";

/**
 * The LISTEN connection against a real PostgreSQL: notifications, and coming back by itself after the
 * server ends its backend, after the database was unreachable, and after the connection went silent.
 */
describe.skipIf(postgresSkipReason() !== null)("PgListener", () => {
  let database: PostgresDatabase;
  let admin: pg.Client;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const WAIT = { timeout: 10_000, interval: 20 };
  const logger = () => ({ info: vi.fn(), warn: vi.fn(), debug: vi.fn(), error: vi.fn() });

  /** A started listener with every state change recorded; `via` a relay when the test needs network faults. */
  function listen(options: Partial<PgListenerOptions> & { proxy?: TcpProxy } = {}) {
    const { proxy, ...rest } = options;
    const applicationName = `sb-test-${randomBytes(4).toString("hex")}`;
    const log = logger();
    const listener = new PgListener({
      connectionString: proxy ? proxy.via(database.url) : database.url,
      logger: log,
      applicationName,
      minDelayMs: 20,
      maxDelayMs: 200,
      ...rest,
    });
    const states: ListenerState[] = [];
    listener.onStateChange((state) => states.push(state));
    cleanups.push(() => listener.close());
    return { listener, states, applicationName, log };
  }

  const notify = (channel: string, payload: string) => admin.query("SELECT pg_notify($1, $2)", [channel, payload]);
  const channel = () => `sb_test_${randomBytes(4).toString("hex")}`;

  it("hands each channel's payloads to that channel's handlers, once LISTEN is confirmed", async () => {
    const [a, b] = [channel(), channel()];
    const { listener, states } = listen();
    const onA: string[] = [];
    const onB: string[] = [];
    listener.on(a, (payload) => onA.push(payload));
    listener.on(b, (payload) => onB.push(payload));
    listener.start();
    await vi.waitFor(() => expect(states).toEqual(["connected"]), WAIT);

    await notify(a, "one");
    await notify(b, "two");
    await notify(a, "three");
    await vi.waitFor(() => expect(onA).toEqual(["one", "three"]), WAIT);
    expect(onB).toEqual(["two"]);
  });

  it("comes back after pg_terminate_backend ends its connection, and LISTENs again", async () => {
    const name = channel();
    const { listener, states, applicationName } = listen();
    const received: string[] = [];
    listener.on(name, (payload) => received.push(payload));
    listener.start();
    await vi.waitFor(() => expect(states).toEqual(["connected"]), WAIT);

    const { rows } = await admin.query("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1", [
      applicationName,
    ]);
    expect(rows).toEqual([{ ended: true }]);
    await vi.waitFor(() => expect(states).toEqual(["connected", "disconnected", "connected"]), WAIT);
    expect(listener.connected).toBe(true);

    await notify(name, "after");
    await vi.waitFor(() => expect(received).toEqual(["after"]), WAIT);
  });

  it("keeps trying while the database is unreachable, and connects once it is back", async () => {
    const relay = await startTcpProxy(target());
    cleanups.push(() => relay.close());
    relay.down();
    const name = channel();
    const { listener, states, log } = listen({ proxy: relay });
    const received: string[] = [];
    listener.on(name, (payload) => received.push(payload));
    listener.start();
    // Several attempts fail (each is logged at debug after the first warning), and the state never says connected.
    await vi.waitFor(() => expect(log.debug.mock.calls.length).toBeGreaterThanOrEqual(3), WAIT);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(states.includes("connected")).toBe(false);

    relay.up();
    await vi.waitFor(() => expect(states.at(-1)).toBe("connected"), WAIT);
    await notify(name, "back");
    await vi.waitFor(() => expect(received).toEqual(["back"]), WAIT);
  });

  it("counts a connection that stopped answering as lost (ping), and reconnects", async () => {
    const relay = await startTcpProxy(target());
    cleanups.push(() => relay.close());
    const name = channel();
    const { listener, states } = listen({ proxy: relay, pingMs: 100, pingTimeoutMs: 300 });
    const received: string[] = [];
    listener.on(name, (payload) => received.push(payload));
    listener.start();
    await vi.waitFor(() => expect(states).toEqual(["connected"]), WAIT);

    relay.freeze();
    await vi.waitFor(() => expect(states).toEqual(["connected", "disconnected", "connected"]), WAIT);
    await notify(name, "fresh");
    await vi.waitFor(() => expect(received).toEqual(["fresh"]), WAIT);
  });

  it("LISTENs on a channel registered while connected", async () => {
    const { listener, states } = listen();
    listener.start();
    await vi.waitFor(() => expect(states).toEqual(["connected"]), WAIT);
    const name = channel();
    const received: string[] = [];
    listener.on(name, (payload) => received.push(payload));
    // The LISTEN is queued on the connection before this NOTIFY is sent from another: poll until it is in place.
    await vi.waitFor(async () => {
      await notify(name, "late");
      expect(received.length).toBeGreaterThan(0);
    }, WAIT);
  });

  it("stops for good on close(), even while waiting to reconnect", async () => {
    const relay = await startTcpProxy(target());
    cleanups.push(() => relay.close());
    relay.down();
    const { listener, applicationName, log } = listen({ proxy: relay });
    listener.start();
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledTimes(1), WAIT); // failed once, waiting to retry
    await listener.close();
    relay.up();
    // A negative check: give a retry that close() failed to cancel several backoff periods to show up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
    expect(rows).toEqual([{ n: 0 }]);
    expect(listener.connected).toBe(false);
  });

  function target() {
    const url = new URL(database.url);
    return { host: url.hostname, port: Number(url.port) };
  }
});
