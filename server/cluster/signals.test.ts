import type { Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TSessionConfig } from "@/lib/session-config";
import type { Db } from "@/server/db";
import { ZApiKeyRequestSchema } from "@/lib/api-keys";
import { activeKeysByPrefix } from "@/server/keys/api-key-rows";
import { createApiKey, deleteApiKey, updateApiKey } from "@/server/keys/manage-keys";
import { PrincipalResolver } from "@/server/keys/principals";
import { ensureSession, findStoredSession, insertSession, removeSession, saveConfig } from "@/server/sessions/session-repository";
import { postgresSkipReason } from "@/test/support/postgres";
import { startTcpProxy, type TcpProxy } from "@/test/support/tcp-proxy";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import type { ListenerState } from "./pg-listener";
import { startClusterSignals, type ClusterSignals } from "./signals";

/**
 * Fresh reads across workers: two clients from openDb() on one PostgreSQL database, as two workers
 * hold them. A write through one is read through the other within a second; while the reader's
 * listener is down its reads go to the database, so it never answers from a stale cache.
 */
describe.skipIf(postgresSkipReason() !== null)("cluster signals", () => {
  let testDb: TestDb;
  let writer: Db;
  let reader: Db;
  let proxy: TcpProxy;
  let signals: ClusterSignals;
  let states: ListenerState[];
  let logger: { warn: ReturnType<typeof vi.fn> } & Record<string, unknown>;
  const WAIT = { timeout: 10_000, interval: 10 };

  beforeEach(async () => {
    testDb = await createTestDb("postgresql");
    writer = testDb.db;
    reader = testDb.reopen();
    const url = new URL(testDb.url);
    // The reader's listener goes through a relay, so a test can take it down while both clients work.
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const silent = { info: vi.fn(), warn: vi.fn(), debug: vi.fn(), error: vi.fn() };
    logger = { ...silent, child: () => logger };
    signals = startClusterSignals({
      databaseUrl: proxy.via(testDb.url),
      db: reader,
      realtime: null,
      logger: logger as unknown as Logger,
      listener: { minDelayMs: 20, maxDelayMs: 100 },
    });
    states = [];
    signals.onListenerState((state) => states.push(state));
    await vi.waitFor(() => expect(states).toContain("connected"), WAIT);
    await insertSession(writer, { name: "s1", config: config(0), running: false, worker: null });
  });
  afterEach(async () => {
    await signals.close();
    await proxy.close();
    await testDb.close();
  });

  const config = (n: number) => ({ metadata: { n: String(n) } }) as TSessionConfig;
  const readN = async () => Number((await findStoredSession(reader, "s1"))?.config.metadata?.n);

  it("a write through one worker is read through another within 1 s, and reads between come from the cache", async () => {
    for (let n = 1; n <= 5; n++) {
      // Served from memory (once the signal of the previous write, which drops it, has come).
      await vi.waitFor(async () => {
        const cached = await findStoredSession(reader, "s1");
        expect(await findStoredSession(reader, "s1")).toBe(cached);
      }, WAIT);
      await saveConfig(writer, "s1", config(n));
      const written = performance.now();
      await vi.waitFor(async () => expect(await readN()).toBe(n), WAIT);
      expect(performance.now() - written).toBeLessThan(1000);
    }
  });

  it("a key revoked (deactivated, deleted, or its session deleted) through one worker is refused by another within 1 s", async () => {
    await ensureSession(writer, "s2", null);
    const ctx = { db: writer, rootSecret: "" };
    const resolver = new PrincipalResolver({ db: reader, root: { sha512Hex: "0".repeat(128) }, logger: logger as unknown as Logger });
    const keys = await Promise.all(["s1", "s1", "s2"].map((session) => createApiKey(ctx, ZApiKeyRequestSchema.parse({ session }))));
    const revocations = [
      () => updateApiKey(ctx, keys[0].id, ZApiKeyRequestSchema.parse({ session: "s1", isActive: false })),
      () => deleteApiKey(ctx, keys[1].id),
      () => removeSession(writer, "s2"),
    ];
    for (const [i, revoke] of revocations.entries()) {
      // Held in memory by the reader (the same rows object twice).
      await vi.waitFor(async () => expect(await resolver.resolve(keys[i].key)).not.toBeNull(), WAIT);
      const held = await activeKeysByPrefix(reader);
      expect(await activeKeysByPrefix(reader)).toBe(held);
      await revoke();
      const revoked = performance.now();
      await vi.waitFor(async () => expect(await resolver.resolve(keys[i].key)).toBeNull(), WAIT);
      expect(performance.now() - revoked).toBeLessThan(1000);
    }
  });

  it("while the listener is down, every read goes to the database (never stale); reconnected, the cache is used again", async () => {
    expect(await readN()).toBe(0);
    proxy.down();
    await vi.waitFor(() => expect(states.at(-1)).toBe("disconnected"), WAIT);
    for (let n = 1; n <= 10; n++) {
      await saveConfig(writer, "s1", config(n));
      expect(await readN()).toBe(n);
      expect(await findStoredSession(reader, "s1")).not.toBe(await findStoredSession(reader, "s1")); // nothing kept
    }

    proxy.up();
    await vi.waitFor(() => expect(states.at(-1)).toBe("connected"), WAIT);
    const cached = await findStoredSession(reader, "s1");
    expect(cached?.config.metadata?.n).toBe("10");
    expect(await findStoredSession(reader, "s1")).toBe(cached);
    await saveConfig(writer, "s1", config(11));
    await vi.waitFor(async () => expect(await readN()).toBe(11), WAIT);
  });

  it("hands sb_owner and sb_worker changes, parsed, to their subscribers; ignores a payload that does not parse", async () => {
    const owners: unknown[] = [];
    const workers: string[] = [];
    signals.onOwner((change) => owners.push(change));
    const stop = signals.onWorker((id) => workers.push(id));
    const now = new Date();
    await writer.worker.create({
      data: { id: "w1", incarnation: "i1", url: "http://w1", leaseUntil: now, heartbeatAt: now, startedAt: now },
    });
    await writer.sessionOwner.create({ data: { sessionName: "s1", workerId: "w1", incarnation: "i1", epoch: 1 } });
    await writer.$executeRawUnsafe(`SELECT pg_notify('sb_owner', 'not json')`);
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1), WAIT);
    expect(owners).toEqual([{ session: "s1", workerId: "w1", epoch: 1, status: "STOPPED" }]);
    expect(workers).toEqual(["w1"]);

    stop();
    await writer.worker.update({ where: { id: "w1" }, data: { draining: true } });
    await writer.sessionOwner.delete({ where: { sessionName: "s1" } });
    await vi.waitFor(() => expect(owners).toHaveLength(2), WAIT);
    expect(owners[1]).toEqual({ session: "s1", deleted: true });
    expect(workers).toEqual(["w1"]);
  });
});
