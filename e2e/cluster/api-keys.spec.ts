import { apiClient } from "../support/api";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor } from "../support/cluster";

/**
 * API keys in cluster mode (docs/api.md, "API keys"; docs/cluster.md, "Fresh reads"): a command sent to a
 * worker that does not own its session is forwarded with the caller's principal (signed in the hop header),
 * so the owner applies the key's limits; a key revoked through one worker is refused by every worker within
 * a second. Sessions on the test engine (no Chromium).
 */

test.use({ clusterOptions: { testEngine: "fake" } });

type Row = { name: string; status: string; assignedWorker: string | null };

test("a forwarded command keeps the session key's limits; a revocation reaches every worker within a second", async ({ cluster }) => {
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  const [first] = cluster.workers;
  for (const name of ["keyed", "elsewhere"]) {
    const response = await first.api.post("/api/sessions", { name });
    expect(response.status, response.text).toBe(201);
  }
  const owners = await waitFor(
    async () => {
      const rows = (await first.api.get<Row[]>("/api/sessions?all=true")).body;
      const owned = rows.filter((row) => row.status === "WORKING" && row.assignedWorker);
      return owned.length === 2 ? new Map(owned.map((row) => [row.name, row.assignedWorker!])) : null;
    },
    { timeoutMs: 30_000, what: "both sessions WORKING with an owner" },
  );
  const notOwner = cluster.workers.find((worker) => worker.id !== owners.get("keyed"))!;

  const created = await notOwner.api.post<{ id: string; key: string }>("/api/keys", {
    isAdmin: false,
    session: "keyed",
    isActive: true,
    actions: { read: true, control: true },
  });
  expect(created.status).toBe(201);
  const scoped = apiClient({ url: notOwner.url, apiKey: created.body.key });

  // Through a worker that does not own it: forwarded to the owner, which applies the key's limits.
  const restarted = await scoped.post<{ name: string }>("/api/sessions/keyed/restart");
  expect(restarted.status).toBe(201);
  expect((await scoped.delete("/api/sessions/keyed")).status).toBe(403);
  expect((await scoped.put("/api/sessions/keyed", { config: {} })).status).toBe(403);
  expect((await scoped.post("/api/sessions/elsewhere/stop")).status).toBe(404);
  expect((await scoped.get<Row[]>("/api/sessions?all=true")).body.map((row) => row.name)).toEqual(["keyed"]);
  // No key: refused where it arrives, never forwarded.
  expect((await notOwner.api.post("/api/sessions/keyed/restart", undefined, { apiKey: null })).status).toBe(401);
  // A forged hop header gives nothing: the request is not taken as forwarded, and its key decides.
  const forged = await scoped.call("DELETE", "/api/sessions/keyed", {
    headers: {
      "x-switchboard-hop": `${Buffer.from("w1").toString("base64url")}.${Date.now()}.${Buffer.from(JSON.stringify({ kind: "admin", keyId: null })).toString("base64url")}.bad`,
    },
  });
  expect(forged.status).toBe(403);

  // Every worker holds the key (it was used on each), then one deactivates it: all refuse it within a second.
  for (const worker of cluster.workers)
    expect((await worker.api.get("/api/sessions/keyed", { apiKey: created.body.key })).status).toBe(200);
  expect((await first.api.put(`/api/keys/${created.body.id}`, { isAdmin: false, session: "keyed", isActive: false })).status).toBe(200);
  const revoked = Date.now();
  const delays = await Promise.all(
    cluster.workers.map(async (worker) => {
      await waitFor(async () => (await worker.api.get("/api/sessions/keyed", { apiKey: created.body.key })).status === 401, {
        timeoutMs: 5000,
        intervalMs: 20,
        what: `${worker.id} refuses the deactivated key`,
      });
      return Date.now() - revoked;
    }),
  );
  expect(Math.max(...delays)).toBeLessThan(1000);

  for (const name of ["keyed", "elsewhere"]) expect((await first.api.delete(`/api/sessions/${name}`)).status).toBe(200);
});
