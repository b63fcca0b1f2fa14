import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { NO_CAPPING, NO_TIMELOCK, type TMessageCapping, type TReachoutTimelock } from "@/lib/account-restrictions";
import type { TSession } from "@/lib/session";
import type { TSessionHistoryEntry } from "@/lib/session-health";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { apiClient, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { doubleEnv } from "../support/server";
import { DEFAULT_VERSION, lidOf, type WhatsAppWebDouble } from "../support/whatsapp-web-double/double";

/**
 * WAHA 2026.8's account state through the real server, whatsapp-web.js and Chromium, with the WhatsApp
 * Web double playing WhatsApp: `me` with its LID and device JID, `payload.data` of `session.status`
 * (webhooks, /ws, Socket.IO), the timelock and capping routes before, during and after a restriction,
 * presence and the presence pulse, and the WhatsApp Web version policy. docs/session-health.md.
 */

const FAST = { SWITCHBOARD_HEALTH_INTERVAL_SECONDS: "1", SWITCHBOARD_HEALTH_TIMEOUT_SECONDS: "3" };
const WAIT = { timeout: 30_000 };

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { withDouble: true, env: FAST } });

type Envelope = { event: string; session: string; me: unknown; payload: { status: string; data: unknown; statuses: unknown[] } };
type StatusMessage = { session: string; status: string; data: unknown; me: unknown };

let receiver: Receiver;
let socket: Socket;
let ws: WebSocket;
const envelopes: Envelope[] = [];
const statusMessages: StatusMessage[] = [];
const wsMessages: Envelope[] = [];

test.beforeAll(async ({ server }) => {
  receiver = await startReceiver();
  socket = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"], reconnection: false });
  socket.on("event", (envelope: Envelope) => envelopes.push(envelope));
  socket.on("session.status", (message: StatusMessage) => statusMessages.push(message));
  expect(await socket.emitWithAck("subscribe", { session: "*" })).toEqual({ ok: true });
  ws = new WebSocket(`${server.url.replace("http", "ws")}/ws?session=*&events=session.status&x-api-key=${server.apiKey}`);
  ws.on("message", (data) => wsMessages.push(JSON.parse(String(data)) as Envelope));
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
});

test.afterAll(async () => {
  socket?.close();
  ws?.close();
  await receiver?.close();
});

/** The session.status bodies the webhook received for `name`. */
const hooked = (name: string): Envelope[] =>
  receiver.requests.map((r) => JSON.parse(r.body.toString("utf8")) as Envelope).filter((e) => e.session === name);

async function session(api: ApiClient, name: string): Promise<TSession> {
  return (await api.get<TSession>(`/api/sessions/${name}`)).body;
}

async function until(api: ApiClient, name: string, check: (s: TSession) => boolean, message: string): Promise<TSession> {
  let last: TSession | null = null;
  await expect
    .poll(async () => check((last = await session(api, name))), { ...WAIT, message: `${name}: ${message}` })
    .toBe(true)
    .catch((error: Error) => {
      throw new Error(`${error.message}\nlast seen: ${JSON.stringify({ status: last?.status, me: last?.me, statuses: last?.statuses })}`);
    });
  return last!;
}

