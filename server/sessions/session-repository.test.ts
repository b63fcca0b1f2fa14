import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import {
  ensureSession,
  findStoredSession,
  insertSession,
  removeSession,
  saveAccount,
  saveConfig,
  selectStoredSessions,
  setDesiredState,
} from "./session-repository";

describe.each(TEST_DIALECTS)("the read cache of findStoredSession and selectStoredSessions (%s)", (dialect) => {
  let testDb: TestDb;
  let db: Db;

  beforeEach(async () => {
    testDb = await createTestDb(dialect);
    db = testDb.db;
    await insertSession(db, { name: "one", config: { metadata: { tenant: "a" } }, running: false, worker: null });
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

    await saveAccount(db, "one", { id: "1@c.us", pushName: "Me" });
    expect((await findStoredSession(db, "one"))!.me).toEqual({ id: "1@c.us", pushName: "Me" });
    await saveAccount(db, "one", { id: "1@c.us", lid: "2@lid", jid: "1:4@s.whatsapp.net", pushName: "Me" });
    expect((await findStoredSession(db, "one"))!.me).toEqual({ id: "1@c.us", lid: "2@lid", jid: "1:4@s.whatsapp.net", pushName: "Me" });

    await removeSession(db, "one");
    expect(await findStoredSession(db, "one")).toBeNull();
  });

  it("answers a repeated page from memory and drops it on any write", async () => {
    const filter = { metadata: { tenant: "a" }, offset: 0 };
    const first = await selectStoredSessions(db, filter);
    expect(await selectStoredSessions(db, { ...filter })).toBe(first);
    await insertSession(db, { name: "two", config: { metadata: { tenant: "a" } }, running: false, worker: null });
    expect((await selectStoredSessions(db, filter)).items.map((s) => s.name)).toEqual(["one", "two"]);
    await saveConfig(db, "one", { metadata: { tenant: "b" } });
    expect(await selectStoredSessions(db, filter)).toMatchObject({ items: [{ name: "two" }], total: 1 });
  });

  it("hands out frozen rows, so no caller can change what others read", async () => {
    const stored = await findStoredSession(db, "one");
    expect(() => {
      (stored!.config.metadata as Record<string, string>).tenant = "x";
    }).toThrow(TypeError);
  });
});

describe.each(TEST_DIALECTS)("session rows (%s)", (dialect) => {
  let testDb: TestDb;
  let db: Db;

  beforeEach(async () => {
    testDb = await createTestDb(dialect);
    db = testDb.db;
  });
  afterEach(() => testDb.close());

  it("refuses a second session of the same name with session_exists", async () => {
    await insertSession(db, { name: "dup", config: {}, running: false, worker: null });
    await expect(insertSession(db, { name: "dup", config: { debug: true }, running: true, worker: null })).rejects.toMatchObject({
      code: "session_exists",
    });
    expect((await findStoredSession(db, "dup"))!.config).toEqual({});
  });

  it("ensureSession creates a missing session running and leaves an existing one alone", async () => {
    await insertSession(db, { name: "kept", config: { debug: true }, running: false, worker: null });
    await ensureSession(db, "kept", "w1");
    await ensureSession(db, "new", "w1");
    expect(await findStoredSession(db, "kept")).toMatchObject({ config: { debug: true }, running: false });
    expect(await findStoredSession(db, "new")).toMatchObject({ config: {}, running: true, worker: "w1" });
  });

  it("selects the sessions running on a worker (none: those of the unnamed worker)", async () => {
    await insertSession(db, { name: "a", config: {}, running: true, worker: "w1" });
    await insertSession(db, { name: "b", config: {}, running: true, worker: null });
    await insertSession(db, { name: "c", config: {}, running: false, worker: "w1" });
    const names = async (runningOn: string | null) => (await selectStoredSessions(db, { runningOn, offset: 0 })).items.map((s) => s.name);
    expect(await names("w1")).toEqual(["a"]);
    expect(await names(null)).toEqual(["b"]);
  });

  it("finds a phone number by its digits, however it is written", async () => {
    for (const name of ["berlin", "boston", "numbered-1234-5678"])
      await insertSession(db, { name, config: {}, running: false, worker: null });
    await saveAccount(db, "berlin", { id: "4915112345678@c.us", pushName: "Berlin desk" });
    await saveAccount(db, "boston", { id: "15550001111@c.us", pushName: "Boston desk" });
    const found = async (q: string) => (await selectStoredSessions(db, { q, offset: 0 })).items.map((s) => s.name);

    // As the list shows it, with the usual separators, in part, and as bare digits.
    for (const q of ["+4915112345678", "+49 151 1234-5678", "+49 (151) 1234 56 78", "151/1234.5678", "+49151", "4915112"]) {
      expect(await found(q), q).toEqual(["berlin"]);
    }
    expect(await found("+1 (555) 000-1111")).toEqual(["boston"]);
    // Text that only has digits among other words is no phone number; names still match as written.
    expect(await found("+49 desk")).toEqual([]);
    expect(await found("1234-5678")).toEqual(["berlin", "numbered-1234-5678"]);
    expect(await found("+44 20 7946 0000")).toEqual([]);
  });
});
