import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { insertSession, setDesiredState } from "@/server/sessions/session-repository";
import { postgresSkipReason } from "@/test/support/postgres";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import {
  allOwnedStatuses,
  claimSession,
  claimSessions,
  findOrphans,
  ownedBy,
  ownedStatusesOf,
  releaseSession,
  reportResources,
  reportStatus,
  routeOf,
} from "./session-owners";
import { endLease, listWorkers, registerWorker, renewLease } from "./workers";

const LEASE_MS = 10_000;
const w1 = { id: "w1", incarnation: "i1" };
const w2 = { id: "w2", incarnation: "i2" };
const register = (db: TestDb["db"], worker: { id: string; incarnation: string }, capacity: number | null = null) =>
  registerWorker(db, { ...worker, url: `http://${worker.id}:3000`, capacity, settings: {}, leaseMs: LEASE_MS });

describe.skipIf(postgresSkipReason() !== null)("worker leases and session ownership on PostgreSQL", () => {
  let testDb: TestDb;
  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
    await register(testDb.db, w1);
    await register(testDb.db, w2);
    await insertSession(testDb.db, { name: "alpha", config: {}, running: true, worker: null });
  });
  afterEach(() => testDb.close());

  it("refuses a worker id whose lease still runs, and takes it over once the lease has lapsed", async () => {
    const { db } = testDb;
    expect(await register(db, { id: "w1", incarnation: "other" })).toBe(false);
    await endLease(db, w1);
    expect(await register(db, { id: "w1", incarnation: "other" })).toBe(true);
    // The old incarnation can never renew again.
    expect(await renewLease(db, { ...w1, leaseMs: LEASE_MS })).toEqual({ renewed: false });
  });

  it("gives a session to one of two workers claiming it at once, with a new epoch", async () => {
    const { db } = testDb;
    const other = testDb.reopen();
    const [a, b] = await Promise.all([claimSession(db, "alpha", w1, 1000), claimSession(other, "alpha", w2, 1000)]);
    expect([a, b].filter((epoch) => epoch !== null)).toEqual([1]);
    const winner = a !== null ? w1 : w2;
    const route = await routeOf(db, "alpha");
    expect(route?.owner).toMatchObject({ workerId: winner.id, epoch: 1, url: `http://${winner.id}:3000` });
    // How long its owner's lease still runs: a forwarder believes the route no longer (owner-routes.ts).
    expect(route?.owner?.leaseLeftMs).toBeGreaterThan(LEASE_MS / 2);
    expect(route?.owner?.leaseLeftMs).toBeLessThanOrEqual(LEASE_MS);
    expect(await findOrphans(db)).toEqual([]);
  });

  it("a claim that waited on another's claim of the same row does not take it from its new, live owner", async () => {
    const { db } = testDb;
    // Another worker's claim, its transaction still open: it holds the row, and the claim below waits on it.
    const holder = new pg.Client({ connectionString: testDb.url });
    await holder.connect();
    try {
      await holder.query(`INSERT INTO "SessionOwner" ("sessionName") VALUES ('alpha')`);
      await holder.query("BEGIN");
      await holder.query(
        `UPDATE "SessionOwner" SET "workerId" = 'w1', "incarnation" = 'i1', "epoch" = "epoch" + 1 WHERE "sessionName" = 'alpha'`,
      );
      const waiting = claimSession(db, "alpha", w2, 1000);
      await vi.waitFor(
        async () => {
          const { rows } = await holder.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`);
          expect(rows[0].n).toBeGreaterThan(0);
        },
        { timeout: 10_000 },
      );
      await holder.query("COMMIT");
      expect(await waiting).toBeNull();
    } finally {
      await holder.end();
    }
    expect((await routeOf(db, "alpha"))?.owner).toMatchObject({ workerId: "w1", epoch: 1 });
  });

  it("refuses the writes of an owner whose session was claimed by another after its lease lapsed", async () => {
    const { db } = testDb;
    const epoch = (await claimSession(db, "alpha", w1, 1000))!;
    expect(await claimSession(db, "alpha", w2, 1000)).toBeNull();
    expect(await reportStatus(db, "alpha", w1, epoch, "WORKING")).toBe(true);

    await endLease(db, w1);
    expect((await routeOf(db, "alpha"))?.owner).toBeNull();
    expect(await findOrphans(db)).toEqual([{ name: "alpha", lastWorker: "w1" }]);
    expect(await claimSession(db, "alpha", w2, 1000)).toBe(epoch + 1);

    expect(await reportStatus(db, "alpha", w1, epoch, "FAILED")).toBe(false);
    expect(await releaseSession(db, "alpha", w1, epoch, "STOPPED")).toBe(false);
    expect(await ownedBy(db, w2)).toEqual(new Map([["alpha", epoch + 1]]));
  });

  it("reads the live owners' statuses of the sessions asked, or of every owned session", async () => {
    const { db } = testDb;
    for (const name of ["beta", "gamma"]) await insertSession(db, { name, config: {}, running: true, worker: null });
    const alpha = (await claimSession(db, "alpha", w1, 1000))!;
    const beta = (await claimSession(db, "beta", w2, 1000))!;
    await reportStatus(db, "alpha", w1, alpha, "WORKING");
    await reportStatus(db, "beta", w2, beta, "SCAN_QR_CODE");
    expect(await ownedStatusesOf(db, ["alpha", "gamma", "nobody"])).toEqual(
      new Map([["alpha", { workerId: "w1", status: "WORKING", resources: null }]]),
    );
    expect(await ownedStatusesOf(db, [])).toEqual(new Map());
    expect(await allOwnedStatuses(db)).toEqual(
      new Map([
        ["alpha", { workerId: "w1", status: "WORKING", resources: null }],
        ["beta", { workerId: "w2", status: "SCAN_QR_CODE", resources: null }],
      ]),
    );
    // A lapsed lease: its sessions have no live owner.
    await endLease(db, w2);
    expect(await ownedStatusesOf(db, ["alpha", "beta"])).toEqual(
      new Map([["alpha", { workerId: "w1", status: "WORKING", resources: null }]]),
    );
    expect([...(await allOwnedStatuses(db)).keys()]).toEqual(["alpha"]);
  });

  it("lets nobody claim for a worker that is draining or whose lease is about to lapse", async () => {
    const { db } = testDb;
    expect(await claimSession(db, "alpha", w1, LEASE_MS + 1000)).toBeNull();
    await endLease(db, w2);
    expect(await claimSession(db, "alpha", w2, 1000)).toBeNull();
  });

  it("releases a stopped session so that any worker may run it next, and counts what each worker owns", async () => {
    const { db } = testDb;
    const epoch = (await claimSession(db, "alpha", w1, 1000))!;
    expect((await listWorkers(db)).map((w) => [w.id, w.state, w.sessions])).toEqual([
      ["w1", "alive", 1],
      ["w2", "alive", 0],
    ]);
    await setDesiredState(db, "alpha", false, null);
    expect(await releaseSession(db, "alpha", w1, epoch, "STOPPED")).toBe(true);
    expect(await routeOf(db, "alpha")).toMatchObject({ running: false, owner: null });
    expect(await findOrphans(db)).toEqual([]);
  });

  it("claims many sessions in one go, each only if nobody live owns it", async () => {
    const { db } = testDb;
    for (const name of ["beta", "gamma"]) await insertSession(db, { name, config: {}, running: true, worker: null });
    await claimSession(db, "beta", w2, 1000);
    expect(await claimSessions(db, ["alpha", "beta", "gamma"], w1, 1000)).toEqual(
      new Map([
        ["alpha", 1],
        ["gamma", 1],
      ]),
    );
    expect(await ownedBy(db, w2)).toEqual(new Map([["beta", 1]]));
  });

  const sample = (pss: number) => ({
    rssBytes: pss * 2,
    pssBytes: pss,
    cpuPercent: 12.34,
    processes: 7,
    timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  });

  it("writes an owner's figures in one statement, only to the rows it owns at its epoch, and reads them back", async () => {
    const { db } = testDb;
    for (const name of ["beta", "gamma"]) await insertSession(db, { name, config: {}, running: true, worker: null });
    const alpha = (await claimSession(db, "alpha", w1, 1000))!;
    const beta = (await claimSession(db, "beta", w1, 1000))!;
    const gamma = (await claimSession(db, "gamma", w2, 1000))!;
    const written = await reportResources(
      db,
      w1,
      [
        { name: "alpha", epoch: alpha, sample: sample(100_000_000) },
        { name: "beta", epoch: beta + 1, sample: sample(5) }, // not its epoch
        { name: "gamma", epoch: gamma, sample: sample(5) }, // w2's
      ],
      60_000,
    );
    expect(written).toBe(1);
    const statuses = await allOwnedStatuses(db);
    expect(statuses.get("alpha")?.resources).toEqual({
      memory: { rss: 200_000_000, pss: 100_000_000 },
      cpu: 12.3,
      processes: 7,
      sampledAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    });
    expect(statuses.get("beta")?.resources).toBeNull();
    expect(statuses.get("gamma")?.resources).toBeNull();

    // A session without a browser now: its figures go.
    await reportResources(db, w1, [{ name: "alpha", epoch: alpha, sample: null }], 60_000);
    expect((await ownedStatusesOf(db, ["alpha"])).get("alpha")?.resources).toBeNull();
  });

  it("shows no figures once they are stale, nor any of a dead owner or of the last owner", async () => {
    const { db } = testDb;
    const epoch = (await claimSession(db, "alpha", w1, 1000))!;
    await reportResources(db, w1, [{ name: "alpha", epoch, sample: sample(1000) }], 1);
    await vi.waitFor(async () => expect((await ownedStatusesOf(db, ["alpha"])).get("alpha")?.resources).toBeNull(), { timeout: 10_000 });

    await reportResources(db, w1, [{ name: "alpha", epoch, sample: sample(1000) }], 60_000);
    expect((await ownedStatusesOf(db, ["alpha"])).get("alpha")?.resources?.memory.pss).toBe(1000);
    await endLease(db, w1);
    expect(await ownedStatusesOf(db, ["alpha"])).toEqual(new Map());
    expect(await allOwnedStatuses(db)).toEqual(new Map());
    // The next owner shows none of the last owner's figures before its own.
    expect(await claimSession(db, "alpha", w2, 1000)).toBe(epoch + 1);
    expect((await ownedStatusesOf(db, ["alpha"])).get("alpha")).toMatchObject({ workerId: "w2", resources: null });
  });

  it("drops the figures on a release", async () => {
    const { db } = testDb;
    const epoch = (await claimSession(db, "alpha", w1, 1000))!;
    await reportResources(db, w1, [{ name: "alpha", epoch, sample: sample(1000) }], 60_000);
    expect(await releaseSession(db, "alpha", w1, epoch, "STOPPED")).toBe(true);
    const row = await db.sessionOwner.findUniqueOrThrow({ where: { sessionName: "alpha" } });
    expect(row.resourcesUntil).toBeNull();
  });
});
