import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";

/**
 * WAHA's server routes (status, environment, stop) and the logs (access line, each request's W3C trace
 * in its log lines and in the webhook deliveries it causes, the PRETTY format) in the built server, on
 * the TEST ONLY fake engine. Every secret the server is configured with is grepped for in what
 * /api/server/environment answers and in everything the server printed.
 */

const SECRETS = {
  dashboardPassword: "dashboard-pass-5d1c8e2a",
  cookieSecret: "cookie-secret-9b3f6a0d",
  proxyPassword: "proxy-pass-2e7a4c1f",
  globalHmacKey: "global-hmac-7c2e9f4b",
  globalHookToken: "global-token-4a8d0b6e",
  headerToken: "header-token-1f5b9c3d",
  sessionHmacKey: "session-hmac-8e0a3d5c",
  sessionProxyPassword: "session-proxy-6c4f1e9b",
};

test.describe.configure({ mode: "serial" });
test.use({
  serverOptions: {
    env: {
      SWITCHBOARD_TEST_ENGINE: "fake",
      WAHA_WORKER_ID: "w-logs",
      WAHA_HTTP_LOG_LEVEL: "info",
      WAHA_PRINT_QR: "false",
      WAHA_DASHBOARD_PASSWORD: SECRETS.dashboardPassword,
      NEXTAUTH_SECRET: SECRETS.cookieSecret,
      WHATSAPP_PROXY_SERVER: "127.0.0.1:9",
      WHATSAPP_PROXY_SERVER_USERNAME: "proxy-user",
      WHATSAPP_PROXY_SERVER_PASSWORD: SECRETS.proxyPassword,
      // Nothing listens there: its deliveries fail (and retry) while the specs run.
      WHATSAPP_HOOK_URL: `http://127.0.0.1:9/global?token=${SECRETS.globalHookToken}`,
      WHATSAPP_HOOK_EVENTS: "session.status",
      WHATSAPP_HOOK_HMAC_KEY: SECRETS.globalHmacKey,
      WHATSAPP_HOOK_CUSTOM_HEADERS: `Authorization: Bearer ${SECRETS.headerToken}`,
    },
  },
});

type LogLine = { level: number; msg: string; trace_id?: string; span_id?: string; url?: string; status?: number; signal?: string };

/** The server's JSON log lines (a line that is not JSON, like a stack trace of Chromium, is skipped). */
function logLines(output: string): LogLine[] {
  return output.split("\n").flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === "object" && parsed !== null ? [parsed as LogLine] : [];
    } catch {
      return [];
    }
  });
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let receiver: Receiver;
test.beforeAll(async () => {
  // The first request with our trace fails, so its retry shows what a retry sends.
  let tracedAttempts = 0;
  receiver = await startReceiver((request) =>
    request.headers.traceparent?.includes(TRACE_ID) && tracedAttempts++ === 0 ? { status: 503 } : { status: 200 },
  );
});
test.afterAll(() => receiver.close());

test("the server routes answer only with the API key, and are in the OpenAPI document", async ({ api }) => {
  for (const [method, path] of [
    ["GET", "/api/server/status"],
    ["GET", "/api/server/environment"],
    ["POST", "/api/server/stop"],
  ] as const) {
    const response = await api.call(method, path, { apiKey: null });
    expect(response.status, `${method} ${path}`).toBe(401);
  }
  expect((await api.get("/api/server/status")).status).toBe(200);
  const openapi = await api.get<{ paths: Record<string, Record<string, unknown>> }>("/api/openapi.json");
  expect(openapi.status).toBe(200);
  expect(Object.keys(openapi.body.paths["/api/server/status"]!)).toEqual(["get"]);
  expect(Object.keys(openapi.body.paths["/api/server/environment"]!)).toEqual(["get"]);
  expect(Object.keys(openapi.body.paths["/api/server/stop"]!)).toEqual(["post"]);
});

