import fs from "node:fs";
import { apiClient, eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { doubleEnv } from "../support/server";
import { processesMatching } from "../support/processes";

/** The sessions REST API against the real built server, a real SQLite file and the WhatsApp Web double. */

type Session = {
  name: string;
  status: string;
  config: Record<string, unknown>;
  me: unknown;
  engine: { engine: string };
  statuses: { status: string; reason: string | null; timestamp: number }[];
  timestamps: { activity: number | null };
};
type ErrorBody = { statusCode: number; error: string; message: string; code: string; details?: { field: string; message: string }[] };

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { withDouble: true } });

const status = async (api: ApiClient, name: string) => (await api.get<Session>(`/api/sessions/${name}`)).body.status;

test.describe("auth", () => {
  const routes: [string, string][] = [
    ["GET", "/api/sessions"],
    ["POST", "/api/sessions"],
    ["GET", "/api/sessions/x"],
    ["PUT", "/api/sessions/x"],
    ["DELETE", "/api/sessions/x"],
    ["POST", "/api/sessions/x/start"],
    ["POST", "/api/sessions/x/stop"],
    ["POST", "/api/sessions/x/restart"],
    ["POST", "/api/sessions/x/logout"],
    ["GET", "/api/sessions/x/me"],
    ["GET", "/api/x/auth/qr"],
    ["POST", "/api/x/auth/request-code"],
    ["GET", "/api/screenshot?session=x"],
    ["POST", "/api/sessions/start"],
    ["POST", "/api/sessions/stop"],
    ["POST", "/api/sessions/logout"],
    ["GET", "/api/server/version"],
    ["GET", "/api/version"],
    ["GET", "/api/openapi.json"],
  ];

  test("every /api route answers 401 without a key or with a wrong one", async ({ api }) => {
    for (const [method, path] of routes) {
      for (const apiKey of [null, "wrong-key"]) {
        const response = await api.call<ErrorBody>(method, path, { apiKey, rawBody: method === "GET" ? undefined : "{}" });
        expect(response.status, `${method} ${path} with key ${apiKey}`).toBe(401);
        expect(response.body).toEqual({ statusCode: 401, error: "Unauthorized", message: "Unauthorized", code: "unauthorized" });
      }
    }
  });

  test("the key is accepted as ?x-api-key= too", async ({ server, api }) => {
    const response = await api.get(`/api/sessions?x-api-key=${server.apiKey}`, { apiKey: null });
    expect(response.status).toBe(200);
  });

  test("GET /ping and GET /health are public; health reports the database", async ({ api }) => {
    expect((await api.get("/ping", { apiKey: null })).body).toEqual({ message: "pong" });
    const health = await api.get<{ status: string; database: { status: string } }>("/health", { apiKey: null });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("ok");
    expect(health.body.database.status).toBe("up");
  });

  test("GET /api/server/version reports the version", async ({ api }) => {
    const response = await api.get<{ version: string; engine: string }>("/api/server/version");
    expect(response.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(response.body.engine).toBe("WEBJS");
  });
});

test.describe("create, read, update", () => {
  test("POST /api/sessions without a name generates one; start:false creates it STOPPED", async ({ api }) => {
    const response = await api.post<Session>("/api/sessions", { start: false });
    expect(response.status).toBe(201);
    expect(response.body.name).toMatch(/^session_[0-9a-z]{26}$/);
    expect(response.body).toMatchObject({ status: "STOPPED", config: {}, me: null, engine: { engine: "WEBJS" } });
    expect((await api.get<Session>(`/api/sessions/${response.body.name}`)).body.status).toBe("STOPPED");
  });

  test("POST /api/sessions stores the config as given and an existing name is 422", async ({ api }) => {
    const config = {
      metadata: { "user.id": "42" },
      webhooks: [{ url: "http://127.0.0.1:9/hook", events: ["session.status"], hmac: { key: "k" } }],
      debug: true,
    };
    expect((await api.post("/api/sessions", { name: "cfg", start: false, config })).status).toBe(201);
    const again = await api.post<ErrorBody>("/api/sessions", { name: "cfg", start: false, config: { debug: false } });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ statusCode: 422, error: "Unprocessable Entity", code: "session_exists" });
    expect(again.body.message).toBe("Session 'cfg' already exists. Use PUT to update it.");
    // Stored as given; answers redact the HMAC key (session-secrets.spec.ts covers secrets in full).
    expect((await api.get<Session>("/api/sessions/cfg?revealSecrets=true")).body.config).toEqual(config);
    expect((await api.get<Session>("/api/sessions/cfg")).body.config).toEqual({
      ...config,
      webhooks: [{ ...config.webhooks[0], hmac: { key: "[redacted]" } }],
    });
  });

  test("bad input gets 400 naming the field, and nothing stored changes", async ({ api }) => {
    const before = (await api.get<Session>("/api/sessions/cfg")).body.config;
    const cases: [string, string, string | RegExp][] = [
      ["POST", JSON.stringify({ name: "bad name" }), "name"],
      ["POST", JSON.stringify({ name: "x".repeat(55) }), "name"],
      // The dashboard's create page is /sessions/new: a session of that name could not be opened there.
      ["POST", JSON.stringify({ name: "new" }), "name"],
      ["POST /api/sessions/start", JSON.stringify({ name: "new" }), "name"],
      ["POST", JSON.stringify({ start: "yes" }), "start"],
      ["POST", JSON.stringify({ config: { metadata: { a: 1 } } }), "config.metadata.a"],
      ["POST", JSON.stringify({ config: { webhooks: [{ url: "ftp://x.test/h", events: [] }] } }), "config.webhooks.0.url"],
      ["POST", JSON.stringify({ config: { webhooks: [{ url: "http://x.test", events: ["nope"] }] } }), "config.webhooks.0.events.0"],
      [
        "POST",
        JSON.stringify({ config: { webhooks: [{ url: "http://x.test", events: [], retries: { policy: "random" } }] } }),
        "config.webhooks.0.retries.policy",
      ],
      ["POST", JSON.stringify({ config: { debug: "true" } }), "config.debug"],
      ["POST", JSON.stringify({ config: [] }), "config"],
      ["PUT", JSON.stringify({ config: { metadata: { a: { b: "c" } } } }), "config.metadata.a"],
      ["PUT", JSON.stringify({ config: { proxy: { server: 3128 } } }), "config.proxy.server"],
    ];
    for (const [request, rawBody, field] of cases) {
      const [method, path = method === "POST" ? "/api/sessions" : "/api/sessions/cfg"] = request.split(" ");
      const response = await api.call<ErrorBody>(method, path, { rawBody });
      expect(response.status, rawBody).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: "Bad Request", code: "validation_failed" });
      expect(
        response.body.details?.map((d) => d.field),
        rawBody,
      ).toContain(field);
      expect(response.body.message).toContain(field as string);
    }
    const malformed = await api.call<ErrorBody>("PUT", "/api/sessions/cfg", { rawBody: '{"config": {' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("invalid_json");
    const oversized = await api.call<ErrorBody>("PUT", "/api/sessions/cfg", {
      rawBody: JSON.stringify({ config: { metadata: { big: "x".repeat(2 * 1024 * 1024) } } }),
    });
    expect(oversized.status).toBe(400);
    expect(oversized.body.code).toBe("payload_too_large");
    expect((await api.get<Session>("/api/sessions/cfg")).body.config).toEqual(before);
    expect((await api.get("/api/sessions/new")).status).toBe(404);
  });

  test("unknown fields are stripped", async ({ api }) => {
    const response = await api.post<Session>("/api/sessions", {
      name: "stripped",
      start: false,
      bogus: 1,
      config: { debug: true, extra: "x" },
    });
    expect(response.status).toBe(201);
    expect(response.body.config).toEqual({ debug: true });
  });

  test("PUT /api/sessions/{session} replaces the whole config; unknown session is 404", async ({ api }) => {
    const response = await api.put<Session>("/api/sessions/cfg", { config: { metadata: { plan: "pro" } } });
    expect(response.status).toBe(200);
    expect(response.body.config).toEqual({ metadata: { plan: "pro" } });
    const missing = await api.put<ErrorBody>("/api/sessions/nope", { config: {} });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: "Not Found", code: "session_not_found" });
  });

  test("GET /api/sessions/{session} of an unknown session is 404", async ({ api }) => {
    const response = await api.get<ErrorBody>("/api/sessions/nope");
    expect(response.status).toBe(404);
    expect(response.body.message).toBe("Session 'nope' not found");
  });
});

