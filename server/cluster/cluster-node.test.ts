import net from "node:net";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/server/db";
import { EngineHost } from "@/server/engines/engine-host";
import { insertSession, removeSession } from "@/server/sessions/session-repository";
import { FakeClock } from "@/test/support/fake-clock";
import { FakeEngineFactory } from "@/server/engines/fake/fake-engine";
import { postgresSkipReason } from "@/test/support/postgres";
import { testHostOptions } from "@/test/support/test-host";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { ClusterNode } from "./cluster-node";
import { createLoginSnapshots } from "./login-snapshots";
import { routeOf } from "./session-owners";
import { registerWorker } from "./workers";

/** Short leases, so a failover takes about two seconds of real time. */
const LEASE_MS = 1500;
const SESSIONS = ["s1", "s2", "s3", "s4", "s5", "s6"];

interface Worker {
  node: ClusterNode;
  host: EngineHost;
  db: Db;
  factory: FakeEngineFactory;
}

/** Waits (polling) until `check` passes; generous, so a busy machine still makes it. */
async function eventually(check: () => Promise<void> | void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A TCP hop to PostgreSQL that a test can cut, as a network partition would. */
async function cuttableLink(target: URL): Promise<{ url: string; cut(): void }> {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe.skipIf(postgresSkipReason() !== null)("ClusterNode: one owner per session, failover and drain", () => {
  let testDb: TestDb;
  const workers: Worker[] = [];

  async function startWorker(
    id: string,
    url = testDb.url,
    settings: Record<string, string> = { WAHA_API_KEY: "same" },
    ready = true,
  ): Promise<Worker> {
    const db = url === testDb.url ? testDb.reopen() : openDb(url);
    const factory = new FakeEngineFactory();
    const host = new EngineHost(testHostOptions({ factory, clock: new FakeClock() }));
    const node: ClusterNode = new ClusterNode({
      db,
      logins: createLoginSnapshots(db, (name) => node.tokenOf(name)),
      host,
      logger: pino({ level: "silent" }),
      workerId: id,
      url: `http://${id}`,
      capacity: null,
      leaseMs: LEASE_MS,
      settings,
      removeLocalCopy: (name) => factory.removeLocalCopy(name),
    });
    await node.join();
    if (ready) node.markReady();
    const worker = { node, host, db, factory };
    workers.push(worker);
    return worker;
  }

  /** Which workers run each session now (their EngineHost has it in any status but STOPPED). */
  const runners = (name: string) =>
    workers.filter((worker) => worker.host.runningNames().includes(name)).map((worker) => worker.node.workerId);

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
    for (const name of SESSIONS) await insertSession(testDb.db, { name, config: {}, running: true, worker: null });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      await worker.node.leave().catch(() => undefined);
      await worker.host.stopAll();
      if (worker.db !== testDb.db) await worker.db.$disconnect().catch(() => undefined);
    }
    await testDb.close();
  });

  it("drops its copy of a session deleted through another worker, unless the name is in use again", async () => {
    const { node, factory } = await startWorker("w1", testDb.url, undefined, false);
    await removeSession(testDb.db, SESSIONS[0]);
    await node.onSessionDeleted(SESSIONS[0]);
    expect(factory.removedLocalCopies).toEqual([SESSIONS[0]]);
    // Created again meanwhile: its profile may be the new session's.
    await node.onSessionDeleted(SESSIONS[1]);
    expect(factory.removedLocalCopies).toEqual([SESSIONS[0]]);
  });

  it("places every session that should run on exactly one worker, spread over the workers", async () => {
    // Both joined before either takes sessions: the first one ready would otherwise take them all.
    const first = await startWorker("w1", testDb.url, undefined, false);
    const second = await startWorker("w2", testDb.url, undefined, false);
    first.node.markReady();
    second.node.markReady();
    await eventually(() => {
      for (const name of SESSIONS) expect(runners(name)).toHaveLength(1);
    });
    const counts = ["w1", "w2"].map((id) => SESSIONS.filter((name) => runners(name)[0] === id).length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    for (const name of SESSIONS) expect((await routeOf(testDb.db, name))?.owner?.workerId).toBe(runners(name)[0]);
  });

  it("moves the sessions of a worker cut off from the database, which stops them first: never two runners at once", async () => {
    const link = await cuttableLink(new URL(testDb.url));
    const cutOff = await startWorker("w1", link.url);
    await eventually(() => {
      for (const name of SESSIONS) expect(runners(name)).toEqual(["w1"]);
    });
    await startWorker("w2");

    let overlaps = 0;
    const watch = setInterval(() => {
      for (const name of SESSIONS) if (runners(name).length > 1) overlaps++;
    }, 10);
    link.cut();
    await eventually(() => {
      for (const name of SESSIONS) expect(runners(name)).toEqual(["w2"]);
    });
    clearInterval(watch);
    expect(overlaps).toBe(0);
    expect(cutOff.node.state).toBe("fenced");
  });

  it("keeps a session the database says it owns under another claim of its own, rather than leave it owned and stopped", async () => {
    const { node, host, db } = await startWorker("w1");
    await eventually(() => expect(host.runningNames()).toHaveLength(SESSIONS.length));
    const before = node.tokenOf("s1")!;
    await db.$executeRaw`UPDATE "SessionOwner" SET "epoch" = "epoch" + 1 WHERE "sessionName" = 's1'`;
    // The heartbeat compares what it recorded with the database; a status report would meet the same.
    await eventually(() => expect(node.tokenOf("s1")?.epoch).toBe(before.epoch + 1));
    expect(runners("s1")).toEqual(["w1"]);
    await host.restart("s1", {}, "test");
    await eventually(async () => expect((await routeOf(db, "s1"))?.owner).toMatchObject({ workerId: "w1", epoch: before.epoch + 1 }));
    expect(runners("s1")).toEqual(["w1"]);
  });

  it("hands every session over on drain, and takes none back", async () => {
    const first = await startWorker("w1");
    await eventually(() => expect(first.host.runningNames()).toHaveLength(SESSIONS.length));
    await startWorker("w2");
    expect(await first.node.drain()).toBe(SESSIONS.length);
    expect(first.host.runningNames()).toEqual([]);
    await eventually(() => {
      for (const name of SESSIONS) expect(runners(name)).toEqual(["w2"]);
    });
    expect(first.node.state).toBe("draining");
  });

  it("writes the figures of every session it owns after a sampler round; any worker reads them", async () => {
    const first = await startWorker("w1");
    await eventually(() => expect(first.host.runningNames()).toHaveLength(SESSIONS.length));
    const second = await startWorker("w2");
    const sample = { timestamp: 1_000, rssBytes: 2048, pssBytes: 1024, cpuPercent: 1.5, processes: 3, eventsPerMinute: 0 };
    const samples = new Map([[SESSIONS[0], sample]]);
    await first.node.reportResources({ at: 1_000, browsers: 1, durationMs: 1, samples }, 15_000);
    const seen = await second.node.statusesOf();
    expect(seen.get(SESSIONS[0])).toMatchObject({ workerId: "w1", resources: { memory: { rss: 2048, pss: 1024 }, sampledAt: 1_000 } });
    // Owned, without a sample this round (no browser): none.
    expect(seen.get(SESSIONS[1])).toMatchObject({ workerId: "w1", resources: null });
  });

  it("started while its crashed predecessor's lease still runs, waits it out and then keeps its own lease", async () => {
    // A kill -9 leaves the Worker row's lease running; a rejoin after a late renewal waits out its own the same way.
    const crashed = { id: "w1", incarnation: "crashed", url: "http://w1", capacity: null, settings: { WAHA_API_KEY: "same" } };
    expect(await registerWorker(testDb.db, { ...crashed, leaseMs: LEASE_MS })).toBe(true);
    const restarted = await startWorker("w1");
    // Its lease is counted from the registration that succeeded, not from the first attempt (when its
    // watchdog's deadline would be past already: the watchdog fires before the first renewal comes back).
    expect(restarted.node.leaseView().leaseLeftMs).toBeGreaterThan(LEASE_MS / 2);
    await eventually(() => expect(restarted.host.runningNames()).toHaveLength(SESSIONS.length));
    const lostLeases: string[] = [];
    const since = performance.now();
    while (performance.now() - since < 2 * LEASE_MS) {
      if (restarted.node.state !== "ready") lostLeases.push(restarted.node.state);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lostLeases).toEqual([]);
    expect(restarted.host.runningNames()).toHaveLength(SESSIONS.length);
  });

  it("refuses a second live process with a worker's id, and a worker whose shared settings differ, naming them", async () => {
    await startWorker("w1");
    await expect(startWorker("w1")).rejects.toThrow(/another live process runs as worker w1/);
    await expect(startWorker("w2", testDb.url, { WAHA_API_KEY: "different" })).rejects.toThrow(
      /these settings differ from live worker w1's.*: WAHA_API_KEY/,
    );
  });
});
