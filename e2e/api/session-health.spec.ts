import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import type { TSession } from "@/lib/session";
import type { TSessionHistoryEntry } from "@/lib/session-health";
import { apiClient, type ApiClient } from "../support/api";
import { processesMatching, renderersMatching } from "../support/processes";
import { doubleEnv, startServer, type RunningServer } from "../support/server";
import { startDouble, type WhatsAppWebDouble } from "../support/whatsapp-web-double/double";

/**
 * Session health through the real server, whatsapp-web.js and Chromium: each fault is injected into
 * the WhatsApp Web double's page (or its renderer is killed) and the spec waits for the status that
 * names it, the events, and the recovery. Short probe settings keep it quick; every wait is a
 * condition with room for a machine twice as slow. docs/session-health.md describes the behaviour.
 */

const HEALTH_ENV = {
  SWITCHBOARD_HEALTH_INTERVAL_SECONDS: "1",
  SWITCHBOARD_HEALTH_TIMEOUT_SECONDS: "3",
  SWITCHBOARD_HEALTH_RECONNECT_SECONDS: "3",
  SWITCHBOARD_RESTART_DELAY_SECONDS: "1",
  SWITCHBOARD_MAX_CONSECUTIVE_FAILURES: "3",
};
const WAIT = { timeout: 30_000 };
const REMOVED = /^the phone removed this linked device \((disconnected: |state )UNPAIRED\)$/;

type StatusMessage = { session: string; status: string; statuses: { status: string; reason: string | null }[] };
type EngineEventMessage = { session: string; event: string; data: unknown };

let double: WhatsAppWebDouble;
let server: RunningServer;
let api: ApiClient;
let socket: Socket;
const statusMessages: StatusMessage[] = [];
const engineEvents: EngineEventMessage[] = [];
const dataDir = fs.mkdtempSync("/tmp/switchboard-health-");

test.describe.configure({ mode: "serial" });

async function boot(): Promise<void> {
  server = await startServer({ dataDir, env: { ...doubleEnv(double), ...HEALTH_ENV } });
  api = apiClient(server);
  socket = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"], reconnection: false });
  socket.on("session.status", (message: StatusMessage) => statusMessages.push(message));
  socket.on("engine.event", (message: EngineEventMessage) => engineEvents.push(message));
  expect(await socket.emitWithAck("subscribe", { session: "*" })).toEqual({ ok: true });
}

test.beforeAll(async () => {
  double = await startDouble();
  await boot();
});

test.afterAll(async () => {
  socket?.close();
  await server?.stop();
  await double?.close();
});

const get = async (name: string) => (await api.get<TSession>(`/api/sessions/${name}`)).body;
const lastReason = (session: TSession) => session.statuses.at(-1)?.reason ?? "";

/** Polls the session until `check` holds; returns it. */
async function until(name: string, check: (session: TSession) => boolean, message: string): Promise<TSession> {
  let last: TSession | null = null;
  await expect
    .poll(
      async () => {
        last = await get(name);
        return check(last);
      },
      { ...WAIT, message: `${name}: ${message}` },
    )
    .toBe(true)
    .catch((error: Error) => {
      throw new Error(`${error.message}\nlast seen: ${JSON.stringify({ statuses: last?.statuses, health: last?.health })}`);
    });
  return last!;
}

const working = (name: string) => until(name, (s) => s.status === "WORKING", "WORKING");

