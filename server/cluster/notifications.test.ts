import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db";
import { postgresSkipReason } from "@/test/support/postgres";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import {
  CACHE_CHANNEL,
  OWNER_CHANNEL,
  parseOwnerNotification,
  parseWorkerNotification,
  WORKER_CHANNEL,
  ZCacheNotificationSchema,
} from "./notifications";

/**
 * The triggers of the PostgreSQL-only migrations 20261204000000_cluster_notify and 20261207000000_owner_resources, on a migrated database:
 * which writes NOTIFY, with what, and which stay quiet; and the parsers accept what they send.
 */
describe.skipIf(postgresSkipReason() !== null)("cluster notifications (PostgreSQL triggers)", () => {
  let testDb: TestDb;
  let db: Db;
  let listener: pg.Client;
  let received: { channel: string; payload: string }[];

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
    db = testDb.db;
    received = [];
    listener = new pg.Client({ connectionString: testDb.url });
    await listener.connect();
    listener.on("notification", (message) => received.push({ channel: message.channel, payload: message.payload ?? "" }));
    for (const channel of [CACHE_CHANNEL, OWNER_CHANNEL, WORKER_CHANNEL]) await listener.query(`LISTEN ${channel}`);
  });
  afterEach(async () => {
    await listener.end();
    await testDb.close();
  });

  /**
   * Every payload on `channel` since the last call. A marker NOTIFY, sent after the writes, arrives after
   * theirs (notifications come in commit order), so what is missing then was never sent.
   */
  let marks = 0;
  async function sent(channel: string): Promise<string[]> {
    const marker = `mark-${++marks}`;
    await db.$executeRawUnsafe(`SELECT pg_notify('${channel}', '${marker}')`);
    await vi.waitFor(() => expect(received.some((n) => n.channel === channel && n.payload === marker)).toBe(true), { timeout: 5000 });
    const end = received.findIndex((n) => n.channel === channel && n.payload === marker);
    const payloads = received
      .slice(0, end)
      .filter((n) => n.channel === channel)
      .map((n) => n.payload);
    received = received.slice(end + 1).concat(received.slice(0, end).filter((n) => n.channel !== channel));
    return payloads;
  }

  const createSession = (name: string) => db.session.create({ data: { name, metadata: { create: [{ key: "team", value: "a" }] } } });

  it("sb_cache: the table, once per transaction, for every write to Session or SessionMetadata (raw SQL too)", async () => {
    await createSession("s1");
    expect(await sent(CACHE_CHANNEL)).toEqual(["Session", "SessionMetadata"]);

    await db.$transaction([
      db.session.update({ where: { name: "s1" }, data: { running: true } }),
      db.session.update({ where: { name: "s1" }, data: { running: false } }),
      db.sessionMetadata.deleteMany({ where: { sessionName: "s1" } }),
    ]);
    expect(await sent(CACHE_CHANNEL)).toEqual(["Session", "SessionMetadata"]);

    await db.$executeRawUnsafe(`UPDATE "Session" SET "mePushName" = 'x' WHERE name = 's1'`);
    const payloads = await sent(CACHE_CHANNEL);
    expect(payloads).toEqual(["Session"]);
    expect(payloads.map((p) => ZCacheNotificationSchema.parse(p))).toEqual(["Session"]);

    // Other tables say nothing here.
    await db.sessionHistory.create({ data: { id: "hst_1", sessionName: "s1", timestamp: new Date(), status: "STOPPED" } });
    expect(await sent(CACHE_CHANNEL)).toEqual([]);
  });

  it("sb_owner: owner, epoch and status on insert and on each change of them; deleted with the row", async () => {
    await createSession("s1");
    await db.sessionOwner.create({ data: { sessionName: "s1" } });
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { workerId: "w1", incarnation: "i1", epoch: 1 } });
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { status: "WORKING", statusAt: new Date() } });
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { statusAt: new Date(), claimedAt: new Date() } }); // quiet
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { workerId: null, epoch: 2 } });
    await db.session.delete({ where: { name: "s1" } }); // the owner row goes with it (cascade)

    const parsed = (await sent(OWNER_CHANNEL)).map(parseOwnerNotification);
    expect(parsed).toEqual([
      { ok: true, value: { session: "s1", workerId: null, epoch: 0, status: "STOPPED" } },
      { ok: true, value: { session: "s1", workerId: "w1", epoch: 1, status: "STOPPED" } },
      { ok: true, value: { session: "s1", workerId: "w1", epoch: 1, status: "WORKING" } },
      { ok: true, value: { session: "s1", workerId: null, epoch: 2, status: "WORKING" } },
      { ok: true, value: { session: "s1", deleted: true } },
    ]);
  });

  it("sb_owner: quiet on the owner's figures of its browsers (20261207000000_owner_resources)", async () => {
    await createSession("s1");
    await db.sessionOwner.create({ data: { sessionName: "s1", workerId: "w1", incarnation: "i1", epoch: 1 } });
    expect(await sent(OWNER_CHANNEL)).toHaveLength(1);
    await db.$executeRawUnsafe(
      `UPDATE "SessionOwner" SET "memoryRss" = 1, "memoryPss" = 1, "cpu" = 1, "processes" = 1, "sampledAt" = now(), "resourcesUntil" = now()`,
    );
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { memoryPss: 2, resourcesUntil: new Date() } });
    expect(await sent(OWNER_CHANNEL)).toEqual([]);
    // The trigger still fires on what it reports.
    await db.sessionOwner.update({ where: { sessionName: "s1" }, data: { status: "WORKING", memoryPss: 3 } });
    expect((await sent(OWNER_CHANNEL)).map(parseOwnerNotification)).toEqual([
      { ok: true, value: { session: "s1", workerId: "w1", epoch: 1, status: "WORKING" } },
    ]);
  });

  it("sb_worker: the id on insert, delete and changes of draining, url, capacity or incarnation, never on a heartbeat", async () => {
    const now = new Date();
    const lease = { leaseUntil: now, heartbeatAt: now, startedAt: now };
    await db.worker.create({ data: { id: "w1", incarnation: "i1", url: "http://w1", ...lease } });
    await db.worker.update({ where: { id: "w1" }, data: { leaseUntil: new Date(now.getTime() + 10_000), heartbeatAt: new Date() } }); // quiet
    await db.worker.update({ where: { id: "w1" }, data: { draining: false, url: "http://w1" } }); // unchanged values: quiet
    await db.worker.update({ where: { id: "w1" }, data: { draining: true } });
    await db.worker.update({ where: { id: "w1" }, data: { capacity: 10 } });
    await db.worker.update({ where: { id: "w1" }, data: { url: "http://w1b" } });
    await db.worker.update({ where: { id: "w1" }, data: { incarnation: "i2", ...lease } });
    await db.worker.update({ where: { id: "w1" }, data: { settings: '{"a":1}' } }); // quiet
    await db.worker.delete({ where: { id: "w1" } });

    const payloads = await sent(WORKER_CHANNEL);
    expect(payloads).toEqual(["w1", "w1", "w1", "w1", "w1", "w1"]);
    expect(payloads.map(parseWorkerNotification)).toEqual(payloads.map((value) => ({ ok: true, value })));
  });
});

describe("the notification parsers", () => {
  it("refuse what the triggers do not send", () => {
    expect(parseOwnerNotification("not json")).toEqual({ ok: false, issues: ["(payload): not JSON"] });
    expect(parseOwnerNotification('{"session":"s1","workerId":"w1","epoch":1,"status":"SLEEPING"}').ok).toBe(false);
    expect(parseOwnerNotification('{"session":"s1","deleted":false}').ok).toBe(false);
    expect(parseWorkerNotification("")).toEqual({ ok: false, issues: [expect.stringMatching(/^\(payload\): /)] });
  });
});