/** Creates the session with a webhook for its session.status, and logs it in as `user`. */
async function loggedIn(api: ApiClient, double: WhatsAppWebDouble, name: string, user: string): Promise<TSession> {
  const created = await api.post("/api/sessions", { name, config: { webhooks: [{ url: receiver.url, events: ["session.status"] }] } });
  expect(created.status).toBe(201);
  await until(api, name, (s) => s.status === "SCAN_QR_CODE", "SCAN_QR_CODE");
  const qr = (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;
  await double.scan(qr, { user, pushname: name });
  return until(api, name, (s) => s.status === "WORKING" && s.me?.lid !== undefined, "WORKING with the account read from the page");
}

/** Waits for a WORKING with `data` matching, on every channel: the webhook, /ws, Socket.IO's envelope and its status message. */
async function reissued(name: string, data: (data: Record<string, unknown> | null) => boolean): Promise<Envelope> {
  const matches = (status: string, value: unknown) => status === "WORKING" && data(value as Record<string, unknown> | null);
  await expect.poll(() => hooked(name).some((e) => matches(e.payload.status, e.payload.data)), WAIT).toBe(true);
  await expect.poll(() => wsMessages.some((e) => e.session === name && matches(e.payload.status, e.payload.data)), WAIT).toBe(true);
  await expect.poll(() => envelopes.some((e) => e.session === name && matches(e.payload.status, e.payload.data)), WAIT).toBe(true);
  await expect.poll(() => statusMessages.some((m) => m.session === name && matches(m.status, m.data)), WAIT).toBe(true);
  return hooked(name).findLast((e) => matches(e.payload.status, e.payload.data))!;
}

const timelockOf = (data: Record<string, unknown> | null) => (data?.reachoutTimelock ?? undefined) as TReachoutTimelock | undefined;
const cappingOf = (data: Record<string, unknown> | null) => (data?.messageCapping ?? undefined) as TMessageCapping | undefined;

test("me: id, LID, device JID and push name read from WhatsApp Web, the version the page runs, and data null on every plain status", async ({
  api,
  double,
}) => {
  const user = "15550020001";
  const working = await loggedIn(api, double, "account", user);
  const account = {
    id: `${user}@c.us`,
    lid: `${lidOf(user)}@lid`,
    jid: expect.stringMatching(new RegExp(`^${user}:\\d+@s\\.whatsapp\\.net$`)),
    pushName: "account",
  };
  expect(working.me).toEqual({ ...account, reachoutTimelock: null, messageCapping: null });
  expect((await api.get(`/api/sessions/account/me`)).body).toEqual({ ...account, reachoutTimelock: null, messageCapping: null });
  expect(working.engine).toMatchObject({ engine: "WEBJS", WWebVersion: DEFAULT_VERSION });
  const listed = (await api.get<TSession[]>("/api/sessions")).body.find((s) => s.name === "account")!;
  expect(listed.engine.WWebVersion).toBe(DEFAULT_VERSION);

  await expect
    .poll(() => hooked("account").map((e) => e.payload.status), WAIT)
    .toEqual(expect.arrayContaining(["STARTING", "SCAN_QR_CODE", "WORKING"]));
  for (const envelope of hooked("account")) {
    expect(envelope.payload).toHaveProperty("data", null);
  }
  expect(wsMessages.filter((e) => e.session === "account").every((e) => e.payload.data === null)).toBe(true);

  // Stored: a stopped session still shows the account, LID and JID included.
  expect((await api.post("/api/sessions/account/stop")).status).toBe(201);
  const stopped = await session(api, "account");
  expect(stopped.status).toBe("STOPPED");
  expect(stopped.me).toEqual(account);
  expect(stopped.presence).toBeNull();
});

test("GET /api/sessions/{session}/timelock before, during and after a timelock; each change re-issues WORKING with payload.data", async ({
  api,
  double,
}) => {
  const user = "15550020002";
  await loggedIn(api, double, "locked", user);
  expect((await api.get("/api/sessions/locked/timelock")).body).toEqual(NO_TIMELOCK);

  await double.startTimelock({ user }, { endsInMs: 3600_000 });
  const started = await reissued("locked", (data) => timelockOf(data)?.isActive === true);
  const active = timelockOf(started.payload.data as Record<string, unknown>)!;
  expect(active).toEqual({ enforcementType: "RESTRICT_ALL_COMPANIONS", isActive: true, timeEnforcementEnds: expect.any(Number) });
  expect(Math.abs(active.timeEnforcementEnds! - (Date.now() / 1000 + 3600))).toBeLessThan(120);
  expect(started.me).toMatchObject({ reachoutTimelock: active });

  const during = await api.get<TReachoutTimelock>("/api/sessions/locked/timelock");
  expect(during.status).toBe(200);
  expect(during.body).toEqual(active);
  expect((await session(api, "locked")).me?.reachoutTimelock).toEqual(active);
  // Later readings say nothing new: no second WORKING for the same timelock.
  const read = Date.now();
  await until(api, "locked", (s) => (s.health.probe.lastOkAt ?? 0) > read + 1000, "two later probes");
  expect(hooked("locked").filter((e) => timelockOf(e.payload.data as Record<string, unknown>)?.isActive === true)).toHaveLength(1);

  await double.endTimelock({ user });
  await reissued("locked", (data) => timelockOf(data)?.isActive === false);
  expect((await api.get("/api/sessions/locked/timelock")).body).toEqual(NO_TIMELOCK);
  expect((await session(api, "locked")).status).toBe("WORKING");

  const history = (await api.get<TSessionHistoryEntry[]>("/api/sessions/locked/history")).body;
  expect(history.map((h) => h.reason)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^reachout timelock: messages to new contacts are refused until /),
      "reachout timelock lifted: messages to new contacts are allowed again",
    ]),
  );
});

