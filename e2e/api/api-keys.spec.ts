import { apiClient, eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";

/**
 * WAHA's Keys API against the built server (fake engine, no Chromium): every API route against the root
 * key, an admin key, session keys with each action set (own session, another session), a deactivated key
 * and a deleted key. The expected statuses come from the contract as docs/api.md states it, written out
 * here on their own: this spec shares no table with the code.
 */

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { SWITCHBOARD_TEST_ENGINE: "fake" } } });

type Action = "read" | "send" | "control" | "setting" | "app" | "delete";
type ApiKey = {
  id: string;
  key: string;
  isActive: boolean;
  isAdmin: boolean;
  session: string | null;
  actions: Record<Action, boolean> | null;
};
type ErrorBody = { statusCode: number; code: string; message: string; details?: { field: string }[] };

/**
 * Each route: what a session key needs on the session it names ("admin": only an admin; "any": any key;
 * "list": read, and it sees its own session only), and how to call it for session `s`.

 * Every call but those on the other session gets a fresh session, so what one call changes touches no other.
 */
type Route = {
  name: string;
  needs: Action[] | "admin" | "any" | "list";
  call: (api: ApiClient, s: string, key: string) => Promise<{ status: number }>;
};

const get = (path: (s: string) => string) => (api: ApiClient, s: string, key: string) => api.get(path(s), { apiKey: key });
const post =
  (path: (s: string) => string, body: (s: string) => unknown = () => ({})) =>
  (api: ApiClient, s: string, key: string) =>
    api.post(path(s), body(s), { apiKey: key });

