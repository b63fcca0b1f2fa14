import { ZErrorBodySchema } from "@/lib/errors";
import { expect, test } from "../support/fixtures";

/**
 * A bounded fuzz of the HTTP surface (about 2,000 requests from a fixed seed): the kinds of input the
 * hardening probe used, on every route, with and without the key. No answer may be a 5xx, and every
 * error under /api must be the JSON error body. Sessions cannot launch a browser here (the Chromium
 * path does not exist), so creating and starting them is cheap and safe.
 */

const REQUESTS = 2_000;
const CONCURRENCY = 8;
const SEED = 0x5eed;
/** The server's default SWITCHBOARD_MAX_BODY_BYTES. */
const MAX_BODY_BYTES = 1024 * 1024;

test.use({ serverOptions: { env: { SWITCHBOARD_CHROME_PATH: "/nonexistent/chromium", WAHA_LOG_LEVEL: "warn" } } });

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: "fuzzed", start: false, config: { metadata: { a: "b" } } })).status).toBe(201);
});

/** mulberry32: a small deterministic generator, so a failure replays with the same requests. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  "fuzzed",
  "missing",
  "bad%20name",
  "x".repeat(60),
  "..%2F..%2Fetc",
  "__proto__",
  "constructor",
  "%00",
  "%E2%98%83",
  "a%2Fb",
  "-",
  "_",
];
const FILES = ["swagger-ui.css", "constructor", "__proto__", "toString", "..%2Fpackage.json", "%00", "valueOf"];
const PATHS = [
  "/api/sessions",
  "/api/sessions/{name}",
  "/api/sessions/{name}/start",
  "/api/sessions/{name}/stop",
  "/api/sessions/{name}/restart",
  "/api/sessions/{name}/logout",
  "/api/sessions/{name}/me",
  "/api/sessions/{name}/history",
  "/api/sessions/{name}/timelock",
  "/api/sessions/{name}/capping",
  "/api/sessions/{name}/webhooks/deliveries",
  "/api/sessions/{name}/webhooks/deliveries/{name}",
  "/api/sessions/{name}/webhooks/deliveries/{name}/redeliver",
  "/api/sessions/{name}/webhooks/test",
  "/api/{name}/auth/qr",
  "/api/{name}/auth/request-code",
  "/api/sessions/start",
  "/api/sessions/stop",
  "/api/sessions/logout",
  "/api/screenshot",
  "/api/server/version",
  "/api/version",
  "/api/openapi.json",
  "/api/auth/{name}",
  "/api/auth/callback/{name}",
  "/api/auth/callback/credentials",
  "/api/auth/_log",
  "/api/auth/csrf",
  "/api/auth/session",
  "/api/auth/signout",
  "/api/{name}",
  "/api/{name}/{name}/{name}",
  "/docs/assets/{file}",
  "/health",
  "/ping",
];
const METHODS = ["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const QUERIES = [
  "",
  "?all=true",
  "?all=maybe",
  "?limit=-1&offset=abc",
  "?limit=100000",
  "?status=NOPE",
  "?status=WORKING,STOPPED",
  "?metadata.__proto__=x",
  "?metadata.a=b&metadata.a=c",
  "?q=" + "%F0%9F%98%80".repeat(100),
  "?q=" + "x".repeat(300),
  "?session=bad%20name",
  "?format=raw",
  "?format=nope",
  "?state=nope&event=x",
  "?x-api-key=wrong",
  "?%ZZ=1",
  "?before=" + "z".repeat(100),
  "?limit=1&before=hst_",
];

function bodies(pick: <T>(items: T[]) => T): string[] {
  const webhook = { url: "http://127.0.0.1:9/hook", events: ["session.status"] };
  return [
    "",
    "{}",
    "{",
    "null",
    "[]",
    "42",
    '"text"',
    JSON.stringify({ name: pick(["ok-name", "bad name", "", "x".repeat(80)]), start: false }),
    JSON.stringify({ name: "fuzz-created", start: pick([false, "yes", 1]), config: { metadata: { k: "v" } } }),
    JSON.stringify({ config: { webhooks: [webhook], metadata: { k: "v" } } }),
    JSON.stringify({ config: { webhooks: [{ ...webhook, url: "ftp://x" }] } }),
    JSON.stringify({ config: { webhooks: [{ ...webhook, events: ["nope"], retries: { attempts: -1 } }] } }),
    JSON.stringify({ config: { proxy: { server: 3128 }, debug: "true" } }),
    JSON.stringify({ conifg: { webhooks: [] } }),
    JSON.stringify({ config: [] }),
    JSON.stringify({ phoneNumber: pick(["+49 151 1234567", "abc", ""]), method: "sms" }),
    JSON.stringify({ webhook: pick([{ url: "http://127.0.0.1:9/x" }, { index: 99 }, "x"]) }),
    '{"config":{"metadata":{"k":"\\ud800"}}}',
    '{"name":"\\udc00","config":{}}',
    '{"config":{"metadata":{"__proto__":{"a":"b"}}}}',
    '{"__proto__":{"config":{}}}',
    "[".repeat(500) + "]".repeat(500),
    JSON.stringify({ config: { metadata: { big: "x".repeat(pick([10, 2_000_000])) } } }),
    "\u0000\u0001binary\uFFFF",
  ];
}

test(`${REQUESTS} fuzzed requests: no 5xx, every /api error in the error shape`, async ({ server, api }) => {
  test.setTimeout(240_000);
  const next = random(SEED);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const requests = Array.from({ length: REQUESTS }, () => {
    const path = pick(PATHS)
      .replace(/\{name\}/g, () => pick(NAMES))
      .replace("{file}", () => pick(FILES));
    const method = pick(METHODS);
    const body = method === "GET" || method === "HEAD" ? undefined : pick(bodies(pick));
    const apiKey = pick<string | null | undefined>([undefined, undefined, undefined, null, "wrong-key"]);
    return { method, path: path + pick(QUERIES), body, apiKey };
  });

  const failures: string[] = [];
  let index = 0;
  const worker = async () => {
    while (index < requests.length) {
      const { method, path, body, apiKey } = requests[index++];
      const label = `${method} ${path.slice(0, 120)} key=${apiKey === undefined ? "valid" : apiKey} body=${(body ?? "").slice(0, 80)}`;
      const send = () => api.call(method, path, { rawBody: body, apiKey, redirect: "manual" });
      // One retry on a new connection: a kept-alive socket the server closed as idle is the client's race.
      const response = await send()
        .catch(send)
        .catch((error: Error) => {
          // An upload over the body limit may be cut off once it has been answered: no reply is fine there.
          if ((body?.length ?? 0) <= MAX_BODY_BYTES) failures.push(`no answer (${error.cause ?? error.message}): ${label}`);
          return null;
        });
      if (!response) continue;
      if (response.status >= 500) failures.push(`${response.status} ${label}: ${response.text.slice(0, 200)}`);
      if (response.status >= 400 && path.startsWith("/api") && method !== "HEAD") {
        const parsed = ZErrorBodySchema.safeParse(response.body);
        if (!parsed.success) failures.push(`not the error shape: ${response.status} ${label}: ${response.text.slice(0, 200)}`);
        else if (parsed.data.statusCode !== response.status)
          failures.push(`statusCode ${parsed.data.statusCode} != ${response.status}: ${label}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  expect(failures.slice(0, 20), `${failures.length} failures`).toEqual([]);
  expect((await api.get("/health", { apiKey: null })).status).toBe(200);
  expect(server.output()).not.toContain("unhandled error");
});
