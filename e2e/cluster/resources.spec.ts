import { expect, test } from "../support/cluster-fixtures";
import type { ApiClient } from "../support/api";
import { waitFor } from "../support/cluster";

/**
 * Cluster mode: each owner writes its sessions' memory and CPU into SessionOwner after every sampling round,
 * so any worker shows the whole cluster's figures in the session object and in sortBy=memory
 * (docs/observability.md, "In the API"). Test engine: a session's "browser" is its worker's own process, so
 * the figures are real /proc readings, and each worker's differ.
 */

test.use({ clusterOptions: { testEngine: "fake", workers: 2, env: { SWITCHBOARD_RESOURCES_INTERVAL_SECONDS: "1" } } });

interface TSessionRow {
  name: string;
  status: string;
  assignedWorker: string | null;
  resources: { memory: { rss: number; pss: number }; cpu: number | null; processes: number; sampledAt: number } | null;
}

// Names the placement spreads over w1 and w2 (weighted rendezvous hashing is deterministic).
const NAMES = ["res-a", "res-b", "res-c", "res-d", "res-e", "res-f"];

async function byMemory(api: ApiClient): Promise<TSessionRow[]> {
  const response = await api.get<TSessionRow[]>("/api/sessions?sortBy=memory");
  expect(response.status).toBe(200);
  return response.body.filter((row) => NAMES.includes(row.name));
}

test("every worker lists every session's figures, its own and its peer's, sorted by memory; none after a stop", async ({ cluster }) => {
  for (const name of NAMES) expect((await cluster.api.post("/api/sessions", { name })).status).toBe(201);
  for (const worker of cluster.workers) {
    const rows = await waitFor(
      async () => {
        const listed = await byMemory(worker.api);
        const done =
          listed.length === NAMES.length && listed.every((row) => row.status === "WORKING" && (row.resources?.memory.pss ?? 0) > 0);
        return done ? listed : null;
      },
      { what: `${worker.id} lists every session WORKING with figures` },
    );
    const owners = new Set(rows.map((row) => row.assignedWorker));
    expect(owners, "the sessions run on both workers").toEqual(new Set(["w1", "w2"]));
    const pss = rows.map((row) => row.resources!.memory.pss);
    expect(pss).toEqual([...pss].sort((a, b) => b - a));
    for (const row of rows) expect(row.resources!.memory.rss).toBeGreaterThanOrEqual(row.resources!.memory.pss);

    // One session run by the peer, as this worker answers for it.
    const elsewhere = rows.find((row) => row.assignedWorker !== worker.id)!;
    const one = await worker.api.get<TSessionRow>(`/api/sessions/${elsewhere.name}`);
    expect(one.body.resources?.memory.pss).toBeGreaterThan(0);
  }

  expect((await cluster.api.post(`/api/sessions/${NAMES[0]}/stop`)).status).toBe(201);
  for (const worker of cluster.workers) {
    const stopped = await worker.api.get<TSessionRow>(`/api/sessions/${NAMES[0]}`);
    expect(stopped.body.resources, `${worker.id} shows no figures of a stopped session`).toBeNull();
  }
});
