import { expect } from "@playwright/test";
import type { ApiClient } from "./api";
import { waitFor, type Cluster, type ClusterWorker } from "./cluster";

/** How the cluster specs read sessions and where they run: through the API, as a client would. */

export interface TSessionRow {
  name: string;
  status: string;
  assignedWorker: string | null;
  config: { metadata?: Record<string, string> };
}

/** Every session of the cluster, as one worker lists it. */
export async function listAll(api: ApiClient): Promise<TSessionRow[]> {
  const response = await api.get<TSessionRow[]>("/api/sessions?all=true");
  expect(response.status).toBe(200);
  return response.body;
}

/** Waits until every one of `names` is WORKING with an owner (none of `notOn`), as `api` lists them; name -> owner. */
export async function ownersOnceWorking(
  api: ApiClient,
  names: string[],
  { timeoutMs = 30_000, notOn = [] }: { timeoutMs?: number; notOn?: string[] } = {},
): Promise<Map<string, string>> {
  const rows = await waitFor(
    async () => {
      const listed = (await listAll(api)).filter((row) => names.includes(row.name));
      const done =
        listed.length === names.length &&
        listed.every((row) => row.status === "WORKING" && row.assignedWorker && !notOn.includes(row.assignedWorker));
      return done ? listed : null;
    },
    { timeoutMs, what: `${names.join(", ")} WORKING with an owner${notOn.length ? ` other than ${notOn.join(", ")}` : ""}` },
  );
  return new Map(rows.map((row) => [row.name, row.assignedWorker!]));
}

/** The sessions a worker runs itself (its engine host), from its own /health. */
export async function runningOn(worker: ClusterWorker): Promise<number> {
  const health = await worker.api.get<{ sessions: { running: number } }>("/health");
  return health.body.sessions.running;
}

/**
 * No session runs anywhere but on its owner: once handovers settle, each worker runs exactly the sessions
 * assigned to it (a list and a count read a moment apart can straddle a claim, so this waits for agreement).
 */
export async function expectRunOnlyByOwners(cluster: Cluster, live: ClusterWorker[]): Promise<void> {
  await waitFor(
    async () => {
      const rows = await listAll(live[0].api);
      const counts = await Promise.all(live.map(async (worker) => [worker.id, await runningOn(worker)] as const));
      const mismatch = counts.filter(
        ([id, running]) => running !== rows.filter((row) => row.assignedWorker === id && row.status !== "STOPPED").length,
      );
      if (mismatch.length) throw new Error(`running here but not assigned here (or the reverse): ${JSON.stringify(counts)}`);
      return true;
    },
    { timeoutMs: 10_000, what: "each worker runs exactly the sessions assigned to it" },
  );
}