test.describe("lifecycle", () => {
  test("POST /api/sessions starts by default and reaches SCAN_QR_CODE with a QR in three formats", async ({ server, api }) => {
    const created = await api.post<Session>("/api/sessions", { name: "alpha" });
    expect(created.status).toBe(201);
    expect(["STARTING", "SCAN_QR_CODE"]).toContain(created.body.status);
    const raw = await api.get<{ value: string }>("/api/alpha/auth/qr?format=raw");
    expect(raw.status).toBe(200);
    expect(raw.body.value.split(",")).toHaveLength(5);
    expect(await status(api, "alpha")).toBe("SCAN_QR_CODE");

    const png = await fetch(`${server.url}/api/alpha/auth/qr`, { headers: { "X-Api-Key": server.apiKey } });
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("cache-control")).toBe("no-cache, no-store");
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    const base64 = await api.get<{ mimetype: string; data: string }>("/api/alpha/auth/qr", { headers: { Accept: "application/json" } });
    expect(base64.body.mimetype).toBe("image/png");
    expect(Buffer.from(base64.body.data, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  test("start is idempotent; stop is idempotent; the default list shows running sessions only", async ({ api }) => {
    const statusesBefore = (await api.get<Session>("/api/sessions/alpha")).body.statuses.length;
    const started = await api.post<Session>("/api/sessions/alpha/start");
    expect(started.status).toBe(201);
    expect(started.body.statuses.length).toBe(statusesBefore);
    expect((await api.get<Session[]>("/api/sessions")).body.map((s) => s.name)).toContain("alpha");

    for (let i = 0; i < 2; i++) {
      const stopped = await api.post<Session>("/api/sessions/alpha/stop");
      expect(stopped.status).toBe(201);
      expect(stopped.body.status).toBe("STOPPED");
    }
    expect((await api.get<Session[]>("/api/sessions")).body.map((s) => s.name)).not.toContain("alpha");
    expect((await api.get<Session[]>("/api/sessions?all=true")).body.map((s) => s.name)).toContain("alpha");
    expect((await api.get<Session>("/api/sessions/alpha")).body.statuses.at(-1)).toMatchObject({
      status: "STOPPED",
      reason: "stopped via API",
    });
  });

  test("stop of an unknown session is an empty 201", async ({ api }) => {
    const response = await api.post("/api/sessions/nobody/stop");
    expect(response.status).toBe(201);
    expect(response.text).toBe("");
  });

  test("QR of a stopped or unknown session gives WAHA's 422 bodies", async ({ api }) => {
    const stopped = await api.get<Record<string, unknown>>("/api/alpha/auth/qr");
    expect(stopped.status).toBe(422);
    expect(stopped.body).toMatchObject({
      error: "Session status is not as expected. Try again later or restart the session",
      session: "alpha",
      status: "STOPPED",
      expected: ["SCAN_QR_CODE"],
    });
    const missing = await api.get<Record<string, unknown>>("/api/ghost/auth/qr");
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ error: 'Session "ghost" does not exist', session: "ghost" });
  });

  test("me is null for a stopped session; pairing code and screenshot need a running one", async ({ api }) => {
    const me = await api.get("/api/sessions/alpha/me");
    expect(me.status).toBe(200);
    expect(me.text).toBe("");
    expect((await api.post("/api/alpha/auth/request-code", { phoneNumber: "15550001111" })).status).toBe(404);
    expect((await api.get("/api/screenshot?session=alpha")).status).toBe(404);
    expect((await api.get("/api/sessions/ghost/me")).status).toBe(404);
  });

  test("restart works from STOPPED; PUT restarts a running session when a field its browser reads changed, and not for metadata", async ({
    api,
  }) => {
    const restarted = await api.post<Session>("/api/sessions/alpha/restart");
    expect(restarted.status).toBe(201);
    await eventually(
      () => status(api, "alpha"),
      (s) => s === "SCAN_QR_CODE",
    );
    const updated = await api.put<Session>("/api/sessions/alpha", { config: { metadata: { v: "2" }, debug: true } });
    expect(updated.body.config).toEqual({ metadata: { v: "2" }, debug: true });
    expect(updated.body.statuses.some((s) => s.reason === "config updated")).toBe(true);
    await eventually(
      () => status(api, "alpha"),
      (s) => s === "SCAN_QR_CODE",
    );
    const restarts = updated.body.statuses.filter((s) => s.reason === "config updated").length;
    const live = await api.put<Session>("/api/sessions/alpha", { config: { metadata: { v: "3" }, debug: true } });
    expect(live.body.config).toEqual({ metadata: { v: "3" }, debug: true });
    expect(live.body.status).toBe("SCAN_QR_CODE");
    expect(live.body.statuses.filter((s) => s.reason === "config updated").length).toBe(restarts);
  });

  test("logout keeps the config and starts again from scratch when it was running", async ({ server, api }) => {
    const response = await api.post<Session>("/api/sessions/alpha/logout");
    expect(response.status).toBe(201);
    expect(response.body.config).toEqual({ metadata: { v: "3" }, debug: true });
    expect(response.body.me).toBeNull();
    await eventually(
      () => status(api, "alpha"),
      (s) => s === "SCAN_QR_CODE",
    );
    expect(fs.existsSync(`${server.dataDir}/sessions/alpha`)).toBe(true);
  });

  test("DELETE is idempotent, stops the browser and wipes auth data and config", async ({ server, api }) => {
    expect((await api.delete("/api/sessions/alpha")).status).toBe(200);
    expect((await api.delete("/api/sessions/alpha")).status).toBe(200);
    expect((await api.get("/api/sessions/alpha")).status).toBe(404);
    expect(fs.existsSync(`${server.dataDir}/sessions/alpha`)).toBe(false);
    await eventually(
      async () => processesMatching(`${server.dataDir}/sessions`).length,
      (n) => n === 0,
      10_000,
    );
  });

  test("deprecated POST /api/sessions/start|stop|logout", async ({ api }) => {
    const started = await api.post<Session>("/api/sessions/start", { name: "legacy", config: { debug: true } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ name: "legacy", config: { debug: true } });
    const again = await api.post<ErrorBody>("/api/sessions/start", { name: "legacy" });
    expect(again.status).toBe(422);
    expect(again.body.message).toBe("Session 'legacy' is already started.");
    expect((await api.post("/api/sessions/stop", { name: "legacy" })).status).toBe(201);
    expect(await status(api, "legacy")).toBe("STOPPED");
    expect((await api.post("/api/sessions/stop", { name: "legacy", logout: true })).status).toBe(201);
    expect((await api.get("/api/sessions/legacy")).status).toBe(404);
    await api.post("/api/sessions", { name: "legacy2", start: false });
    expect((await api.post("/api/sessions/logout", { name: "legacy2" })).status).toBe(201);
    expect((await api.get("/api/sessions/legacy2")).status).toBe(404);
    expect((await api.post<ErrorBody>("/api/sessions/start", {})).body.details?.[0].field).toBe("name");
  });
});

test.describe("search", () => {
  test("GET /api/sessions filters by metadata, status and free text on the server, with pagination", async ({ api }) => {
    for (let i = 0; i < 12; i++) {
      const name = `tenant-${String(i).padStart(2, "0")}`;
      const metadata = { tenant: i % 2 ? "acme" : "globex", plan: i % 3 ? "basic" : "pro", email: `ops${i}@example.com` };
      expect((await api.post("/api/sessions", { name, start: false, config: { metadata } })).status).toBe(201);
    }
    const names = async (query: string) => {
      const response = await api.get<Session[]>(`/api/sessions?all=true&${query}`);
      expect(response.status, query).toBe(200);
      return { names: response.body.map((s) => s.name), total: Number(response.headers.get("x-total-count")) };
    };
    expect((await names("metadata.tenant=acme")).names).toEqual([
      "tenant-01",
      "tenant-03",
      "tenant-05",
      "tenant-07",
      "tenant-09",
      "tenant-11",
    ]);
    expect((await names("metadata.tenant=acme&metadata.plan=pro")).names).toEqual(["tenant-03", "tenant-09"]);
    expect((await names("q=ops7@")).names).toEqual(["tenant-07"]);
    expect((await names("q=tenant-1")).names).toEqual(["tenant-10", "tenant-11"]);
    const page = await names("q=tenant&limit=5&offset=5");
    expect(page.names).toEqual(["tenant-05", "tenant-06", "tenant-07", "tenant-08", "tenant-09"]);
    expect(page.total).toBe(12);
    expect((await names("q=tenant&status=STOPPED")).total).toBe(12);
    expect((await names("q=tenant&status=WORKING")).total).toBe(0);
    expect((await api.get<ErrorBody>("/api/sessions?all=maybe")).status).toBe(400);
    expect((await api.get<ErrorBody>("/api/sessions?status=BUSY")).body.details?.[0].field).toMatch(/^status/);
  });
});

test.describe("OpenAPI", () => {
  test("GET /api/openapi.json matches WAHA's sessions paths, methods, status codes and required fields", async ({ api }) => {
    type Operation = {
      responses: Record<string, unknown>;
      parameters?: { name: string; in: string }[];
      deprecated?: boolean;
      requestBody?: { content?: { "application/json"?: { schema?: { $ref?: string } } } };
    };
    type Expected = { statusCodes: string[]; pathParams: string[]; requestBody: string | null; deprecated: boolean };
    const waha = JSON.parse(fs.readFileSync(new URL("../fixtures/waha-openapi-sessions.json", import.meta.url), "utf8")) as {
      paths: Record<string, Record<string, Expected>>;
      required: Record<string, string[]>;
    };
    const doc = (
      await api.get<{
        openapi: string;
        paths: Record<string, Record<string, Operation>>;
        components: { schemas: Record<string, { required?: string[] }> };
      }>("/api/openapi.json")
    ).body;
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, methods] of Object.entries(waha.paths)) {
      for (const [method, expected] of Object.entries(methods)) {
        const operation = doc.paths[path]?.[method];
        expect(operation, `${method.toUpperCase()} ${path}`).toBeTruthy();
        for (const code of expected.statusCodes) expect(Object.keys(operation.responses), `${method} ${path}`).toContain(code);
        const pathParams = (operation.parameters ?? [])
          .filter((p) => p.in === "path")
          .map((p) => p.name)
          .sort();
        expect(pathParams, `${method} ${path}`).toEqual(expected.pathParams);
        expect(Boolean(operation.deprecated), `${method} ${path}`).toBe(expected.deprecated);
        const body = operation.requestBody?.content?.["application/json"]?.schema?.$ref?.split("/").pop() ?? null;
        expect(body, `${method} ${path}`).toBe(expected.requestBody);
      }
    }
    for (const [name, required] of Object.entries(waha.required)) {
      const schema = doc.components.schemas[name];
      expect(schema, name).toBeTruthy();
      const ours = [...(schema.required ?? [])].sort();
      // Requests must not demand more than WAHA does; responses may promise more.
      if (name.endsWith("Request") || ["SessionConfig", "WebhookConfig", "ProxyConfig", "CustomHeader"].includes(name)) {
        expect(ours, name).toEqual(required);
      } else {
        for (const field of required) expect(ours, name).toContain(field);
      }
    }
  });

  test("/docs renders the interactive docs from local assets", async ({ server }) => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
    expect((await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });
});

