import fs from "node:fs";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { apiClient, eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { doubleEnv } from "../support/server";
import { processesMatching } from "../support/processes";

/**
 * The WEBJS engine through the REST API: the real server, real whatsapp-web.js and Chromium, and the
 * WhatsApp Web double playing the phone.
 */

type Status = { status: string; reason: string | null; count?: number };
type Session = { name: string; status: string; me: { id: string; pushName: string | null } | null; statuses: Status[] };

const dataDir = fs.mkdtempSync("/tmp/switchboard-engine-");
const RESTART_DELAY = { SWITCHBOARD_RESTART_DELAY_SECONDS: "1" };

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { dataDir, withDouble: true, env: RESTART_DELAY } });

const get = async (api: ApiClient, name: string) => (await api.get<Session>(`/api/sessions/${name}`)).body;
const waitFor = (api: ApiClient, name: string, status: string, timeoutMs = 20_000) =>
  eventually(
    () => get(api, name),
    (s) => s.status === status,
    timeoutMs,
  );
const rawQr = async (api: ApiClient, name: string) => (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;

function decodePng(bytes: Buffer): string | undefined {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

test("create -> SCAN_QR_CODE; the QR is the double's, in raw and PNG; rotation; scan -> WORKING with me", async ({
  double,
  server,
  api,
}) => {
  expect((await api.post("/api/sessions", { name: "alice" })).status).toBe(201);
  await waitFor(api, "alice", "SCAN_QR_CODE");
  const first = await rawQr(api, "alice");
  expect(double.sessions().map((s) => s.ref)).toContain(first.split(",")[0]);

  const png = await fetch(`${server.url}/api/alice/auth/qr`, { headers: { "X-Api-Key": server.apiKey } });
  expect(decodePng(Buffer.from(await png.arrayBuffer()))).toBe(first);

  await double.rotate();
  const second = await eventually(
    () => rawQr(api, "alice"),
    (value) => value !== first,
  );
  expect(double.sessions().map((s) => s.ref)).toContain(second.split(",")[0]);
  // Both codes are one entry of the history, counting them.
  const waiting = (await get(api, "alice")).statuses;
  expect(waiting.filter((s) => s.status === "SCAN_QR_CODE")).toHaveLength(1);
  expect(waiting.at(-1)?.count).toBeGreaterThanOrEqual(2);

  await double.scan(second, { user: "15550001111", pushname: "Alice" });
  const working = await waitFor(api, "alice", "WORKING");
  // WAHA 2026.8's MeInfo: the LID and this device's JID read from WhatsApp Web, the restrictions (none seen).
  const alice = {
    id: "15550001111@c.us",
    lid: "100015550001111@lid",
    jid: expect.stringMatching(/^15550001111:\d+@s\.whatsapp\.net$/),
    pushName: "Alice",
    reachoutTimelock: null,
    messageCapping: null,
  };
  expect(working.me).toEqual(alice);
  const me = await api.get<Session["me"]>("/api/sessions/alice/me");
  expect(me.body).toEqual(alice);
  const qr = await api.get<{ status: string }>("/api/alice/auth/qr");
  expect(qr.status).toBe(422);
  expect(qr.body.status).toBe("WORKING");
});

test("screenshot of a running session, as PNG and base64 JSON", async ({ server, api }) => {
  const png = await fetch(`${server.url}/api/screenshot?session=alice`, { headers: { "X-Api-Key": server.apiKey } });
  expect(png.status).toBe(200);
  expect(png.headers.get("content-type")).toBe("image/png");
  expect(
    Buffer.from(await png.arrayBuffer())
      .subarray(1, 4)
      .toString(),
  ).toBe("PNG");
  const json = await api.get<{ mimetype: string; data: string }>("/api/screenshot?session=alice", {
    headers: { Accept: "application/json" },
  });
  expect(json.body.mimetype).toBe("image/png");
});

test("pairing code: request, enter on the phone -> WORKING", async ({ double, api }) => {
  await api.post("/api/sessions", { name: "bob" });
  await waitFor(api, "bob", "SCAN_QR_CODE");
  const response = await api.post<{ code: string }>("/api/bob/auth/request-code", { phoneNumber: "+1 555 000 3333" });
  expect(response.status).toBe(201);
  expect(response.body.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await double.enterCode(response.body.code, { pushname: "Bob" });
  const working = await waitFor(api, "bob", "WORKING");
  expect(working.me?.id).toBe("15550003333@c.us");
});

test("server restart: working sessions come back WORKING without a QR; shutdown leaves no Chromium", async ({ server, api }) => {
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let Chromium flush the login to the profile
  await server.stop();
  expect(processesMatching(`${dataDir}/sessions`)).toEqual([]);
  await server.start();
  for (const name of ["alice", "bob"]) {
    const session = await waitFor(api, name, "WORKING");
    expect(session.statuses.map((s) => s.status)).not.toContain("SCAN_QR_CODE");
    expect(session.statuses[0].reason).toBe("restored at boot");
  }
});

test("a killed server (kill -9) takes its Chromiums with it; the next start brings the sessions back", async ({ server, api }) => {
  expect(processesMatching(`${dataDir}/sessions`).length).toBeGreaterThan(0);
  await server.kill();
  // No page may stay connected to WhatsApp for a server that is gone.
  await expect.poll(() => processesMatching(`${dataDir}/sessions`), { timeout: 15_000 }).toEqual([]);
  await server.start();
  for (const name of ["alice", "bob"]) {
    const session = await waitFor(api, name, "WORKING");
    expect(session.statuses.map((s) => s.status)).not.toContain("SCAN_QR_CODE");
  }
});

test("kill the session's Chromium -> FAILED -> back to WORKING by itself", async ({ api }) => {
  const pids = processesMatching(`${dataDir}/sessions/alice/`);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, "SIGKILL");
  const failed = await eventually(
    () => get(api, "alice"),
    (s) => s.statuses.some((c) => c.status === "FAILED"),
  );
  expect(failed.statuses.find((c) => c.status === "FAILED")?.reason).toBeTruthy();
  const back = await waitFor(api, "alice", "WORKING", 30_000);
  expect(back.statuses.some((c) => /automatic restart/.test(c.reason ?? ""))).toBe(true);
});

test("remote logout from the phone -> FAILED with the reason, no restart", async ({ double, api }) => {
  await double.logout({ user: "15550003333" });
  const failed = await waitFor(api, "bob", "FAILED");
  expect(failed.statuses.at(-1)?.reason).toMatch(/LOGOUT/);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect((await get(api, "bob")).status).toBe("FAILED");
});

test("logout via the API -> a new QR; delete -> no Chromium, no auth data", async ({ api }) => {
  const response = await api.post<Session>("/api/sessions/alice/logout");
  expect(response.status).toBe(201);
  await waitFor(api, "alice", "SCAN_QR_CODE");
  expect((await get(api, "alice")).me).toBeNull();
  for (const name of ["alice", "bob"]) {
    await api.delete(`/api/sessions/${name}`);
    expect(fs.existsSync(`${dataDir}/sessions/${name}`)).toBe(false);
  }
  await eventually(
    async () => processesMatching(`${dataDir}/sessions`).length,
    (n) => n === 0,
    10_000,
  );
});

test("three sessions at once all log in", async ({ double, api }) => {
  const names = ["c1", "c2", "c3"];
  await Promise.all(names.map((name) => api.post("/api/sessions", { name })));
  for (const [i, name] of names.entries()) {
    await waitFor(api, name, "SCAN_QR_CODE", 30_000);
    await double.scan(await rawQr(api, name), { user: `1555000400${i}`, pushname: name });
  }
  for (const [i, name] of names.entries()) expect((await waitFor(api, name, "WORKING")).me?.id).toBe(`1555000400${i}@c.us`);
  for (const name of names) expect((await api.post<Session>(`/api/sessions/${name}/stop`)).body.status).toBe("STOPPED");
  expect(processesMatching(`${dataDir}/sessions`)).toEqual([]);
});

test("a wrong Chromium path gives a clear FAILED reason", async ({ startExtraServer }) => {
  const broken = await startExtraServer({ env: { SWITCHBOARD_CHROME_PATH: "/nonexistent/chromium" } });
  const client = apiClient(broken);
  await client.post("/api/sessions", { name: "nobrowser" });
  const session = await eventually(
    async () => (await client.get<Session>("/api/sessions/nobrowser")).body,
    (s) => s.status === "FAILED",
  );
  expect(session.statuses.at(-1)?.reason).toMatch(/Chromium not found/);
});

test("a browser installed while the server runs is used by the next start, with no restart", async ({ double, startExtraServer }) => {
  const browserDir = fs.mkdtempSync("/tmp/switchboard-browser-");
  const browserPath = `${browserDir}/chromium`;
  const later = await startExtraServer({ env: { ...doubleEnv(double), ...RESTART_DELAY, SWITCHBOARD_CHROME_PATH: browserPath } });
  try {
    const client = apiClient(later);
    await client.post("/api/sessions", { name: "installed-later" });
    const failed = await eventually(
      async () => (await client.get<Session>("/api/sessions/installed-later")).body,
      (s) => s.status === "FAILED",
    );
    expect(failed.statuses.at(-1)?.reason).toMatch(/Chromium not found/);
    // "Install" it: the configured path now leads to the real browser.
    fs.symlinkSync(fs.realpathSync("/usr/bin/chromium"), browserPath);
    await client.post("/api/sessions/installed-later/restart");
    const started = await eventually(
      async () => (await client.get<Session>("/api/sessions/installed-later")).body,
      (s) => s.status === "SCAN_QR_CODE",
      30_000,
    );
    expect(started.status).toBe("SCAN_QR_CODE");
    await client.post("/api/sessions/installed-later/stop");
  } finally {
    fs.rmSync(browserDir, { recursive: true, force: true });
  }
});
