import net from "node:net";
import { ZErrorBodySchema, type TErrorBody } from "@/lib/errors";
import { eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";

/**
 * Regressions of the hardening probe: bad input is a 4xx in the error shape and changes nothing,
 * every /api error is JSON, security headers on every path, credentials never logged, slow or
 * abandoned uploads cannot hold a connection. No session is started: no Chromium is needed.
 */

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { WAHA_LOG_LEVEL: "debug", SWITCHBOARD_REQUEST_TIMEOUT_SECONDS: "2" } } });

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: "kept", start: false, config: { metadata: { plan: "pro" }, debug: true } })).status).toBe(
    201,
  );
});

const storedConfig = async (api: ApiClient) => (await api.get<{ config: unknown }>("/api/sessions/kept")).body.config;

function expectError(response: { status: number; headers: Headers; body: unknown }, status: number, field?: string): TErrorBody {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = ZErrorBodySchema.parse(response.body);
  expect(body.statusCode).toBe(status);
  if (field) expect(body.details?.map((d) => d.field)).toContain(field);
  return body;
}

test("a lone UTF-16 surrogate in metadata is a 400 naming the field, and nothing is stored", async ({ api }) => {
  const before = await storedConfig(api);
  for (const [method, path, rawBody] of [
    ["POST", "/api/sessions", '{"name":"surrogate","start":false,"config":{"metadata":{"k":"\\ud800"}}}'],
    ["PUT", "/api/sessions/kept", '{"config":{"metadata":{"k":"\\udc00x"}}}'],
  ]) {
    expectError(await api.call(method, path, { rawBody }), 400, "config.metadata.k");
  }
  expectError(await api.get("/api/sessions/surrogate"), 404);
  expect(await storedConfig(api)).toEqual(before);
});

test("a path segment that cannot be a session name is a 400 naming `session`, for every verb", async ({ api }) => {
  for (const [method, path] of [
    ["DELETE", "/api/sessions/bad%20name"],
    ["GET", "/api/sessions/bad%20name"],
    ["POST", "/api/sessions/bad%20name/start"],
    ["GET", "/api/bad%20name/auth/qr"],
    ["DELETE", `/api/sessions/${"x".repeat(55)}`],
  ]) {
    expectError(await api.call(method, path), 400, "session");
  }
  expect((await api.get("/health")).status).toBe(200);
});

test("GET /docs/assets/<an Object.prototype member> is a 404 in the error shape, not a 500", async ({ server, api }) => {
  for (const file of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    expectError(await api.get(`/docs/assets/${file}`, { apiKey: null }), 404);
  }
  expect(server.output()).not.toContain("unhandled error");
});

test("PUT /api/sessions/{session} whose fields are all unknown is a 400 naming them; {} and {config:{}} keep WAHA's meaning", async ({
  api,
}) => {
  const before = await storedConfig(api);
  const typo = expectError(await api.put("/api/sessions/kept", { conifg: { webhooks: [] }, also: 1 }), 400, "conifg");
  expect(typo.details?.map((d) => d.field)).toEqual(["conifg", "also"]);
  expect(await storedConfig(api)).toEqual(before);

  expect((await api.put("/api/sessions/kept", { config: {}, ignoredExtra: 1 })).status).toBe(200);
  expect(await storedConfig(api)).toEqual({});
  expect((await api.put("/api/sessions/kept", { config: before })).status).toBe(200);
  expect((await api.put("/api/sessions/kept", {})).status).toBe(200);
  expect(await storedConfig(api)).toEqual({});
  expect((await api.put("/api/sessions/kept", { config: before })).status).toBe(200);
});

test("a `__proto__` key is a 400, in a body at any depth and as a metadata filter", async ({ api }) => {
  const before = await storedConfig(api);
  expectError(
    await api.call("POST", "/api/sessions", { rawBody: '{"name":"proto","start":false,"config":{"metadata":{"__proto__":{"a":"b"}}}}' }),
    400,
    "config.metadata.__proto__",
  );
  expectError(await api.call("PUT", "/api/sessions/kept", { rawBody: '{"__proto__":{"config":{}}}' }), 400, "__proto__");
  expectError(await api.get("/api/sessions?all=true&metadata.__proto__=x"), 400, "metadata.__proto__");
  expectError(await api.get("/api/sessions/proto"), 404);
  expect(await storedConfig(api)).toEqual(before);
});

