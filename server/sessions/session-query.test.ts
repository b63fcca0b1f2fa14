import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { findStoredSession } from "./session-query";
import { configData, saveConfig, setDesiredState } from "./session-store";

describe("findStoredSession's cache", () => {
  let testDb: TestDb;
  let db: Db;

  beforeEach(async () => {
    testDb = await createTestDb();
    db = testDb.db;
    const data = configData({ metadata: { tenant: "a" } });
    await db.session.create({ data: { name: "one", config: data.config, running: false, metadata: { createMany: { data: data.metadata } } } });
  });
  afterEach(() => testDb.close());

  it("answers repeated reads from memory", async () => {
    const first = await findStoredSession(db, "one");
    expect(await findStoredSession(db, "one")).toBe(first);
  });

  it("sees every kind of write through the client at once", async () => {
    await findStoredSession(db, "one");
    await saveConfig(db, "one", { metadata: { tenant: "b" } });
    expect((await findStoredSession(db, "one"))!.config.metadata).toEqual({ tenant: "b" });

    await setDesiredState(db, "one", true, "w1");
    expect(await findStoredSession(db, "one")).toMatchObject({ running: true, worker: "w1" });

    await db.session.update({ where: { name: "one" }, data: { meId: "1@c.us", mePushName: "Me" } });
    expect((await findStoredSession(db, "one"))!.me).toEqual({ id: "1@c.us", pushName: "Me" });

    await db.session.deleteMany({ where: { name: "one" } });
    expect(await findStoredSession(db, "one")).toBeNull();
  });

  it("hands out frozen rows, so no caller can change what others read", async () => {
    const stored = await findStoredSession(db, "one");
    expect(() => {
      (stored!.config.metadata as Record<string, string>).tenant = "x";
    }).toThrow(TypeError);
  });
});