test("status says when the process started, how long it has run and which worker it is", async ({ api, server }) => {
  type Status = { startTimestamp: number; uptime: number; worker: { id: string } };
  const first = (await api.get<Status>("/api/server/status")).body;
  expect(first.worker).toEqual({ id: "w-logs" });
  expect(Math.abs(first.startTimestamp + first.uptime - Date.now())).toBeLessThan(5_000);
  const later = await eventually(
    async () => (await api.get<Status>("/api/server/status")).body,
    (status) => status.uptime > first.uptime,
  );
  expect(Math.abs(later.startTimestamp - first.startTimestamp)).toBeLessThan(50);
  expect(server.process.pid).toBeGreaterThan(0);
});

test("environment shows the effective settings and none of the secrets", async ({ api, server }) => {
  const set = await api.get<Record<string, unknown>>("/api/server/environment");
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({
    WAHA_WORKER_ID: "w-logs",
    WAHA_HTTP_LOG_LEVEL: "info",
    WAHA_PRINT_QR: false,
    WAHA_API_KEY: "[redacted]",
    WAHA_DASHBOARD_PASSWORD: "[redacted]",
    WHATSAPP_HOOK_HMAC_KEY: "[redacted]",
    WHATSAPP_HOOK_URL: "http://127.0.0.1:9/[redacted]",
    WHATSAPP_PROXY_SERVER_USERNAME: "proxy-user",
  });
  expect(set.body.SWITCHBOARD_HISTORY_ROWS).toBeUndefined();
  expect(set.body.PATH).toBeUndefined();
  const all = await api.get<Record<string, unknown>>("/api/server/environment?all=true");
  expect(all.body).toMatchObject({ SWITCHBOARD_HISTORY_ROWS: 200, WAHA_LOG_FORMAT: "JSON", SWITCHBOARD_CHROME_PATH: null });
  for (const text of [set.text, all.text]) {
    for (const secret of [server.apiKey, ...Object.values(SECRETS)]) expect(text).not.toContain(secret);
  }

  const wrong = await api.get<{ details: { field: string }[] }>("/api/server/environment?all=maybe");
  expect(wrong.status).toBe(400);
  expect(wrong.body.details.map((detail) => detail.field)).toEqual(["all"]);
});