let unique = 0;
const ROUTES: Route[] = [
  { name: "GET /api/sessions", needs: "list", call: get(() => "/api/sessions?all=true") },
  {
    name: "POST /api/sessions",
    needs: "admin",
    call: post(
      () => "/api/sessions",
      () => ({ name: `made-${++unique}`, start: false }),
    ),
  },
  { name: "GET /api/sessions/{s}", needs: ["read"], call: get((s) => `/api/sessions/${s}`) },
  { name: "GET /api/sessions/{s}?revealSecrets", needs: ["read", "setting"], call: get((s) => `/api/sessions/${s}?revealSecrets=true`) },
  {
    name: "PUT /api/sessions/{s}",
    needs: ["setting"],
    call: (api, s, key) => api.put(`/api/sessions/${s}`, { config: { metadata: { a: "1" } } }, { apiKey: key }),
  },
  { name: "DELETE /api/sessions/{s}", needs: ["delete"], call: (api, s, key) => api.delete(`/api/sessions/${s}`, { apiKey: key }) },
  { name: "POST /api/sessions/{s}/start", needs: ["control"], call: post((s) => `/api/sessions/${s}/start`) },
  { name: "POST /api/sessions/{s}/stop", needs: ["control"], call: post((s) => `/api/sessions/${s}/stop`) },
  { name: "POST /api/sessions/{s}/restart", needs: ["control"], call: post((s) => `/api/sessions/${s}/restart`) },
  { name: "POST /api/sessions/{s}/logout", needs: ["control"], call: post((s) => `/api/sessions/${s}/logout`) },
  { name: "GET /api/sessions/{s}/me", needs: ["read"], call: get((s) => `/api/sessions/${s}/me`) },
  { name: "GET /api/sessions/{s}/history", needs: ["read"], call: get((s) => `/api/sessions/${s}/history`) },
  { name: "GET /api/sessions/{s}/profile-picture", needs: ["read"], call: get((s) => `/api/sessions/${s}/profile-picture`) },
  { name: "GET /api/sessions/{s}/resources", needs: ["read"], call: get((s) => `/api/sessions/${s}/resources`) },
  { name: "GET /api/sessions/{s}/capping", needs: ["read"], call: get((s) => `/api/sessions/${s}/capping`) },
  { name: "GET /api/sessions/{s}/timelock", needs: ["read"], call: get((s) => `/api/sessions/${s}/timelock`) },
  { name: "GET /api/sessions/{s}/webhooks/deliveries", needs: ["read"], call: get((s) => `/api/sessions/${s}/webhooks/deliveries`) },
  {
    name: "GET /api/sessions/{s}/webhooks/deliveries/{id}",
    needs: ["read"],
    call: get((s) => `/api/sessions/${s}/webhooks/deliveries/dlv_none`),
  },
  {
    name: "POST /api/sessions/{s}/webhooks/deliveries/{id}/redeliver",
    needs: ["setting"],
    call: post((s) => `/api/sessions/${s}/webhooks/deliveries/dlv_none/redeliver`),
  },
  { name: "GET /api/sessions/{s}/webhooks/test", needs: ["read"], call: get((s) => `/api/sessions/${s}/webhooks/test`) },
  { name: "POST /api/sessions/{s}/webhooks/test", needs: ["setting"], call: post((s) => `/api/sessions/${s}/webhooks/test`) },
  { name: "GET /api/{s}/auth/qr", needs: ["control"], call: get((s) => `/api/${s}/auth/qr?format=raw`) },
  {
    name: "POST /api/{s}/auth/request-code",
    needs: ["control"],
    call: post(
      (s) => `/api/${s}/auth/request-code`,
      () => ({ phoneNumber: "12125550100" }),
    ),
  },
  { name: "GET /api/screenshot?session={s}", needs: ["read"], call: get((s) => `/api/screenshot?session=${s}`) },
  {
    name: "POST /api/sessions/start",
    needs: ["control", "setting"],
    call: post(
      () => "/api/sessions/start",
      (s) => ({ name: s }),
    ),
  },
  {
    name: "POST /api/sessions/stop",
    needs: ["control"],
    call: post(
      () => "/api/sessions/stop",
      (s) => ({ name: s }),
    ),
  },
  {
    name: "POST /api/sessions/logout",
    needs: ["control", "delete"],
    call: post(
      () => "/api/sessions/logout",
      (s) => ({ name: s }),
    ),
  },
  { name: "GET /api/server/version", needs: "any", call: get(() => "/api/server/version") },
  { name: "GET /api/version", needs: "any", call: get(() => "/api/version") },
  { name: "GET /api/openapi.json", needs: "any", call: get(() => "/api/openapi.json") },
  { name: "GET /api/server/status", needs: "admin", call: get(() => "/api/server/status") },
  { name: "GET /api/server/environment", needs: "admin", call: get(() => "/api/server/environment") },
  { name: "GET /api/server/workers", needs: "admin", call: get(() => "/api/server/workers") },
  { name: "POST /api/server/drain", needs: "admin", call: post(() => "/api/server/drain") },
  { name: "GET /api/keys", needs: "admin", call: get(() => "/api/keys") },
  {
    name: "POST /api/keys",
    needs: "admin",
    call: post(
      () => "/api/keys",
      () => ({ isAdmin: true, session: null, isActive: true }),
    ),
  },
  {
    name: "POST /api/keys/control",
    needs: "admin",
    call: post(
      () => "/api/keys/control",
      (s) => ({ session: s }),
    ),
  },
  {
    name: "POST /api/keys/media",
    needs: "admin",
    call: post(
      () => "/api/keys/media",
      (s) => ({ session: s }),
    ),
  },
  {
    name: "PUT /api/keys/{id}",
    needs: "admin",
    call: async (api, _s, key) => {
      const target = await makeKey(api, { isAdmin: true, session: null });
      return api.put(`/api/keys/${target.id}`, { isAdmin: true, session: null, isActive: false }, { apiKey: key });
    },
  },
  {
    name: "DELETE /api/keys/{id}",
    needs: "admin",
    call: async (api, _s, key) => api.delete(`/api/keys/${(await makeKey(api, { isAdmin: true, session: null })).id}`, { apiKey: key }),
  },
];

/** The action sets a session key is tried with: each action alone, none, and all (no `actions` sent). */
const ACTION_SETS: (Action[] | "all")[] = [["read"], ["send"], ["control"], ["setting"], ["app"], ["delete"], [], "all"];

