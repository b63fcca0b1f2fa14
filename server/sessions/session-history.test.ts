import { testHostOptions } from "@/test/support/test-host";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EngineHost } from "@/server/engines/engine-host";
import { FakeEngineFactory } from "@/server/engines/fake/fake-engine";
import { createTestSessionsContext, type TestSessionsContext } from "@/test/support/sessions-context";
import { TEST_DIALECTS } from "@/test/support/test-db";
import type { SessionsContext } from "./context";
import { createSession } from "./create-session";
import { deleteSession } from "./delete-session";
import { getSession } from "./get-session";
import { getSessionHistory } from "./get-session-history";
import { listSessions } from "./list-sessions";
import { startSession } from "./start-session";
import { stopSession } from "./stop-session";
import { recordSessionHistory, type HistoryRecorder } from "./record-session-history";
import { appendHistory } from "./session-history";

/** The stored status timeline and last fault/disconnect, on a real database with the fake engine. */

const ME = { id: "15550001111@c.us", pushName: "Alice" };

let t: TestSessionsContext;
let ctx: SessionsContext;
let recorder: HistoryRecorder;

const history = (name = "a", query: { limit?: number; before?: string } = {}) =>
  getSessionHistory(ctx, name, { limit: query.limit ?? 50, before: query.before });

