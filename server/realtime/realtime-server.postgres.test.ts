import { io, type Socket } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { TEventEnvelope } from "@/lib/event-envelope";
import { sampleDelivery } from "@/lib/sample-delivery";
import { postgresSkipReason } from "@/test/support/postgres";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { realtimeTestServer, sampleSnapshot, statusEnvelope } from "@/test/support/realtime-test-server";
import { PgListener } from "../cluster/pg-listener";
import { PUSH_CHANNEL, pgPeerTransport } from "./peer-link";
import { createFanOutPool } from "./realtime-server";

/**
 * Cluster mode's live push: two RealtimeServers (two workers) on two HTTP servers sharing one PostgreSQL
 * through PUSH_CHANNEL (PeerLink). What one worker pushes reaches the Socket.IO and /ws clients of both
 * exactly once, in order, checked against its schema again on the receiving worker.
 */
describe.skipIf(postgresSkipReason() !== null)("RealtimeServer across workers (PostgreSQL)", () => {
  let testDb: TestDb;
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const WAIT = { timeout: 15_000, interval: 50 };

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await testDb.close();
  });

  async function startWorker() {
    const { realtime, http, logger, listen, host } = realtimeTestServer();
    const pool = createFanOutPool(testDb.url, logger);
    const listener = new PgListener({ connectionString: testDb.url, logger, minDelayMs: 50, maxDelayMs: 200 });
    realtime.shareAcrossWorkers(pgPeerTransport(pool, listener));
    listener.start();
    const port = await listen();
    cleanups.push(async () => {
      await realtime.close();
      await new Promise((resolve) => http.close(resolve));
      await listener.close();
      await pool.end();
    });
    return { realtime, logger, pool, port, host };
  }

  /** A Socket.IO client subscribed to `session`, recording [message name, what identifies it]. */
  async function socketClient(port: number, session: string) {
    const socket: Socket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false });
    cleanups.push(() => void socket.close());
    const received: [string, unknown][] = [];
    socket.onAny((name: string, message: Record<string, unknown>) => received.push([name, identify(name, message)]));
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    expect(await socket.emitWithAck("subscribe", { session })).toEqual({ ok: true });
    return received;
  }

  /** A raw WAHA /ws client, recording each envelope's id. */
  async function rawClient(port: number, query: string) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?${query}`);
    cleanups.push(() => socket.terminate());
    const received: string[] = [];
    socket.on("message", (data) => received.push((JSON.parse(String(data)) as TEventEnvelope).id));
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    return received;
  }

  /** Two workers; clients on each; LISTEN ready on both (a push from either is seen by the other). */
  async function twoWorkers() {
    const [a, b] = [await startWorker(), await startWorker()];
    const clients = {
      onA: await socketClient(a.port, "*"),
      rawOnA: await rawClient(a.port, ""),
      onB: await socketClient(b.port, "s1"),
      rawOnB: await rawClient(b.port, "session=s1"),
    };
    const warmA = await socketClient(a.port, "warmup");
    const warmB = await socketClient(b.port, "warmup");
    await vi.waitFor(() => {
      a.realtime.broadcastEnvelope(statusEnvelope("evt_warm_a", "warmup"));
      b.realtime.broadcastEnvelope(statusEnvelope("evt_warm_b", "warmup"));
      expect(warmB.some(([, id]) => id === "evt_warm_a") && warmA.some(([, id]) => id === "evt_warm_b")).toBe(true);
    }, WAIT);
    // Only what concerns s1 from here on; warm-up pushes may still be arriving.
    const s1 = (list: [string, unknown][]) => list.filter(([, id]) => !String(id).startsWith("evt_warm"));
    const ids = (list: string[]) => list.filter((id) => !id.startsWith("evt_warm"));
    return { a, b, clients, s1, ids };
  }

  it("delivers what worker A pushes to the Socket.IO and /ws clients of both workers, exactly once", async () => {
    const { a, clients, s1, ids } = await twoWorkers();

    a.host({
      type: "status",
      session: "s1",
      change: { status: "WORKING", timestamp: 1, reason: null },
      snapshot: sampleSnapshot(),
      disconnect: null,
      data: null,
    });
    a.host({ type: "qr", session: "s1", value: "qr-1" });
    a.realtime.broadcastEnvelope(statusEnvelope("evt_1", "s1"));
    a.realtime.broadcastDelivery(sampleDelivery({ id: "dlv_1", session: "s1" }));
    await vi.waitFor(() => expect(clients.rawOnB).toContain("evt_1"), WAIT);
    // Over 8000 bytes: travels in parts, in its place among the others.
    a.realtime.broadcastEnvelope({ ...statusEnvelope("evt_big", "s1"), payload: { text: "x".repeat(20_000) } });
    a.realtime.broadcastEnvelope(statusEnvelope("evt_end", "s1"));
    await vi.waitFor(() => expect(clients.rawOnB).toContain("evt_end"), WAIT);
    await vi.waitFor(() => expect(s1(clients.onB)).toContainEqual(["event", "evt_end"]), WAIT);

    const expected = [
      ["session.status", "WORKING"],
      ["session.qr", null],
      ["session.qr", "qr-1"],
      ["event", "evt_1"],
      ["delivery.update", "dlv_1"],
      ["event", "evt_big"],
      ["event", "evt_end"],
    ];
    expect(s1(clients.onB)).toEqual(expected);
    expect(ids(clients.rawOnB)).toEqual(["evt_1", "evt_big", "evt_end"]);
    // Worker A's own clients: once too (delivered here, not again through the database).
    await vi.waitFor(() => expect(s1(clients.onA)).toContainEqual(["event", "evt_end"]), WAIT);
    expect(s1(clients.onA)).toEqual(expected);
    expect(ids(clients.rawOnA)).toEqual(["evt_1", "evt_big", "evt_end"]);
  });

  it("checks another worker's pushes against their schemas again, drops one that fails, and skips one nobody here listens to", async () => {
    const { b, clients, s1 } = await twoWorkers();
    const frame = (seq: number, pushes: unknown[]) => JSON.stringify({ from: "another-worker", seq, pushes });
    await testDb.db.$executeRawUnsafe(
      `SELECT pg_notify($1, $2), pg_notify($1, $3)`,
      PUSH_CHANNEL,
      frame(0, [
        { name: "event", session: "s1", everyone: true, body: JSON.stringify({ ...statusEnvelope("evt_bad", "s1"), engine: "NOWEB" }) },
        { not: "a push" },
      ]),
      frame(1, [
        // No client of B listens to s9: B does not read it (its body would fail the check).
        { name: "session.qr", session: "s9", everyone: false, body: "not read" },
        { name: "event", session: "s1", everyone: true, body: JSON.stringify(statusEnvelope("evt_good", "s1")) },
      ]),
    );
    await vi.waitFor(() => expect(clients.rawOnB).toContain("evt_good"), WAIT);
    await vi.waitFor(() => expect(b.logger.error).toHaveBeenCalledTimes(2), WAIT);
    expect(s1(clients.onB)).toEqual([["event", "evt_good"]]);
    expect(clients.rawOnB).not.toContain("evt_bad");
    expect(b.logger.error.mock.calls.map(([fields]) => fields)).toEqual(
      expect.arrayContaining([{ message: "event", session: "s1", issues: [expect.stringMatching(/^engine: /)] }, { issues: 4 }]),
    );
  });

  it("sends nothing to the other workers while none of their clients listens, and starts once one subscribes", async () => {
    const a = await startWorker();
    const b = await startWorker();
    const frames: string[] = [];
    const spy = new PgListener({ connectionString: testDb.url, logger: a.logger, applicationName: "test-spy" });
    spy.on(PUSH_CHANNEL, (payload) => frames.push(payload));
    spy.start();
    cleanups.push(() => spy.close());
    await vi.waitFor(() => expect(spy.connected).toBe(true), WAIT);
    // Each worker hears the other's periodic announcement (every 5 s) once its first period is over.
    const peers = (worker: typeof a) => (worker.realtime as unknown as { peers: { wanted(...args: unknown[]): boolean } }).peers;
    await vi.waitFor(() => expect(peers(a).wanted("event", "s1", true)).toBe(false), { timeout: 20_000, interval: 100 });
    frames.length = 0;
    a.realtime.broadcastEnvelope(statusEnvelope("evt_unheard", "s1"));
    // Acknowledged once B has told A (the NOTIFY is committed); A hears it a moment later.
    const onB = await socketClient(b.port, "s1");
    let n = 0;
    await vi.waitFor(() => {
      a.realtime.broadcastEnvelope(statusEnvelope(`evt_heard_${n++}`, "s1"));
      expect(onB.some(([, id]) => String(id).startsWith("evt_heard_"))).toBe(true);
    }, WAIT);
    expect(onB).not.toContainEqual(["event", "evt_unheard"]);
    expect(frames.some((frame) => frame.includes("evt_unheard"))).toBe(false);
  }, 40_000);

  it("keeps going after PostgreSQL ends its connections (pg_terminate_backend)", async () => {
    const { a, b, clients } = await twoWorkers();
    const admin = testDb.db;
    const ended = await admin.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name IN ('switchboard-realtime', 'switchboard-listener')",
    );
    expect(ended[0].n).toBeGreaterThanOrEqual(4);
    await vi.waitFor(() => {
      expect(a.logger.warn).toHaveBeenCalled();
      expect(b.logger.warn).toHaveBeenCalled();
    }, WAIT);
    // Both reconnect by themselves; until then pushes to the other worker are lost.
    let n = 0;
    await vi.waitFor(() => {
      n++;
      a.realtime.broadcastEnvelope(statusEnvelope(`evt_from_a_${n}`, "s1"));
      b.realtime.broadcastEnvelope(statusEnvelope(`evt_from_b_${n}`, "s1"));
      expect(clients.rawOnB.some((id) => id.startsWith("evt_from_a_"))).toBe(true);
      expect(clients.rawOnA.some((id) => id.startsWith("evt_from_b_"))).toBe(true);
    }, WAIT);
  }, 40_000);
});

/** What tells one message from another in these tests. */
function identify(name: string, message: Record<string, unknown>): unknown {
  if (name === "event") return message.id;
  if (name === "delivery.update") return (message.delivery as { id: string }).id;
  if (name === "session.status") return message.status;
  if (name === "session.qr") return message.value;
  return name;
}