test("a timelock that reaches its end is reported ended without WhatsApp saying so; the route asks WhatsApp for a fresh state", async ({
  api,
  double,
}) => {
  const user = "15550020003";
  await loggedIn(api, double, "expiring", user);
  await double.startTimelock({ user }, { endsInMs: 4000, enforcementType: "WEB_COMPANION_ONLY" });
  await reissued("expiring", (data) => timelockOf(data)?.enforcementType === "WEB_COMPANION_ONLY" && timelockOf(data)?.isActive === true);
  const ended = await reissued("expiring", (data) => timelockOf(data)?.isActive === false);
  expect(ended.payload.statuses.at(-1)).toMatchObject({ reason: expect.stringMatching(/^reachout timelock ended at /) });

  // WhatsApp holds a new timelock but tells no page: only the route's fresh fetch finds it, and reports it.
  await double.startTimelock({ user }, { endsInMs: 3600_000, notify: false });
  const fetched = await api.get<TReachoutTimelock>("/api/sessions/expiring/timelock");
  expect(fetched.body).toMatchObject({ enforcementType: "RESTRICT_ALL_COMPANIONS", isActive: true });
  await reissued("expiring", (data) => timelockOf(data)?.enforcementType === "RESTRICT_ALL_COMPANIONS");
});

test("GET /api/sessions/{session}/capping before, during and after a cap; changes re-issue WORKING with payload.data", async ({
  api,
  double,
}) => {
  const user = "15550020004";
  await loggedIn(api, double, "capped", user);
  expect((await api.get("/api/sessions/capped/capping")).body).toEqual(NO_CAPPING);

  const cycleStart = Math.floor(Date.now() / 1000) - 3600;
  const cycleEnd = cycleStart + 7 * 24 * 3600;
  await double.setCapping(
    { user },
    { cappingStatus: "CAPPED", totalQuota: 50, usedQuota: 50, cycleStart, cycleEnd, mvStatus: "NOT_ELIGIBLE" },
  );
  const capped = {
    cappingStatus: "CAPPED",
    totalQuota: 50,
    usedQuota: 50,
    cycleStart,
    cycleEnd,
    mvStatus: "NOT_ELIGIBLE",
    oteStatus: null,
  };
  await reissued("capped", (data) => cappingOf(data)?.cappingStatus === "CAPPED");
  expect((await api.get("/api/sessions/capped/capping")).body).toEqual(capped);
  expect((await session(api, "capped")).me?.messageCapping).toEqual(capped);

  await double.setCapping({ user }, null);
  await reissued("capped", (data) => cappingOf(data)?.cappingStatus === "NONE");
  expect((await api.get("/api/sessions/capped/capping")).body).toEqual(NO_CAPPING);
});