/** Create a session and log it in with the phone `user`. */
async function loggedIn(name: string, user: string): Promise<TSession> {
  expect((await api.post("/api/sessions", { name })).status).toBe(201);
  await until(name, (s) => s.status === "SCAN_QR_CODE", "SCAN_QR_CODE");
  const qr = (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;
  await double.scan(qr, { user, pushname: name });
  return working(name);
}

/** The FAILED status this session reaches next (its reason names the fault), and then WORKING again. */
async function failsThenRecovers(name: string, reason: RegExp): Promise<{ failed: TSession; back: TSession }> {
  const failed = await until(name, (s) => s.status === "FAILED", "FAILED");
  expect(lastReason(failed)).toMatch(reason);
  expect(failed.health.failures).toBe(1);
  expect(failed.health.restart.at).toEqual(expect.any(Number));
  expect(statusMessages.some((m) => m.session === name && m.status === "FAILED" && reason.test(m.statuses.at(-1)?.reason ?? ""))).toBe(
    true,
  );
  const back = await working(name);
  expect(back.statuses.some((c) => c.status === "STARTING" && /^automatic restart after failure/.test(c.reason ?? ""))).toBe(true);
  return { failed, back };
}

const sawEngineEvent = (session: string, event: string, data: unknown) =>
  engineEvents.some((e) => e.session === session && e.event === event && JSON.stringify(e.data) === JSON.stringify(data));

test("GET /api/sessions/{session}: a WORKING session is probed; health shows the probe, the backoff and its ceiling", async () => {
  await loggedIn("probed", "15550010001");
  const probed = await until("probed", (s) => s.health.probe.lastOkAt !== null, "a passing probe");
  expect(probed.health).toMatchObject({
    probe: { enabled: true, intervalMs: 1000, state: "CONNECTED", suspect: null, latencyMs: expect.any(Number) },
    failures: 0,
    maxFailures: 3,
    gaveUp: false,
    restart: { backoffMs: 1000, maxBackoffMs: 300_000, at: null },
    lastFailure: null,
    lastDisconnect: null,
  });
  expect(probed.engine).toMatchObject({ state: "CONNECTED" });
});

test("a dropped connection that comes back within the grace keeps the session WORKING", async () => {
  await loggedIn("blip", "15550010002");
  const droppedAt = Date.now();
  await double.dropConnection({ user: "15550010002" }, { reconnectAfterMs: 300 });
  await expect.poll(() => sawEngineEvent("blip", "change_state", "TIMEOUT"), WAIT).toBe(true);
  await expect.poll(() => sawEngineEvent("blip", "change_state", "CONNECTED"), WAIT).toBe(true);
  // A probe that passed after the whole grace period: nothing was flagged meanwhile.
  const after = await until("blip", (s) => (s.health.probe.lastOkAt ?? 0) > droppedAt + 3000, "a passing probe after the grace");
  expect(after.status).toBe("WORKING");
  expect(after.health).toMatchObject({ failures: 0, lastFailure: null, probe: { state: "CONNECTED", suspect: null } });
  expect(after.statuses.map((c) => c.status)).not.toContain("FAILED");
});

test("a dropped connection that never comes back: FAILED naming the state, then WORKING again by itself", async () => {
  await loggedIn("gone", "15550010003");
  await double.dropConnection({ user: "15550010003" }, { reconnectAfterMs: null });
  const { failed } = await failsThenRecovers(
    "gone",
    /^WhatsApp Web lost its connection and did not reconnect \(state (TIMEOUT|OPENING) for \d+ s\)$/,
  );
  expect(failed.health.lastDisconnect?.reason).toMatch(/^(TIMEOUT|OPENING)$/);
  expect(sawEngineEvent("gone", "change_state", "TIMEOUT")).toBe(true);
});

test("the account opened elsewhere (CONFLICT): FAILED naming it, then WORKING again", async () => {
  await loggedIn("conflicted", "15550010004");
  await double.conflict({ user: "15550010004" });
  const { failed } = await failsThenRecovers(
    "conflicted",
    /^WhatsApp Web was opened elsewhere with this account \((disconnected: |state )CONFLICT\)$/,
  );
  expect(failed.health.lastDisconnect?.reason).toBe("CONFLICT");
  expect(sawEngineEvent("conflicted", "disconnected", "CONFLICT")).toBe(true);
});

test("the renderer crashes: FAILED naming it, then WORKING again", async () => {
  await loggedIn("crashed", "15550010005");
  const renderers = renderersMatching(`${dataDir}/sessions/crashed/`);
  expect(renderers.length).toBeGreaterThan(0);
  for (const pid of renderers) process.kill(pid, "SIGKILL");
  await failsThenRecovers("crashed", /^the WhatsApp Web page crashed/);
});

test("a hung page: FAILED as not responding, then WORKING again", async () => {
  await loggedIn("hung", "15550010006");
  await double.hang({ user: "15550010006" });
  await until("hung", (s) => s.health.probe.suspect !== null || s.status !== "WORKING", "the probe noticing");
  await failsThenRecovers("hung", /^the WhatsApp Web page is not responding \(no answer to 2 probes in a row, \d+ s\)$/);
});

test("the phone removes the device (UNPAIRED): FAILED, no restart, auth data and Chromium gone", async () => {
  await loggedIn("unpaired", "15550010007");
  await double.logout({ user: "15550010007" }, { via: "unpaired" });
  const failed = await until("unpaired", (s) => s.status === "FAILED", "FAILED");
  // The library's disconnect usually comes first; a probe in between says "state UNPAIRED".
  expect(lastReason(failed)).toMatch(REMOVED);
  expect(failed.health).toMatchObject({ restart: { at: null }, gaveUp: false, lastDisconnect: { reason: "UNPAIRED" } });
  expect(sawEngineEvent("unpaired", "disconnected", "UNPAIRED")).toBe(true);
  await expect.poll(() => fs.existsSync(`${dataDir}/sessions/unpaired`), WAIT).toBe(false);
  await expect.poll(() => processesMatching(`${dataDir}/sessions/unpaired/`).length, WAIT).toBe(0);
  expect((await get("unpaired")).status).toBe("FAILED");
});

test("repeated faults: after 3 in a row the session stays FAILED with the count; a start by hand tries again", async () => {
  await loggedIn("flaky", "15550010008");
  for (let attempt = 1; attempt <= 3; attempt++) {
    await double.conflict({ user: "15550010008" });
    const failed = await until("flaky", (s) => s.status === "FAILED" && s.health.failures === attempt, `failure ${attempt}`);
    if (attempt < 3) {
      expect(failed.health.restart.backoffMs).toBe(1000 * 2 ** (attempt - 1));
      await working("flaky");
    }
  }
  const stuck = await get("flaky");
  expect(lastReason(stuck)).toMatch(/CONFLICT\); failed 3 times in a row, automatic restarts stopped until the session is started again$/);
  expect(stuck.health).toMatchObject({ failures: 3, maxFailures: 3, gaveUp: true, restart: { at: null } });

  expect((await api.post(`/api/sessions/flaky/start`)).status).toBe(201);
  const again = await working("flaky");
  expect(again.health).toMatchObject({ failures: 0, gaveUp: false });
});

