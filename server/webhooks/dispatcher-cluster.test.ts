import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TWebhookConfig } from "@/lib/session-config";
import type { TDeliveryUpdate } from "@/lib/webhook-delivery";
import { rank } from "@/server/cluster/rendezvous";
import type { Db } from "@/server/db";
import { createEventPublisher } from "@/server/events/publish-event";
import { NO_IGNORE } from "@/server/events/ignore";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher";
import { adoptDeliveries, writeOutbox } from "./outbox";
import { TEST_ENVIRONMENT } from "@/test/support/environment";
import { postgresSkipReason } from "@/test/support/postgres";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { startReceiver, waitUntil, type Receiver, type TReplyFn } from "@/test/support/webhook-receiver";

/**
 * The outbox across workers (docs/cluster.md, "Outbox across workers"): fenced results on both databases;
 * adoption of a gone worker's rows, redelivery through another worker and the pruning lock on PostgreSQL,
 * where cluster mode runs. Several workers are several dispatchers on one database, each with its own
 * client, as separate processes would be; their leases are `Worker` rows written here.
 */

let testDb: TestDb;
let db: Db;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

async function receiver(reply?: TReplyFn): Promise<Receiver> {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return r;
}

/** A worker's dispatcher on its own client. */
function worker(workerId: string, options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  const d = new WebhookDispatcher({ db: testDb.reopen(), version: "9.9.9", workerId, pruneIntervalMs: 0, stopTimeoutMs: 200, ...options });
  cleanups.push(() => d.stop());
  return d;
}

/** A worker's lease, as the registry writes it; `ms` < 0 for one that has lapsed. */
async function lease(id: string, ms: number, draining = false): Promise<void> {
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + ms);
  await db.worker.upsert({
    where: { id },
    create: { id, incarnation: `${id}-1`, url: `http://${id}.test`, draining, leaseUntil, heartbeatAt: now, startedAt: now },
    update: { leaseUntil, draining },
  });
}

function publish(d: WebhookDispatcher, count: number, urls: string[]) {
  const publisher = createEventPublisher({ dispatcher: d, environment: TEST_ENVIRONMENT, globalWebhook: null, ignoreDefaults: NO_IGNORE });
  const webhooks: TWebhookConfig[] = urls.map((url) => ({ url, events: ["message"] }));
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      publisher.publish({ session: "s1", event: "message", payload: { body: `m${i}` }, me: null, config: { webhooks } }),
    ),
  );
}

async function rows() {
  return db.webhookDelivery.findMany({ orderBy: { id: "asc" } });
}

function requestIds(r: Receiver): string[] {
  return r.requests.map((request) => String(request.headers["x-webhook-request-id"]));
}

async function setUp(dialect: "sqlite" | "postgresql") {
  testDb = await createTestDb(dialect);
  db = testDb.db;
}

async function tearDown() {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await testDb.close();
}

describe.each(TEST_DIALECTS)("fenced results on %s", (dialect) => {
  beforeEach(() => setUp(dialect));
  afterEach(tearDown);

  it("a result that arrives after another worker adopted the row is logged as an attempt and changes nothing else", async () => {
    const r = await receiver(() => ({ status: 200, hang: true }));
    const w1 = worker("w1");
    const updates: TDeliveryUpdate[] = [];
    w1.onDeliveryUpdate((update) => updates.push(update));
    await w1.start();
    await publish(w1, 2, [r.url]);
    await waitUntil(() => r.hanging === 2, 5000, "two requests in flight");
    // As adoption leaves them: w2's, pending again.
    await db.webhookDelivery.updateMany({ data: { worker: "w2", state: "pending" } });

    r.release({ status: 200 });
    await waitUntil(async () => (await db.webhookAttempt.count()) === 2, 5000, "both attempts logged");
    await w1.whenIdle();
    for (const row of await rows()) {
      expect(row).toMatchObject({ worker: "w2", state: "pending", attempts: 0, lastStatusCode: null, finishedAt: null });
    }
    expect((await db.webhookAttempt.findMany()).map((a) => a.outcome)).toEqual(["delivered", "delivered"]);
    expect(updates.filter((u) => u.attempt !== null)).toEqual([]);
  });

  it("stop() puts back only rows still this worker's: one adopted and claimed meanwhile stays in flight", async () => {
    const r = await receiver(() => ({ status: 200, hang: true }));
    const w1 = worker("w1", { concurrencyPerTarget: 1 });
    await w1.start();
    await publish(w1, 3, [r.url]);
    await waitUntil(() => r.hanging === 1, 5000, "one request in flight");
    // w2 adopted every row and is sending them.
    await db.webhookDelivery.updateMany({ data: { worker: "w2", state: "in_flight" } });
    await w1.stop();
    expect((await rows()).map((row) => [row.worker, row.state])).toEqual([
      ["w2", "in_flight"],
      ["w2", "in_flight"],
      ["w2", "in_flight"],
    ]);
  });
});

