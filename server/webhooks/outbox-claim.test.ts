import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TWebhookConfig } from "@/lib/session-config";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { postgresSkipReason } from "@/test/support/postgres";
import { claimDueDeliveries, writeOutbox } from "./outbox";

/**
 * Two transactions claiming at once must never both get a row. SQLite has one writer, so the race
 * needs PostgreSQL: under READ COMMITTED a claim that waited for another's row lock re-checks only
 * the outer WHERE of `UPDATE … WHERE id IN (SELECT …)`, not the subquery, and so took the row again
 * (docs/cluster.md). A trigger makes the first claim hold its row locks long enough for the
 * second to start, so the test is deterministic.
 */
describe.skipIf(postgresSkipReason() !== null)("claimDueDeliveries on PostgreSQL, two claims at once", () => {
  let testDb: TestDb;

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
  });
  afterEach(() => testDb.close());

  it("hands each row to one claim only", async () => {
    const { db } = testDb;
    const now = Date.now();
    const webhook = { url: "http://127.0.0.1:9/hook" } as TWebhookConfig;
    await writeOutbox(
      db,
      [1, 2, 3].map((i) => ({
        envelope: { id: `evt_${i}`, timestamp: now, event: "message", session: "s1" },
        body: `{"n":${i}}`,
        targets: [{ source: "session" as const, index: 0, config: webhook }],
      })),
      { workerId: "w1", now },
    );
    // The first claim sleeps after its UPDATE, holding its row locks; a claim that finds the advisory lock taken does not.
    await db.$executeRawUnsafe(`CREATE FUNCTION claim_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_try_advisory_xact_lock(7071) THEN
          PERFORM pg_sleep(1.5);
        END IF;
        RETURN NULL;
      END $$`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER claim_gate AFTER UPDATE ON "WebhookDelivery" FOR EACH STATEMENT EXECUTE FUNCTION claim_gate()`,
    );

    const [a, b] = [testDb.reopen(), testDb.reopen()];
    const take = new Map([[webhook.url, 10]]);
    const first = claimDueDeliveries(a, { workerId: "w1", now: now + 1, take });
    // Start the second claim once the first is asleep inside its transaction (its rows locked, not committed).
    for (let i = 0; i < 100; i++) {
      const sleeping = await db.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`,
      );
      if (Number(sleeping[0].n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = claimDueDeliveries(b, { workerId: "w1", now: now + 1, take });
    const [claimedA, claimedB] = await Promise.all([first, second]);

    const ids = [...claimedA, ...claimedB].map((row) => row.id);
    expect(claimedA).toHaveLength(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(3);
  }, 20_000);
});