test("GET /api/sessions/{session}/history: the timeline and the last fault survive a server restart", async () => {
  socket.close();
  await server.stop();
  await boot();

  const session = await get("unpaired");
  expect(session.health.lastFailure?.reason).toMatch(REMOVED);
  expect(session.health.lastDisconnect?.reason).toBe("UNPAIRED");

  const history = await api.get<TSessionHistoryEntry[]>("/api/sessions/unpaired/history?limit=100");
  expect(history.status).toBe(200);
  const failed = history.body.find((e) => e.status === "FAILED");
  expect(failed).toMatchObject({ reason: expect.stringMatching(REMOVED), failures: 1, disconnect: "UNPAIRED" });
  const timeline = history.body.map((e) => e.status).reverse();
  expect(timeline.slice(0, 4)).toEqual(["STARTING", "SCAN_QR_CODE", "WORKING", "FAILED"]);

  const conflicted = (await api.get<TSessionHistoryEntry[]>("/api/sessions/conflicted/history")).body;
  expect(conflicted.some((e) => e.status === "FAILED" && e.disconnect === "CONFLICT")).toBe(true);
  expect(conflicted.some((e) => e.status === "STOPPED" && e.reason === "server shutting down")).toBe(true);

  expect((await api.get("/api/sessions/nobody/history")).status).toBe(404);
  expect((await api.get("/api/sessions/unpaired/history?limit=0")).status).toBe(400);
});