describe("embedded mode (SQLite)", () => {
  beforeEach(() => setUp("sqlite"));
  afterEach(tearDown);

  it("adopts nothing, even with the cluster option: rows of another worker id stay that worker's", async () => {
    const r = await receiver();
    await publish(worker("w1"), 2, [r.url]);
    const w2 = worker("w2", { cluster: { leaseMs: 1_000 } });
    await w2.start();
    expect(await w2.adoptNow()).toBe(0);
    expect((await rows()).map((row) => [row.worker, row.state])).toEqual([
      ["w1", "pending"],
      ["w1", "pending"],
    ]);
    expect(r.requests).toHaveLength(0);
  });
});

describe.skipIf(postgresSkipReason() !== null)("the outbox across workers on PostgreSQL", () => {
  beforeEach(() => setUp("postgresql"));
  afterEach(tearDown);

  it("once w1's lease lapses, w2 adopts its pending and in_flight rows and delivers every one; w1's late results cannot overwrite them", async () => {
    // w1's first two requests hang (sent, never answered while w1 lives); everything after is answered.
    const r = await receiver((_, i) => (i < 2 ? { status: 200, hang: true } : { status: 200 }));
    await lease("w1", 60_000);
    await lease("w2", 60_000);
    // Two sending, two queued in_flight in w1's lane, six pending.
    const w1 = worker("w1", { concurrencyPerTarget: 2, maxQueuedPerTarget: 4 });
    await w1.start();
    await publish(w1, 10, [r.url]);
    await waitUntil(() => r.hanging === 2, 5000, "w1's two requests in flight");
    expect((await rows()).filter((row) => row.state === "in_flight")).toHaveLength(4);

    // w2 adopts on its own every fifth of the lease (200 ms here), once w1's lease has lapsed.
    const w2 = worker("w2", { cluster: { leaseMs: 1_000 } });
    await w2.start();
    await w2.whenIdle();
    expect(await db.webhookDelivery.count({ where: { worker: "w2" } })).toBe(0);
    await lease("w1", -1);
    await waitUntil(
      async () => (await db.webhookDelivery.count({ where: { worker: "w2", state: "delivered" } })) === 10,
      10_000,
      "w2 delivers all",
    );
    const ids = (await rows()).map((row) => row.id);
    // None lost; the receiver can tell the duplicates (w1's requests in flight) by their request ids.
    expect(new Set(requestIds(r))).toEqual(new Set(ids));

    // w1 comes back from a pause: its held requests fail now, and so do its queued ones, sent after them.
    // Their results (retry) are logged, but the rows stay delivered by w2.
    r.setReply(() => ({ status: 500 }));
    r.release({ status: 500 });
    await waitUntil(() => r.requests.length === 14, 5000, "w1's queued requests");
    await waitUntil(async () => (await db.webhookAttempt.count({ where: { outcome: "retry" } })) === 4, 5000, "w1's late results logged");
    await w1.whenIdle();
    expect((await rows()).map((row) => [row.worker, row.state, row.attempts])).toEqual(ids.map(() => ["w2", "delivered", 1]));
  }, 30_000);

  it("adoptNow() spreads a gone worker's target URLs over the live workers by rendezvous hashing, each URL to one worker", async () => {
    const r = await receiver();
    const urls = Array.from({ length: 8 }, (_, i) => `${r.url}?target=${i}`);
    await lease("w2", 60_000);
    await lease("w3", 60_000);
    // Rows of w1, which never registered (or whose row an operator deleted), and of a process without a worker id.
    await writeOutbox(db, entries(urls.slice(0, 6)), { workerId: "w1", now: Date.now() });
    await writeOutbox(db, entries(urls.slice(6)), { workerId: "", now: Date.now() });
    // A long lease: only adoptNow() adopts in this test (and start()'s first pass).
    const [w2, w3] = [worker("w2", { cluster: { leaseMs: 600_000 } }), worker("w3", { cluster: { leaseMs: 600_000 } })];
    await Promise.all([w2.start(), w3.start()]);
    await Promise.all([w2.adoptNow(), w3.adoptNow()]);
    await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 8, 10_000, "all delivered");
    for (const row of await rows()) expect(row.worker).toBe(rank(row.url, ["w2", "w3"])[0]);
    expect(new Set((await rows()).map((row) => row.worker))).toEqual(new Set(["w2", "w3"]));
    expect(r.requests).toHaveLength(8);
  });

  it("a draining worker, and one whose own lease lapsed, adopt nothing", async () => {
    await lease("w2", 60_000, true);
    await writeOutbox(db, entries(["http://127.0.0.1:9/hook"]), { workerId: "w1", now: Date.now() });
    const w2 = worker("w2", { cluster: { leaseMs: 600_000 } });
    await w2.start();
    expect(await w2.adoptNow()).toBe(0);
    await lease("w2", -1);
    expect(await w2.adoptNow()).toBe(0);
    await lease("w2", 60_000);
    expect(await w2.adoptNow()).toBe(1);
    expect((await rows())[0]!.worker).toBe("w2");
  });

  it("two adopters racing for the same rows never adopt one row twice", async () => {
    const urls = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "http://127.0.0.1:9/c"];
    await lease("w2", 60_000);
    await lease("w3", 60_000);
    await writeOutbox(db, entries(urls, 400), { workerId: "w1", now: Date.now() });
    await db.webhookDelivery.updateMany({ where: { url: urls[0] }, data: { state: "in_flight" } });
    const adoptAll = async (client: Db, workerId: string) => {
      const adopted: string[] = [];
      for (;;) {
        const ids = await adoptDeliveries(client, { workerId, owners: ["w1"], urls, now: Date.now(), limit: 50 });
        adopted.push(...ids);
        if (ids.length === 0) return adopted;
      }
    };
    const [byW2, byW3] = await Promise.all([adoptAll(testDb.reopen(), "w2"), adoptAll(testDb.reopen(), "w3")]);
    const all = [...byW2, ...byW3];
    expect(all).toHaveLength(1200);
    expect(new Set(all).size).toBe(1200);
    expect(await db.webhookDelivery.count({ where: { worker: "w2" } })).toBe(byW2.length);
    expect(await db.webhookDelivery.count({ where: { state: "pending" } })).toBe(1200);
  });

  it("redelivery through another worker moves the row to it", async () => {
    const r = await receiver();
    await lease("w1", 60_000);
    await lease("w2", 60_000);
    const w1 = worker("w1");
    await w1.start();
    const [envelope] = await publish(w1, 1, [r.url]);
    await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 1, 5000, "delivered by w1");
    const [row] = await rows();
    const w2 = worker("w2", { cluster: { leaseMs: 600_000 } });
    await w2.start();
    expect(await w2.requeue(row!.id, { session: "s1" })).toMatchObject({ state: "pending", cycle: 2 });
    await waitUntil(
      async () => (await db.webhookDelivery.count({ where: { worker: "w2", state: "delivered" } })) === 1,
      5000,
      "redelivered by w2",
    );
    expect(requestIds(r)).toEqual([row!.id, row!.id]);
    expect(r.requests[1]!.body.toString()).toBe(JSON.stringify(envelope));
  });

  it("prunes on one worker at a time: a run that finds another worker's prune lock ends early", async () => {
    await writeOutbox(db, entries(["http://127.0.0.1:9/hook"], 3), { workerId: "w1", now: Date.now() });
    await db.webhookDelivery.updateMany({ data: { state: "delivered", finishedAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) } });
    const d = worker("w1");
    // Another worker's prune statement, holding the lock.
    const other = new pg.Client({ connectionString: testDb.url });
    await other.connect();
    cleanups.push(() => other.end());
    await other.query("BEGIN");
    await other.query("SELECT pg_advisory_xact_lock(hashtext('switchboard:webhook-prune'))");
    expect(await d.prune()).toEqual({ expired: 0, deliveries: 0, events: 0, busy: true });
    expect(await db.webhookDelivery.count()).toBe(3);
    await other.query("COMMIT");
    expect(await d.prune()).toEqual({ expired: 0, deliveries: 3, events: 3 });
  });
});

let written = 0;

/** Outbox entries: `perUrl` events for each URL. */
function entries(urls: string[], perUrl = 1) {
  return urls.flatMap((url) =>
    Array.from({ length: perUrl }, (_, i) => ({
      envelope: { id: `evt_${++written}`, timestamp: Date.now(), event: "message", session: "s1" },
      body: JSON.stringify({ url, i }),
      targets: [{ source: "session" as const, index: 0, config: { url, events: ["message"] } as TWebhookConfig }],
    })),
  );
}
