import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TWebhookConfig } from "@/lib/session-config";
import type { TDeliveryUpdate } from "@/lib/webhook-delivery";
import type { Db } from "@/server/db";
import { createEventPublisher } from "@/server/events/publish-event";
import { NO_IGNORE } from "@/server/events/ignore";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher";
import { TEST_ENVIRONMENT } from "@/test/support/environment";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { startReceiver, waitUntil, type Receiver, type TReplyFn } from "@/test/support/webhook-receiver";

/**
 * The outbox across workers: results are fenced, on both databases. Several workers are several
 * dispatchers on one database, each with its own client, as separate processes would be.
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
