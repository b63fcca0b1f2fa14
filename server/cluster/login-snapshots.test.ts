import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { insertSession, removeSession } from "@/server/sessions/session-repository";
import { postgresSkipReason } from "@/test/support/postgres";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { createLoginSnapshots, loginSnapshotInfo, type OwnerToken } from "./login-snapshots";
import { claimSession, releaseSession } from "./session-owners";
import { endLease, registerWorker } from "./workers";

const LEASE_MS = 10_000;
const w1 = { id: "w1", incarnation: "i1" };
const w2 = { id: "w2", incarnation: "i2" };

function snapshot(text: string) {
  const data = Buffer.from(text);
  return { data, sha256: createHash("sha256").update(data).digest("hex"), files: 1, packMs: 3 };
}

describe.skipIf(postgresSkipReason() !== null)("saved logins on PostgreSQL, fenced by the owner's token", () => {
  let testDb: TestDb;
  /** The token each worker holds for "alpha" now, as ClusterNode.tokenOf would give it. */
  const tokens = new Map<string, OwnerToken>();
  const storeOf = (worker: string) => createLoginSnapshots(testDb.db, () => tokens.get(worker) ?? null);

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
    tokens.clear();
    for (const worker of [w1, w2]) {
      await registerWorker(testDb.db, { ...worker, url: `http://${worker.id}:3000`, capacity: null, settings: {}, leaseMs: LEASE_MS });
    }
    await insertSession(testDb.db, { name: "alpha", config: {}, running: true, worker: null });
  });
  afterEach(() => testDb.close());

  it("saves under the owner's token, counts the saves of one login, and reads back the newest bytes", async () => {
    tokens.set("w1", { ...w1, epoch: (await claimSession(testDb.db, "alpha", w1, 1000))! });
    const run = storeOf("w1").forRun("alpha");
    expect(await run.newest()).toBeNull();

    const first = await run.save(snapshot("one"));
    const second = await run.save(snapshot("two"));
    expect(first).toMatchObject({ generation: 1, size: 3 });
    expect(second).toMatchObject({ generation: 2, loginId: first!.loginId, sha256: snapshot("two").sha256 });
    const loaded = await run.load();
    expect(loaded?.data.toString()).toBe("two");
    expect(loaded?.header).toMatchObject({ generation: 2, loginId: first!.loginId });

    await run.recordRestore(2, 42);
    expect(await loginSnapshotInfo(testDb.db, "alpha")).toMatchObject({
      generation: 2,
      size: 3,
      files: 1,
      savedBy: "w1",
      restoredBy: "w1",
      restoreMs: 42,
    });
  });

  it("keeps what the API shows of a login while its session is owned at one epoch; its own writes and a new epoch read again", async () => {
    const epoch = (await claimSession(testDb.db, "alpha", w1, 1000))!;
    tokens.set("w1", { ...w1, epoch });
    const store = storeOf("w1");
    const run = store.forRun("alpha");
    await run.save(snapshot("one"));
    expect(await store.infoOf("alpha", epoch)).toMatchObject({ generation: 1, size: 3 });

    // A change behind this store's back (no worker's run writes an owned session's row but its owner's) stays unseen ...
    await testDb.db.$executeRaw`UPDATE "AuthSnapshot" SET "size" = 99 WHERE "sessionName" = 'alpha'`;
    expect(await store.infoOf("alpha", epoch)).toMatchObject({ size: 3 });
    // ... while a session not owned here, or owned at another epoch, is read every time.
    expect(await store.infoOf("alpha", null)).toMatchObject({ size: 99 });
    expect(await store.infoOf("alpha", epoch + 1)).toMatchObject({ size: 99 });

    // The owner's own writes are seen at once: a save, a restore, a remove.
    await run.save(snapshot("three"));
    expect(await store.infoOf("alpha", epoch)).toMatchObject({ generation: 2, size: 5 });
    await run.recordRestore(2, 42);
    expect(await store.infoOf("alpha", epoch)).toMatchObject({ restoredBy: "w1", restoreMs: 42 });
    await store.remove("alpha");
    expect(await store.infoOf("alpha", epoch)).toBeNull();
  });

  it("refuses the save of a run whose worker lost the session to another, and keeps the new owner's login", async () => {
    const epoch = (await claimSession(testDb.db, "alpha", w1, 1000))!;
    tokens.set("w1", { ...w1, epoch });
    const stale = storeOf("w1").forRun("alpha");
    expect(await stale.save(snapshot("old owner"))).toMatchObject({ generation: 1 });

    // w1 is paused past its lease; w2 takes the session over and saves.
    await endLease(testDb.db, w1);
    tokens.set("w2", { ...w2, epoch: (await claimSession(testDb.db, "alpha", w2, 1000))! });
    const current = storeOf("w2").forRun("alpha");
    expect(await current.save(snapshot("new owner"))).toMatchObject({ generation: 2 });

    // w1 resumes and saves with the token its run started under: refused, nothing changes.
    expect(await stale.save(snapshot("late write"))).toBeNull();
    expect((await current.load())?.data.toString()).toBe("new owner");
  });

  it("refuses a save after the session was released, and one of a run that never owned it", async () => {
    const epoch = (await claimSession(testDb.db, "alpha", w1, 1000))!;
    tokens.set("w1", { ...w1, epoch });
    const run = storeOf("w1").forRun("alpha");
    expect(await releaseSession(testDb.db, "alpha", w1, epoch, "STOPPED")).toBe(true);
    expect(await run.save(snapshot("after release"))).toBeNull();
    expect(await storeOf("w2").forRun("alpha").save(snapshot("never owned"))).toBeNull();
    expect(await run.newest()).toBeNull();
  });

  it("forgets the login on remove (logout) and with the session (delete); a new login gets a new id", async () => {
    tokens.set("w1", { ...w1, epoch: (await claimSession(testDb.db, "alpha", w1, 1000))! });
    const run = storeOf("w1").forRun("alpha");
    const first = await run.save(snapshot("login 1"));
    await storeOf("w1").remove("alpha");
    expect(await run.newest()).toBeNull();
    const next = await run.save(snapshot("login 2"));
    expect(next).toMatchObject({ generation: 1 });
    expect(next!.loginId).not.toBe(first!.loginId);

    await removeSession(testDb.db, "alpha");
    expect(await loginSnapshotInfo(testDb.db, "alpha")).toBeNull();
  });
});
