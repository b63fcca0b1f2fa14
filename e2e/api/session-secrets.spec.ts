import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { apiClient, eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";

/**
 * Secrets in session configs (webhook HMAC keys, custom header values, proxy passwords): every answer
 * redacts them, a config sent back redacted keeps them, `?revealSecrets=true` shows them. And the
 * files that hold them are the owner's only.
 */

type Config = Record<string, unknown> & { webhooks?: { hmac?: { key?: string } }[] };
type Session = { name: string; status: string; config: Config };
type ErrorBody = { statusCode: number; code: string; details?: { field: string; message: string }[] };

const HIDDEN = "[redacted]";
const SECRETS = ["hmac-key-1", "header-secret", "proxy-pass"];

let receiver: Receiver;

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { withDouble: true } });

test.beforeAll(async () => {
  receiver = await startReceiver();
});

test.afterAll(async () => {
  await receiver?.close();
});

const secretConfig = () => ({
  webhooks: [
    {
      url: receiver.url,
      events: ["session.status"],
      hmac: { key: "hmac-key-1" },
      customHeaders: [{ name: "X-Token", value: "header-secret" }],
    },
  ],
  proxy: { server: "proxy.local:3128", username: "operator", password: "proxy-pass" },
});
const redactedConfig = () => ({
  webhooks: [{ url: receiver.url, events: ["session.status"], hmac: { key: HIDDEN }, customHeaders: [{ name: "X-Token", value: HIDDEN }] }],
  proxy: { server: "proxy.local:3128", username: "operator", password: HIDDEN },
});
const revealed = async (api: ApiClient, name: string) => (await api.get<Session>(`/api/sessions/${name}?revealSecrets=true`)).body.config;

test("POST /api/sessions, GET /api/sessions/{session}, GET /api/sessions and stop answer the config with its secrets redacted", async ({
  api,
}) => {
  const created = await api.post<Session>("/api/sessions", { name: "secretive", start: false, config: secretConfig() });
  expect(created.status).toBe(201);
  const answers = [
    created,
    await api.get<Session>("/api/sessions/secretive"),
    await api.get<Session[]>("/api/sessions?all=true"),
    await api.post<Session>("/api/sessions/secretive/stop"),
  ];
  for (const answer of answers) {
    for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
    const session = Array.isArray(answer.body) ? answer.body.find((s) => s.name === "secretive") : answer.body;
    expect(session?.config).toEqual(redactedConfig());
  }
});

test("GET /api/sessions/{session}?revealSecrets=true answers the secrets (true/1; false/0 redact); another value is a 400", async ({
  api,
}) => {
  for (const value of ["true", "1", "True"])
    expect((await api.get<Session>(`/api/sessions/secretive?revealSecrets=${value}`)).body.config).toEqual(secretConfig());
  for (const value of ["false", "0"])
    expect((await api.get<Session>(`/api/sessions/secretive?revealSecrets=${value}`)).body.config).toEqual(redactedConfig());
  const bad = await api.get<ErrorBody>("/api/sessions/secretive?revealSecrets=please");
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ code: "validation_failed", details: [{ field: "revealSecrets" }] });
});

test("PUT /api/sessions/{session} with what GET answered keeps the secrets: the receiver still gets the right HMAC and header", async ({
  api,
}) => {
  const read = (await api.get<Session>("/api/sessions/secretive")).body.config;
  const put = await api.put<Session>("/api/sessions/secretive", { config: { ...read, debug: true } });
  expect(put.status).toBe(200);
  expect(put.body.config).toEqual({ ...redactedConfig(), debug: true });
  expect(await revealed(api, "secretive")).toEqual({ ...secretConfig(), debug: true });

  const before = receiver.requests.length;
  expect((await api.post("/api/sessions/secretive/webhooks/test", { webhook: 0 })).status).toBe(201);
  await receiver.waitFor(before + 1);
  const request = receiver.requests[before];
  expect(request.headers["x-webhook-hmac"]).toBe(createHmac("sha512", "hmac-key-1").update(request.body).digest("hex"));
  expect(request.headers["x-token"]).toBe("header-secret");
});

test("a placeholder that stands for no stored secret is a 400 naming the field, and nothing changes", async ({ api }) => {
  const before = await revealed(api, "secretive");
  const put = await api.put<ErrorBody>("/api/sessions/secretive", {
    config: { webhooks: [...redactedConfig().webhooks, { url: "https://new.example/hook", events: ["message"], hmac: { key: HIDDEN } }] },
  });
  expect(put.status).toBe(400);
  expect(put.body).toMatchObject({ code: "validation_failed", details: [{ field: "config.webhooks.1.hmac.key" }] });
  expect(await revealed(api, "secretive")).toEqual(before);

  const created = await api.post<ErrorBody>("/api/sessions", { name: "copied", start: false, config: redactedConfig() });
  expect(created.status).toBe(400);
  expect(created.body.details?.map((d) => d.field)).toEqual([
    "config.webhooks.0.hmac.key",
    "config.webhooks.0.customHeaders.0.value",
    "config.proxy.password",
  ]);
  expect((await api.get("/api/sessions/copied")).status).toBe(404);
});

test("POST /api/sessions/start (deprecated) keeps a secret sent back redacted, and answers it redacted", async ({ api }) => {
  const config = { webhooks: [{ url: receiver.url, events: ["session.status"], hmac: { key: "hmac-key-1" } }] };
  expect((await api.post("/api/sessions", { name: "legacy", start: false, config })).status).toBe(201);
  const read = (await api.get<Session>("/api/sessions/legacy")).body.config;
  const started = await api.post<Session>("/api/sessions/start", { name: "legacy", config: read });
  expect(started.status).toBe(201);
  expect(started.body.config).toEqual({ webhooks: [{ ...config.webhooks[0], hmac: { key: HIDDEN } }] });
  expect(await revealed(api, "legacy")).toEqual(config);
  // The session runs with the stored key: its status events are signed with it.
  const signed = await eventually(async () => receiver.requests.find((r) => JSON.parse(r.body.toString()).session === "legacy"), Boolean);
  expect(signed!.headers["x-webhook-hmac"]).toBe(createHmac("sha512", "hmac-key-1").update(signed!.body).digest("hex"));
  await api.post("/api/sessions/legacy/stop");
});

test("the data folder is created 0700 and the database 0600 with its -wal and -shm; a 0644 database is made 0600 at start", async ({
  startExtraServer,
}) => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-modes-")), "data");
  const database = path.join(dataDir, "switchboard.db");
  const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
  let own = await startExtraServer({ dataDir });
  expect((await apiClient(own).post("/api/sessions", { name: "m", start: false })).status).toBe(201);
  expect(modeOf(dataDir)).toBe("700");
  expect([database, `${database}-wal`, `${database}-shm`].map(modeOf)).toEqual(["600", "600", "600"]);
  await own.stop();

  for (const file of [database, `${database}-wal`, `${database}-shm`]) if (fs.existsSync(file)) fs.chmodSync(file, 0o644);
  own = await startExtraServer({ dataDir });
  expect(modeOf(database)).toBe("600");
  expect((await apiClient(own).get("/api/sessions/m")).status).toBe(200);
  expect([`${database}-wal`, `${database}-shm`].map(modeOf)).toEqual(["600", "600"]);
});
