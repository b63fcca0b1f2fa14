import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { DEAD_DELIVERY_MARK_MS, deliveryTroubleOf } from "./delivery-log";

const NOW = Date.UTC(2026, 10, 30, 12);
let testDb: TestDb;
let db: Db;
let seq = 0;

/** One delivery of `session` in `state`, with `attempts` made, finished `finishedAgoMs` before NOW when given. */
async function delivery(session: string, state: string, attempts: number, finishedAgoMs?: number) {
  const id = String(++seq).padStart(4, "0");
  await db.webhookEvent.create({ data: { id: `evt_${id}`, session, event: "message", body: "{}", timestamp: new Date(NOW) } });
  await db.webhookDelivery.create({
    data: {
      id: `dlv_${id}`,
      eventId: `evt_${id}`,
      session,
      event: "message",
      url: "http://127.0.0.1:9/hook",
      source: "session",
      webhookIndex: 0,
      webhook: "{}",
      state,
      attempts,
      nextAttemptAt: new Date(NOW),
      finishedAt: finishedAgoMs === undefined ? null : new Date(NOW - finishedAgoMs),
      createdAt: new Date(NOW - 1000),
    },
  });
}

describe.each(TEST_DIALECTS)("deliveryTroubleOf on %s", (dialect) => {
  beforeEach(async () => {
    testDb = await createTestDb(dialect);
    db = testDb.db;
  });
  afterEach(async () => {
    await testDb.close();
  });

  it("counts retries pending after a failed attempt and deliveries dead within the hour, per session asked", async () => {
    await delivery("a", "pending", 2);
    await delivery("a", "pending", 1);
    await delivery("a", "dead", 3, 60_000);
    await delivery("a", "pending", 0); // not tried yet: no trouble
    await delivery("a", "delivered", 2, 1000);
    await delivery("b", "dead", 1, DEAD_DELIVERY_MARK_MS + 60_000); // died too long ago
    await delivery("c", "in_flight", 1);
    await delivery("d", "pending", 4); // not asked for
    await delivery("e", "dead", 2, DEAD_DELIVERY_MARK_MS - 60_000);
    await delivery("e", "dead", 5, 0);
    const trouble = await deliveryTroubleOf(db, ["a", "b", "c", "e"], NOW);
    expect(Object.fromEntries(trouble)).toEqual({ a: { retrying: 2, dead: 1 }, e: { retrying: 0, dead: 2 } });
    expect((await deliveryTroubleOf(db, [], NOW)).size).toBe(0);
  });
});