test("every /api error is JSON in the error shape: unknown paths, wrong methods, next-auth's refusals", async ({ server, api }) => {
  const notFound = expectError(await api.get("/api/does-not-exist"), 404);
  expect(notFound.code).toBe("not_found");
  expectError(await api.get("/api/sessions/kept/nope/deeper"), 404);
  expect(expectError(await api.call("DELETE", "/api/sessions"), 405).code).toBe("method_not_allowed");
  expectError(await api.call("PATCH", "/api/sessions/kept"), 405);
  expectError(await api.get("/api/auth/not-a-next-auth-route", { apiKey: null }), 404);
  // next-auth's client log endpoint would let anyone write into the server's log: closed.
  expectError(await api.call("POST", "/api/auth/_log", { apiKey: null, rawBody: "level=nope&code=x" }), 404);
  expect(server.output()).not.toContain("LOGGER_ERROR");
  // Outside /api the dashboard keeps its HTML pages.
  const page = await api.get("/no-such-page", { apiKey: null });
  expect(page.status).toBe(404);
  expect(page.headers.get("content-type")).toContain("text/html");
});

test("security headers on every path: pages, the API, errors and the docs", async ({ api }) => {
  for (const path of ["/login", "/api/sessions", "/api/does-not-exist", "/ping", "/docs", "/docs/assets/swagger-ui.css"]) {
    const { headers } = await api.get(path, { apiKey: path.startsWith("/api") ? undefined : null });
    const csp = headers.get("content-security-policy") ?? "";
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp, path).not.toContain("'unsafe-inline' 'nonce");
    expect(headers.get("x-frame-options"), path).toBe("DENY");
    expect(headers.get("x-content-type-options"), path).toBe("nosniff");
    expect(headers.get("referrer-policy"), path).toBe("no-referrer");
  }
  const nonces = await Promise.all(
    [1, 2].map(async () => (await api.get("/login", { apiKey: null })).headers.get("content-security-policy")),
  );
  expect(nonces[0]).not.toBe(nonces[1]);
});

test("the API key and other credentials never reach the log, whatever the request", async ({ server, api }) => {
  await api.get(`/api/sessions/nope?x-api-key=${server.apiKey}`, { apiKey: null });
  await api.get(`/api/does-not-exist?x-api-key=${server.apiKey}&token=tok-secret-123`, { apiKey: null });
  await api.get("/api/sessions?x-api-key=wrong-but-still-a-credential", { apiKey: null });
  await api.get("/api/sessions", { headers: { Authorization: "Bearer bearer-secret-456" } });
  // Before the fix this was a 500, logged with its whole URL.
  await api.call("POST", `/api/sessions?x-api-key=${server.apiKey}`, { apiKey: null, rawBody: '{"config":{"metadata":{"k":"\\ud800"}}}' });
  await eventually(
    async () => server.output(),
    (output) => output.includes("/api/does-not-exist"),
  );
  const output = server.output();
  for (const secret of [server.apiKey, "tok-secret-123", "wrong-but-still-a-credential", "bearer-secret-456"]) {
    expect(output).not.toContain(secret);
  }
  expect(output).toContain("x-api-key=[redacted]");
});

/** A raw HTTP/1.1 request whose body never finishes: `Content-Length` promises more than is sent. */
function slowUpload(server: RunningServer, headers: string): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    let response = "";
    let trickle: ReturnType<typeof setInterval> | null = null;
    socket.on("connect", () => {
      socket.write(
        `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${headers}\r\n{"na`,
      );
      trickle = setInterval(() => socket.writable && socket.write(" "), 100);
    });
    socket.on("data", (chunk) => (response += chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (trickle) clearInterval(trickle);
      resolve({ response, closed: true });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after 20 s; received: ${response}`));
    }, 20_000);
  });
}

test("an answer sent before the upload was read closes the connection", async ({ server }) => {
  const { response } = await slowUpload(server, "");
  expect(response).toMatch(/^HTTP\/1\.1 401/);
  expect(response).toContain('"code":"unauthorized"');
});

test("an upload slower than the request timeout is answered 408 in the error shape and logged as no server error", async ({ server }) => {
  const { response } = await slowUpload(server, `X-Api-Key: ${server.apiKey}\r\n`);
  expect(response).toMatch(/^HTTP\/1\.1 408/);
  const body = ZErrorBodySchema.parse(JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)));
  expect(body.code).toBe("request_timeout");
  await eventually(
    async () => server.output(),
    (output) => output.includes('"status":408') || output.includes('"finished":false'),
  );
  expect(server.output()).not.toContain('"level":50');
});