test("the restriction routes: 404 for an unknown or stopped session, 422 naming the status while it is not logged in", async ({ api }) => {
  for (const route of ["timelock", "capping"]) {
    const unknown = await api.get(`/api/sessions/nobody/${route}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "session_not_found" });
    const stopped = await api.get(`/api/sessions/account/${route}`);
    expect(stopped.status).toBe(404);
    expect(stopped.body).toMatchObject({ code: "session_not_found", message: expect.stringContaining("start it first") });
  }
  expect((await api.post("/api/sessions", { name: "waiting" })).status).toBe(201);
  await until(api, "waiting", (s) => s.status === "SCAN_QR_CODE", "SCAN_QR_CODE");
  for (const route of ["timelock", "capping"]) {
    const refused = await api.get(`/api/sessions/waiting/${route}`);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      statusCode: 422,
      code: "session_status_unexpected",
      session: "waiting",
      status: "SCAN_QR_CODE",
      expected: ["WORKING"],
    });
  }
  await api.delete("/api/sessions/waiting");
});

test("presence is WhatsApp Web's own: it follows the page's availability", async ({ api, double }) => {
  const user = "15550020005";
  await loggedIn(api, double, "present", user);
  await double.setAvailability({ user }, true);
  await until(api, "present", (s) => s.presence === "online", "online");
  await double.setAvailability({ user }, false);
  await until(api, "present", (s) => s.presence === "offline", "offline");
  expect((await session(api, "present")).health.pulse).toMatchObject({ enabled: false, lastAt: null });
});

test("the presence pulse marks the account online, then offline after WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS; WAHA_PRESENCE_AUTO_ONLINE=false turns it off", async ({
  double,
  startExtraServer,
}) => {
  const pulsing = await startExtraServer({
    env: { ...doubleEnv(double), ...FAST, SWITCHBOARD_PRESENCE_PULSE_SECONDS: "2", WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS: "1" },
  });
  const api = apiClient(pulsing);
  const user = "15550020006";
  const online = double.waitFor("presence", (e) => e.user === user && e.presence === "online", WAIT.timeout);
  await loggedIn(api, double, "pulsed", user);
  await online;
  await double.waitFor("presence", (e) => e.user === user && e.presence === "offline", WAIT.timeout);
  const pulsed = await until(api, "pulsed", (s) => s.health.pulse.lastAt !== null && s.presence === "offline", "a pulse and offline again");
  expect(pulsed.health.pulse).toMatchObject({ enabled: true, intervalMs: 2000, onlineMs: 1000 });
  expect(double.sessions().find((s) => s.user === user)?.presence).toBe("offline");

  const quiet = await startExtraServer({
    env: { ...doubleEnv(double), SWITCHBOARD_PRESENCE_PULSE_SECONDS: "2", WAHA_PRESENCE_AUTO_ONLINE: "false" },
  });
  expect(quiet.output()).toContain(
    "SWITCHBOARD_PRESENCE_PULSE_SECONDS is ignored: WAHA_PRESENCE_AUTO_ONLINE=false leaves the presence alone",
  );
  const quietApi = apiClient(quiet);
  expect((await quietApi.post("/api/sessions", { name: "quiet", start: false })).status).toBe(201);
  expect((await session(quietApi, "quiet")).health.pulse).toEqual({ enabled: false, intervalMs: 0, onlineMs: 0, lastAt: null });
});

test("WAHA_WEBJS_CACHE_TYPE=local caches the page at login; a pinned WAHA_WEBJS_WEB_VERSION runs from that copy; a pin not cached fails, saying so", async ({
  double,
  startExtraServer,
}) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-webversion-"));
  const cacheDir = path.join(dataDir, "webjs-cache");
  const first = double.version;
  try {
    const caching = await startExtraServer({ dataDir, env: { ...doubleEnv(double), ...FAST, WAHA_WEBJS_CACHE_TYPE: "local" } });
    const user = "15550020007";
    const logged = await loggedIn(apiClient(caching), double, "versioned", user);
    expect(logged.engine.WWebVersion).toBe(first);
    await expect.poll(() => fs.existsSync(path.join(cacheDir, `${first}.html`)), WAIT).toBe(true);
    expect(fs.readFileSync(path.join(cacheDir, `${first}.html`), "utf8")).toContain(`content="${first}"`);
    await caching.stop();

    // WhatsApp moves on; the pinned version still runs, from the cached copy.
    await double.setVersion("2.3000.1099999999");
    const pinned = await startExtraServer({
      dataDir,
      env: { ...doubleEnv(double), ...FAST, WAHA_WEBJS_CACHE_TYPE: "local", WAHA_WEBJS_WEB_VERSION: first },
    });
    const back = await until(
      apiClient(pinned),
      "versioned",
      (s) => s.status === "WORKING" && s.engine.WWebVersion === first,
      "WORKING on the pinned version",
    );
    expect(back.me?.id).toBe(`${user}@c.us`);
    expect(fs.readdirSync(cacheDir)).toEqual([`${first}.html`]);
    await pinned.stop();

    const missing = await startExtraServer({
      dataDir,
      env: { ...doubleEnv(double), ...FAST, WAHA_WEBJS_CACHE_TYPE: "local", WAHA_WEBJS_WEB_VERSION: "2.3000.1000000001" },
    });
    const failed = await until(apiClient(missing), "versioned", (s) => s.status === "FAILED", "FAILED");
    expect(failed.statuses.at(-1)?.reason).toMatch(
      /^WhatsApp Web 2\.3000\.1000000001 \(WAHA_WEBJS_WEB_VERSION\) is not in the local cache/,
    );
    expect(failed.health.restart.at).toBeNull();
  } finally {
    await double.setVersion(first);
  }
});