test.describe("concurrency", () => {
  test("50 concurrent mixed requests on one session leave a consistent state", async ({ server, api }) => {
    await api.post("/api/sessions", { name: "busy", start: false });
    const operations = [
      () => api.post("/api/sessions/busy/start"),
      () => api.post("/api/sessions/busy/stop"),
      () => api.post("/api/sessions/busy/restart"),
      () => api.put("/api/sessions/busy", { config: { metadata: { n: String(Math.random()) } } }),
      () => api.get("/api/sessions/busy"),
      () => api.post("/api/sessions/busy/logout"),
    ];
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => operations[i % operations.length]()));
    for (const response of responses) expect(response.status, response.text).toBeLessThan(300);

    // The last command decides: stop, then the stored and live views agree and no browser is left.
    await api.post("/api/sessions/busy/stop");
    const session = (await api.get<Session>("/api/sessions/busy")).body;
    expect(session.status).toBe("STOPPED");
    const listed = (await api.get<Session[]>("/api/sessions?all=true&q=busy")).body;
    expect(listed.map((s) => s.name)).toEqual(["busy"]);
    const allowed: Record<string, string[]> = {
      STOPPED: ["STARTING"],
      STARTING: ["SCAN_QR_CODE", "WORKING", "FAILED", "STOPPED"],
      SCAN_QR_CODE: ["SCAN_QR_CODE", "WORKING", "STARTING", "FAILED", "STOPPED"],
      WORKING: ["WORKING", "SCAN_QR_CODE", "STARTING", "FAILED", "STOPPED"],
      FAILED: ["STARTING", "STOPPED"],
    };
    session.statuses.slice(1).forEach((change, i) => {
      expect(allowed[session.statuses[i].status], JSON.stringify(session.statuses)).toContain(change.status);
    });
    await eventually(
      async () => processesMatching(`${server.dataDir}/sessions`).length,
      (n) => n === 0,
      10_000,
    );
  });
});

