import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestSessionsContext, type TestSessionsContext } from "@/test/support/sessions-context";
import type { SessionsContext } from "./context";
import { createSession } from "./create-session";
import { deleteSession } from "./delete-session";
import { upsertAndStartSession } from "./deprecated";
import { getMe } from "./get-me";
import { getQrValue } from "./get-qr";
import { getSession } from "./get-session";
import { listSessions } from "./list-sessions";
import { logoutSession } from "./logout-session";
import { restartSession } from "./restart-session";
import { restoreSessions } from "./restore-sessions";
import { findStoredSession } from "./session-repository";
import { startSession } from "./start-session";
import { stopSession } from "./stop-session";
import { updateSession } from "./update-session";

/** The session services on a real database and the real EngineHost, with the fake engine in place of Chromium. */

const ME = { id: "15550001111@c.us", pushName: "Alice" };
const HOOK = { url: "http://127.0.0.1:9/hook", events: ["session.status" as const], hmac: { key: "secret" } };

let t: TestSessionsContext;
let ctx: SessionsContext;

beforeEach(async () => {
  t = await createTestSessionsContext();
  ctx = t.ctx;
});
afterEach(() => t.close());

describe("createSession", () => {
  it("stores the config and starts unless start is false; a taken name is session_exists", async () => {
    const started = await createSession(ctx, { name: "a", start: true, config: { metadata: { team: "ops" } } });
    expect(started).toMatchObject({ name: "a", status: "STARTING", config: { metadata: { team: "ops" } } });
    expect(t.factory.last("a").calls).toEqual(["start"]);

    const stopped = await createSession(ctx, { name: "b", start: false, config: null });
    expect(stopped.status).toBe("STOPPED");
    expect(t.factory.engines.map((e) => e.options.session)).toEqual(["a"]);

    await expect(createSession(ctx, { name: "a", start: false })).rejects.toMatchObject({ code: "session_exists" });
  });

  it("generates a name when none is given", async () => {
    const session = await createSession(ctx, { start: false });
    expect(session.name).toMatch(/^session_[0-9a-z]{26}$/);
  });
});

describe("reading sessions", () => {
  it("getSession joins the stored config with the live status and redacts secrets; unknown is session_not_found", async () => {
    await createSession(ctx, { name: "a", start: true, config: { webhooks: [HOOK] } });
    t.factory.last("a").emit({ type: "qr", value: "2@qr", reason: "qr" });
    const session = await getSession(ctx, "a");
    expect(session.status).toBe("SCAN_QR_CODE");
    expect(session.config.webhooks?.[0].hmac?.key).toBe("[redacted]");
    await expect(getSession(ctx, "missing")).rejects.toMatchObject({ code: "session_not_found" });
  });

  it("listSessions shows running ones, or all with all=true, filtered by status and metadata", async () => {
    await createSession(ctx, { name: "a", start: true, config: { metadata: { team: "ops" } } });
    await createSession(ctx, { name: "b", start: false, config: { metadata: { team: "ops" } } });
    await createSession(ctx, { name: "c", start: false, config: { metadata: { team: "sales" } } });
    const names = async (query: Parameters<typeof listSessions>[1]) => (await listSessions(ctx, query)).items.map((s) => s.name);
    expect(await names({ offset: 0 })).toEqual(["a"]);
    expect(await names({ all: true, offset: 0 })).toEqual(["a", "b", "c"]);
    expect(await names({ all: true, status: ["STOPPED"], offset: 0 })).toEqual(["b", "c"]);
    expect(await names({ all: true, metadata: { team: "ops" }, offset: 0 })).toEqual(["a", "b"]);
    expect((await listSessions(ctx, { all: true, limit: 1, offset: 1 })).total).toBe(3);
  });

  it("getMe and getQrValue follow the live status", async () => {
    await createSession(ctx, { name: "a", start: true });
    // Still STARTING: it waits for a QR (on the injected clock), then refuses with WAHA's 422 body.
    const refused = expect(getQrValue(ctx, "a")).rejects.toMatchObject({ code: "session_status_unexpected" });
    await t.clock.advance(10_000);
    await refused;
    t.factory.last("a").emit({ type: "qr", value: "2@qr", reason: "qr" });
    expect(await getQrValue(ctx, "a")).toBe("2@qr");
    expect(await getMe(ctx, "a")).toBeNull();
    t.factory.last("a").emit({ type: "authenticated", me: ME, reason: "authenticated" });
    // While it runs, `me` carries the restrictions: none seen yet.
    expect(await getMe(ctx, "a")).toEqual({ ...ME, reachoutTimelock: null, messageCapping: null });
  });
});