describe.each(TEST_DIALECTS)("recordSessionHistory (%s)", (dialect) => {
  beforeEach(async () => {
    t = await createTestSessionsContext({ SWITCHBOARD_HISTORY_ROWS: "5" }, dialect);
    ctx = t.ctx;
    recorder = recordSessionHistory(ctx);
  });
  afterEach(async () => {
    recorder.unsubscribe();
    await t.close();
  });

  it("stores each status change once, with the reason, failures in a row and the disconnect", async () => {
    await createSession(ctx, { name: "a", start: true });
    const engine = t.factory.last("a");
    engine.emit({ type: "qr", value: "ref-1", reason: "qr" });
    engine.emit({ type: "qr", value: "ref-2", reason: "qr" });
    engine.emit({ type: "authenticated", me: ME, reason: "authenticated" });
    engine.emit({
      type: "failed",
      reason: "WhatsApp Web was opened elsewhere (disconnected: CONFLICT)",
      restart: true,
      disconnect: "CONFLICT",
    });
    await t.clock.advance(0);
    await recorder.whenIdle();

    const entries = await history();
    expect(entries.map((e) => [e.status, e.reason, e.failures, e.disconnect])).toEqual([
      ["FAILED", "WhatsApp Web was opened elsewhere (disconnected: CONFLICT)", 1, "CONFLICT"],
      ["WORKING", "authenticated", 0, null],
      ["SCAN_QR_CODE", "qr", 0, null],
      ["STARTING", "created", 0, null],
    ]);
    expect(entries[0].id > entries[1].id).toBe(true);
    expect(entries[0].timestamp).toBe(t.clock.now());
    // The second QR is counted in the first one's row.
    expect(entries[2]).toMatchObject({ count: 2, lastTimestamp: t.clock.now() });
    expect(entries.filter((e) => "count" in e || "lastTimestamp" in e)).toHaveLength(1);
  });

  it("QR refreshes are counted in one row and never prune a real transition", async () => {
    await createSession(ctx, { name: "a", start: true });
    const engine = t.factory.last("a");
    engine.emit({ type: "authenticated", me: ME, reason: "authenticated" });
    engine.emit({ type: "failed", reason: "the phone logged out (disconnected: LOGOUT)", restart: true, disconnect: "LOGOUT" });
    await t.clock.advance(ctx.host.snapshot("a").health.restart.backoffMs);
    const firstQrAt = t.clock.now();
    // Seven minutes of codes nobody scans, one every 20 s; 5 rows are kept (SWITCHBOARD_HISTORY_ROWS above).
    for (let i = 0; i < 21; i++) {
      if (i) await t.clock.advance(20_000);
      t.factory.last("a").emit({ type: "qr", value: `ref-${i}`, reason: "qr" });
    }
    await recorder.whenIdle();

    const entries = await history();
    expect(entries.map((e) => [e.status, e.reason, e.count])).toEqual([
      ["SCAN_QR_CODE", "qr", 21],
      ["STARTING", expect.stringContaining("automatic restart"), undefined],
      ["FAILED", "the phone logged out (disconnected: LOGOUT)", undefined],
      ["WORKING", "authenticated", undefined],
      ["STARTING", "created", undefined],
    ]);
    expect(entries[0]).toMatchObject({ timestamp: firstQrAt, lastTimestamp: t.clock.now() });
    expect(entries[2].disconnect).toBe("LOGOUT");

    // After a stop, a new stretch of codes starts a row of its own.
    await stopSession(ctx, "a");
    await startSession(ctx, "a");
    t.factory.last("a").emit({ type: "qr", value: "again", reason: "qr" });
    await recorder.whenIdle();
    expect((await history("a", { limit: 3 })).map((e) => [e.status, e.count])).toEqual([
      ["SCAN_QR_CODE", undefined],
      ["STARTING", undefined],
      ["STOPPED", undefined],
    ]);
  });

  it("keeps the newest rows of each session, pages newest first", async () => {
    await createSession(ctx, { name: "a", start: true });
    for (let i = 0; i < 4; i++) {
      t.factory.last("a").emit({ type: "failed", reason: `crash ${i}`, restart: true });
      await t.clock.advance(ctx.host.snapshot("a").health.restart.backoffMs);
    }
    await recorder.whenIdle();
    const entries = await history();
    expect(entries).toHaveLength(5);
    expect(entries.map((e) => e.status)).toEqual(["STARTING", "FAILED", "STARTING", "FAILED", "STARTING"]);
    expect(entries[1].reason).toBe("crash 3");

    const first = await history("a", { limit: 2 });
    const next = await history("a", { limit: 2, before: first[1].id });
    expect([...first, ...next].map((e) => e.id)).toEqual(entries.slice(0, 4).map((e) => e.id));
  });

  it("the last failure and disconnect survive a server restart, in the session object and its history", async () => {
    await createSession(ctx, { name: "a", start: true });
    t.factory.last("a").emit({ type: "authenticated", me: ME, reason: "authenticated" });
    t.factory.last("a").emit({ type: "failed", reason: "the phone removed this linked device", restart: false, disconnect: "UNPAIRED" });
    await t.clock.advance(0);
    await recorder.whenIdle();
    const failedAt = t.clock.now();

    // A new process: a fresh EngineHost on the same database.
    const restarted: SessionsContext = {
      ...ctx,
      host: new EngineHost(testHostOptions({ factory: new FakeEngineFactory(), clock: t.clock })),
    };
    const session = await getSession(restarted, "a");
    expect(session.status).toBe("STOPPED");
    expect(session.health.lastFailure).toEqual({ reason: "the phone removed this linked device", timestamp: failedAt });
    expect(session.health.lastDisconnect).toEqual({ reason: "UNPAIRED", timestamp: failedAt });
    const [listed] = (await listSessions(restarted, { all: true, offset: 0 })).items;
    expect(listed.health.lastDisconnect?.reason).toBe("UNPAIRED");
    expect((await getSessionHistory(restarted, "a", { limit: 1 }))[0]).toMatchObject({ status: "FAILED", disconnect: "UNPAIRED" });
  });

  it("deleting a session deletes its history; unknown sessions are session_not_found", async () => {
    await createSession(ctx, { name: "a", start: true });
    await recorder.whenIdle();
    expect(await history()).toHaveLength(1);
    await deleteSession(ctx, "a");
    await recorder.whenIdle();
    await expect(history()).rejects.toMatchObject({ code: "session_not_found" });
    await createSession(ctx, { name: "a", start: false });
    expect(await history()).toEqual([]);
    const late = { session: "gone", timestamp: 0, status: "STOPPED" as const, reason: "deleted", failures: 0, disconnect: null };
    expect(await appendHistory(ctx.db, late, 5)).toBeNull();
  });
});