test.describe("persistence", () => {
  test("configs, desired state and a generated API key survive a server restart", async ({ double, startExtraServer }) => {
    const dataDir = fs.mkdtempSync("/tmp/switchboard-restart-");
    const env = doubleEnv(double);
    const first = await startExtraServer({ dataDir, env, apiKey: "" });
    const key = fs.readFileSync(`${dataDir}/api-key`, "utf8").trim();
    const client = apiClient({ url: first.url, apiKey: key });
    await client.post("/api/sessions", { name: "kept", start: false, config: { metadata: { team: "ops" } } });
    await client.post("/api/sessions", { name: "runner" });
    await eventually(
      async () => (await client.get<Session>("/api/sessions/runner")).body.status,
      (s) => s === "SCAN_QR_CODE",
    );
    await first.stop();
    expect(processesMatching(`${dataDir}/sessions`)).toEqual([]);

    const second = await startExtraServer({ dataDir, env, apiKey: "" });
    expect(second.output()).not.toContain("Generated an API key");
    const again = apiClient({ url: second.url, apiKey: key });
    expect((await again.get<Session>("/api/sessions/kept")).body).toMatchObject({
      status: "STOPPED",
      config: { metadata: { team: "ops" } },
    });
    const runner = await eventually(
      async () => (await again.get<Session>("/api/sessions/runner")).body,
      (s) => s.status === "SCAN_QR_CODE",
    );
    expect(runner.statuses.some((s) => s.reason === "restored at boot")).toBe(true);
    await second.stop();
    expect(processesMatching(`${dataDir}/sessions`)).toEqual([]);
  });

  test("a second server on the same data folder refuses to start, naming it; after a kill -9 of the first, a restart starts at once", async ({
    startExtraServer,
  }) => {
    const first = await startExtraServer();
    const second = startExtraServer({ dataDir: first.dataDir });
    await expect(second).rejects.toThrow(`The data folder ${first.dataDir} is in use by another Switchboard process`);
    expect((await apiClient(first).get("/api/sessions")).status).toBe(200);

    // The kernel dropped the lock with its holder: nothing to clean up before the restart.
    await first.kill();
    await first.start();
    expect((await apiClient(first).get("/api/sessions")).status).toBe(200);
  });

  test("WAHA_HTTP_STRICT_MODE rejects unknown fields", async ({ startExtraServer }) => {
    const strict = await startExtraServer({ env: { WAHA_HTTP_STRICT_MODE: "true" } });
    const response = await apiClient(strict).post<ErrorBody>("/api/sessions", { name: "s", start: false, config: { bogus: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([{ field: "config.bogus", message: "property config.bogus should not exist" }]);
    expect((await apiClient(strict).get("/api/sessions/s")).status).toBe(404);
  });
});