async function makeKey(api: ApiClient, body: Record<string, unknown>): Promise<ApiKey> {
  const response = await api.post<ApiKey>("/api/keys", { isActive: true, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function freshSession(api: ApiClient): Promise<string> {
  const name = `m-${++unique}`;
  expect((await api.post("/api/sessions", { name, start: false })).status).toBe(201);
  return name;
}

/** A session key's allowed actions, whole. */
const has = (set: Action[] | "all", needs: Action[]) => set === "all" || needs.every((action) => set.includes(action));

test("the matrix: every route against root, admin, session keys with each action set (own and other session), deactivated and deleted keys", async ({
  server,
}) => {
  test.setTimeout(240_000);
  const api = apiClient(server);
  const other = await freshSession(api);
  const failures: string[] = [];
  const expectStatus = (cell: string, actual: number, expected: number) => {
    if (actual !== expected) failures.push(`${cell}: ${actual}, expected ${expected}`);
  };

  for (const route of ROUTES) {
    // What the root key gets on a fresh session: what every caller allowed to use the route must get too.
    const baseline = (await route.call(api, await freshSession(api), server.apiKey)).status;
    expect([401, 403], `${route.name} with the root key`).not.toContain(baseline);

    const admin = await makeKey(api, { isAdmin: true, session: null });
    expectStatus(`${route.name} admin key`, (await route.call(api, await freshSession(api), admin.key)).status, baseline);

    for (const set of ACTION_SETS) {
      const own = await freshSession(api);
      const key = await makeKey(api, { session: own, actions: set === "all" ? null : Object.fromEntries(set.map((a) => [a, true])) });
      const label = `${route.name} session key [${set === "all" ? "all" : set.join(",") || "none"}]`;
      const needs = route.needs;
      const expected =
        needs === "admin"
          ? 403
          : needs === "any"
            ? baseline
            : needs === "list"
              ? has(set, ["read"])
                ? baseline
                : 403
              : has(set, needs)
                ? baseline
                : 403;
      expectStatus(`${label} own session`, (await route.call(api, own, key.key)).status, expected);
      // Another session: not there for this key (404) where a session is named; the same as on its own elsewhere.
      // A key of its own (the call on its own session may have deleted that session, and the key with it).
      const keyElsewhere = await makeKey(api, { session: await freshSession(api), actions: key.actions });
      const onOther = Array.isArray(needs) ? 404 : expected;
      expectStatus(`${label} other session`, (await route.call(api, other, keyElsewhere.key)).status, onOther);
    }

    const deactivated = await makeKey(api, { session: await freshSession(api), isActive: false });
    const deleted = await makeKey(api, { isAdmin: true, session: null });
    expect((await api.delete(`/api/keys/${deleted.id}`)).status).toBe(200);
    for (const [label, key] of [
      ["deactivated", deactivated.key],
      ["deleted", deleted.key],
    ]) {
      expectStatus(`${route.name} ${label} key`, (await route.call(api, await freshSession(api), key)).status, 401);
    }
  }
  expect(failures).toEqual([]);
});

test("a session key lists its own session only; the create answer alone shows the key, lists mask it", async ({ server }) => {
  const api = apiClient(server);
  const own = await freshSession(api);
  await freshSession(api);
  const created = await makeKey(api, { session: own, actions: { read: true } });
  expect(created.key).toMatch(/^key_[A-Za-z0-9_-]{32}$/);
  expect(created.actions).toEqual({ read: true, send: false, control: false, setting: false, app: false, delete: false });
  const listed = await api.get<{ name: string }[]>("/api/sessions?all=true", { apiKey: created.key });
  expect(listed.body.map((s) => s.name)).toEqual([own]);
  expect(listed.headers.get("x-total-count")).toBe("1");
  const keys = await api.get<ApiKey[]>("/api/keys");
  const shown = keys.body.find((key) => key.id === created.id)!;
  expect(shown.key).not.toBe(created.key);
  expect(shown.key.slice(0, 12)).toBe(created.key.slice(0, 12));
  expect(shown.key.slice(12)).toMatch(/^\*+$/);
  expect(keys.text).not.toContain(created.key);
});

test("bad input answers 400 naming the field; the root key cannot be deleted or deactivated", async ({ server }) => {
  const api = apiClient(server);
  const own = await freshSession(api);
  const field = async (body: unknown) => {
    const response = await api.post<ErrorBody>("/api/keys", body);
    expect(response.status, JSON.stringify(body)).toBe(400);
    return response.body.details?.map((d) => d.field);
  };
  expect(await field({ isAdmin: false, session: own, isActive: true, actions: { read: true, fly: true } })).toEqual(["actions"]);
  expect(await field({ isAdmin: false, session: "nobody-here", isActive: true })).toEqual(["session"]);
  expect(await field({ isAdmin: false, session: null, isActive: true })).toEqual(["session"]);
  expect(await field({ isAdmin: "yes", session: null })).toEqual(["isAdmin"]);
  expect((await api.post<ErrorBody>("/api/keys/control", { session: "nobody-here" })).body.details?.map((d) => d.field)).toEqual([
    "session",
  ]);
  expect((await api.delete("/api/keys/root")).status).toBe(403);
  expect((await api.put("/api/keys/root", { isAdmin: true, session: null, isActive: false })).status).toBe(403);
  expect((await api.delete("/api/keys/key_id_none")).status).toBe(404);
  expect((await api.get("/api/keys")).status).toBe(200);
});

test("a control key: the same key on every call, it reaches its session's QR and lifecycle and nothing else", async ({ server }) => {
  const api = apiClient(server);
  const own = await freshSession(api);
  const first = await api.post<ApiKey>("/api/keys/control", { session: own });
  const again = await api.post<ApiKey>("/api/keys/control", { session: own });
  expect([first.status, again.status]).toEqual([201, 201]);
  expect(again.body).toMatchObject({ id: first.body.id, key: first.body.key, session: own });
  const key = first.body.key;
  expect((await api.post(`/api/sessions/${own}/start`, {}, { apiKey: key })).status).toBe(201);
  // The fake engine logs in by itself: the QR route answers, but with the session's state rather than 401/403.
  expect([401, 403, 404]).not.toContain((await api.get(`/api/${own}/auth/qr?format=raw`, { apiKey: key })).status);
  expect((await api.get(`/api/sessions/${own}`, { apiKey: key })).status).toBe(403);
  expect((await api.get("/api/sessions", { apiKey: key })).status).toBe(403);
  expect((await api.get("/api/keys", { apiKey: key })).status).toBe(403);
});

test("a key's last use is recorded, and a revoked key is refused at once", async ({ server }) => {
  const api = apiClient(server);
  const own = await freshSession(api);
  const key = await makeKey(api, { session: own, actions: { read: true } });
  expect((await api.get(`/api/sessions/${own}`, { apiKey: key.key })).status).toBe(200);
  await eventually(
    async () => (await api.get<(ApiKey & { lastUsedAt: string | null })[]>("/api/keys")).body.find((k) => k.id === key.id)?.lastUsedAt,
    (lastUsedAt) => typeof lastUsedAt === "string",
  );
  expect((await api.put(`/api/keys/${key.id}`, { isAdmin: false, session: own, isActive: false })).status).toBe(200);
  expect((await api.get(`/api/sessions/${own}`, { apiKey: key.key })).status).toBe(401);
  expect((await api.put(`/api/keys/${key.id}`, { isAdmin: false, session: own, isActive: true, actions: { read: true } })).status).toBe(
    200,
  );
  expect((await api.get(`/api/sessions/${own}`, { apiKey: key.key })).status).toBe(200);
  expect((await api.delete(`/api/keys/${key.id}`)).status).toBe(200);
  expect((await api.get(`/api/sessions/${own}`, { apiKey: key.key })).status).toBe(401);
});