test("a request's traceparent reaches the webhook deliveries it causes, retries too, and its log lines", async ({ api, server }) => {
  const created = await api.post(
    "/api/sessions",
    {
      name: "traced",
      config: {
        proxy: { server: "127.0.0.1:9", username: "u", password: SECRETS.sessionProxyPassword },
        webhooks: [
          {
            url: receiver.url,
            events: ["session.status"],
            hmac: { key: SECRETS.sessionHmacKey },
            retries: { policy: "constant", delaySeconds: 0.2, attempts: 5 },
          },
        ],
      },
    },
    { headers: { traceparent: TRACEPARENT } },
  );
  expect(created.status).toBe(201);

  // STARTING is the create request's doing; the two attempts at it carry its trace under this server's span.
  await eventually(
    async () => receiver.requests.filter((request) => request.headers.traceparent?.includes(TRACE_ID)).length,
    (count) => count >= 2,
  );
  const traced = receiver.requests.filter((request) => request.headers.traceparent?.includes(TRACE_ID));
  expect(new Set(traced.map((request) => request.headers["x-webhook-request-id"])).size).toBe(1);
  expect(JSON.parse(traced[0]!.body.toString())).toMatchObject({ event: "session.status", payload: { status: "STARTING" } });
  const header = String(traced[0]!.headers.traceparent);
  expect(traced[1]!.headers.traceparent).toBe(header);
  const [, , serverSpan] = header.split("-");
  expect(header).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  expect(serverSpan).not.toBe("00f067aa0ba902b7");

  // What the session does later on its own (WORKING, from its engine) belongs to no request.
  await eventually(
    async () => receiver.requests.map((request) => JSON.parse(request.body.toString()) as { payload: { status: string } }),
    (events) => events.some((event) => event.payload.status === "WORKING"),
  );
  const working = receiver.requests.find((request) => request.body.toString().includes('"WORKING"'))!;
  expect(working.headers.traceparent ?? "").not.toContain(TRACE_ID);

  // The request's own log lines carry the trace and this server's span: the parent the receiver saw.
  const lines = await eventually(
    async () => logLines(server.output()).filter((line) => line.trace_id === TRACE_ID),
    (found) => found.some((line) => line.msg === "request completed"),
  );
  expect(lines.every((line) => line.span_id === serverSpan)).toBe(true);
  expect(lines.find((line) => line.msg === "request completed")).toMatchObject({ level: 30, url: "/api/sessions", status: 201 });

  // A request without a traceparent gets a trace of its own, in its access line too.
  await api.get("/api/server/status?probe=untraced");
  const untraced = await eventually(
    async () => logLines(server.output()).find((line) => line.url === "/api/server/status?probe=untraced"),
    (line) => line !== undefined,
  );
  expect(untraced!.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(untraced!.trace_id).not.toBe(TRACE_ID);
});

test("no configured secret is ever logged, an API key sent in the URL included", async ({ api, server }) => {
  await api.get(`/api/server/status?x-api-key=${server.apiKey}`, { apiKey: null });
  await eventually(
    async () => server.output(),
    (output) => output.includes("/api/server/status?x-api-key="),
  );
  const output = server.output();
  for (const [name, secret] of Object.entries({ apiKey: server.apiKey, ...SECRETS })) expect(output, name).not.toContain(secret);
});

test("stop answers first, then stops as SIGTERM does; started again, the sessions come back", async ({ api, server }) => {
  const bad = await api.post<{ details: { field: string }[] }>("/api/server/stop", { force: "yes" });
  expect(bad.status).toBe(400);
  expect(bad.body.details.map((detail) => detail.field)).toEqual(["force"]);
  expect((await api.get("/api/server/status")).status).toBe(200);

  const stopped = await api.post("/api/server/stop", {});
  expect([stopped.status, stopped.body]).toEqual([201, { stopping: true }]);
  await eventually(
    async () => server.process.exitCode,
    (code) => code !== null,
  );
  expect(server.process.exitCode).toBe(0);
  expect(logLines(server.output()).find((line) => line.msg.startsWith("shutting down"))).toMatchObject({ signal: "POST /api/server/stop" });

  // What a service manager does next.
  await server.start();
  await eventually(
    async () => (await api.get<{ status: string }>("/api/sessions/traced")).body.status,
    (status) => status === "WORKING",
  );

  const forced = await api.post("/api/server/stop", { force: true });
  expect([forced.status, forced.body]).toEqual([201, { stopping: true }]);
  await eventually(
    async () => server.process.exitCode,
    (code) => code !== null,
  );
  expect(server.process.exitCode).toBe(1);
  await server.start();
  expect((await api.get("/api/server/status")).status).toBe(200);
});

test("WAHA_LOG_FORMAT=PRETTY prints one readable line per entry, with the trace", async ({ startExtraServer }) => {
  const pretty = await startExtraServer({
    env: { SWITCHBOARD_TEST_ENGINE: "fake", WAHA_LOG_FORMAT: "PRETTY", WAHA_HTTP_LOG_LEVEL: "info" },
  });
  await fetch(`${pretty.url}/api/server/status`, { headers: { "X-Api-Key": pretty.apiKey, traceparent: TRACEPARENT } });
  const line = await eventually(
    async () =>
      pretty
        .output()
        .split("\n")
        .find((text) => text.includes("request completed") && text.includes(TRACE_ID)),
    (found) => found !== undefined,
  );
  expect(line).toMatch(
    new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[http\\] request completed .*trace_id=${TRACE_ID}`),
  );
  expect(line).toContain("url=/api/server/status");
  expect(pretty.output()).toMatch(/INFO  Switchboard listening on http:\/\/localhost:\d+/);
  expect(
    pretty
      .output()
      .split("\n")
      .filter((text) => text.startsWith("{")),
  ).toEqual([]);
});