describe("lifecycle", () => {
  it("start, stop and restart store the desired state and drive the engine; start and stop are idempotent", async () => {
    await createSession(ctx, { name: "a", start: false });
    expect((await startSession(ctx, "a")).status).toBe("STARTING");
    await startSession(ctx, "a");
    expect(t.factory.engines).toHaveLength(1);
    expect(await findStoredSession(ctx.db, "a")).toMatchObject({ running: true, worker: "w1" });

    await restartSession(ctx, "a");
    expect(t.factory.engines).toHaveLength(2);
    expect(t.factory.engines[0].calls).toEqual(["start", "stop"]);

    expect((await stopSession(ctx, "a"))?.status).toBe("STOPPED");
    expect(await stopSession(ctx, "a")).toMatchObject({ status: "STOPPED" });
    expect(await findStoredSession(ctx.db, "a")).toMatchObject({ running: false, worker: null });
    expect(await stopSession(ctx, "missing")).toBeNull();
  });

  it("a burst of commands reaches the engine only for the last desired state", async () => {
    await createSession(ctx, { name: "a", start: false });
    await Promise.all([startSession(ctx, "a"), stopSession(ctx, "a"), startSession(ctx, "a"), stopSession(ctx, "a")]);
    expect(t.factory.engines).toHaveLength(0);
    expect((await getSession(ctx, "a")).status).toBe("STOPPED");
  });

  it("updateSession replaces the config, keeps redacted secrets and restarts a running session", async () => {
    await createSession(ctx, { name: "a", start: true, config: { webhooks: [HOOK] } });
    const shown = await getSession(ctx, "a");
    const updated = await updateSession(ctx, "a", { ...shown.config, debug: true });
    expect(updated.config.debug).toBe(true);
    expect((await findStoredSession(ctx.db, "a"))!.config.webhooks?.[0].hmac?.key).toBe("secret");
    expect(t.factory.engines).toHaveLength(2);
    await expect(updateSession(ctx, "missing", {})).rejects.toMatchObject({ code: "session_not_found" });
  });

  it("updateSession applies metadata, webhooks and ignore to a running session without restarting it", async () => {
    await createSession(ctx, { name: "a", start: true, config: { webhooks: [HOOK], metadata: { k: "v" }, debug: true } });
    const shown = await getSession(ctx, "a");
    const live = { ...shown.config, metadata: { k: "w" }, webhooks: [], ignore: { groups: true } };
    const updated = await updateSession(ctx, "a", live);
    expect(updated.config).toMatchObject({ metadata: { k: "w" }, webhooks: [], ignore: { groups: true } });
    // The same engine runs on, with the new config for its next events (and for any later restart).
    expect(t.factory.engines).toHaveLength(1);
    expect(t.factory.engines[0].calls).toEqual(["start"]);
    expect(ctx.host.config("a")).toMatchObject({ metadata: { k: "w" }, webhooks: [], ignore: { groups: true }, debug: true });
    expect((await findStoredSession(ctx.db, "a"))!.config.metadata).toEqual({ k: "w" });

    // A field the browser reads restarts it.
    await updateSession(ctx, "a", { ...live, debug: false });
    expect(t.factory.engines).toHaveLength(2);
  });

  it("logoutSession unlinks, forgets the account, keeps the config and starts again if it was running", async () => {
    await createSession(ctx, { name: "a", start: true, config: { metadata: { k: "v" } } });
    t.factory.last("a").emit({ type: "authenticated", me: ME, reason: "authenticated" });
    const session = await logoutSession(ctx, "a");
    expect(session.me).toBeNull();
    expect(t.factory.removedAuth).toEqual(["a"]);
    expect(await findStoredSession(ctx.db, "a")).toMatchObject({ me: null, config: { metadata: { k: "v" } } });
    expect(t.factory.engines).toHaveLength(2);
  });

  it("deleteSession stops, removes auth data and the stored session; it is idempotent", async () => {
    await createSession(ctx, { name: "a", start: true });
    await deleteSession(ctx, "a");
    await deleteSession(ctx, "a");
    expect(await findStoredSession(ctx.db, "a")).toBeNull();
    expect(t.factory.last("a").calls).toEqual(["start", "stop"]);
    expect(ctx.host.snapshot("a").status).toBe("STOPPED");
  });

  it("the deprecated start creates or replaces the config and starts; a started session is session_already_started", async () => {
    expect((await upsertAndStartSession(ctx, "a", { debug: true })).status).toBe("STARTING");
    await expect(upsertAndStartSession(ctx, "a", {})).rejects.toMatchObject({ code: "session_already_started" });
  });
});

describe("restoreSessions", () => {
  it("starts what was running on this worker, and creates the named ones that are missing", async () => {
    await createSession(ctx, { name: "was-running", start: true });
    await createSession(ctx, { name: "was-stopped", start: false });
    const next = await createTestSessionsContext({ WHATSAPP_START_SESSION: "named" });
    try {
      // A second context on a fresh database: copy the rows the first one stored.
      await createSession(next.ctx, { name: "was-running", start: false });
      await startSession(next.ctx, "was-running");
      await next.ctx.host.stopAll();
      const started = await restoreSessions(next.ctx);
      expect(started.sort()).toEqual(["named", "was-running"]);
      expect(await findStoredSession(next.ctx.db, "named")).toMatchObject({ running: true, config: {} });
    } finally {
      await next.close();
    }
  });
});
