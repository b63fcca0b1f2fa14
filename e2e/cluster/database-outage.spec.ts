import { expect, test } from "../support/cluster-fixtures";
import { expectRunOnlyByOwners, listAll, ownersOnceWorking } from "../support/cluster-sessions";

/**
 * A short database outage moves no session (docs/cluster.md, "What happens when"). The guarantee holds
 * for an outage shorter than the lease minus a heartbeat; on a busy machine `pg_ctl restart` alone can
 * outlast the 5 s lease of cluster.spec.ts, so this file's cluster runs with a longer one.
 */

test.use({ clusterOptions: { testEngine: "fake", leaseSeconds: 12 } });

test("a PostgreSQL restart moves no session", async ({ cluster }) => {
  const names = Array.from({ length: 6 }, (_, i) => `outage-${i + 1}`);
  for (const name of names) {
    const response = await cluster.api.post("/api/sessions", { name });
    expect(response.status, `create ${name}: ${response.text}`).toBe(201);
  }
  const owners = await ownersOnceWorking(cluster.workers[0].api, names);
  cluster.restartPostgres();
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  // Watched for a lease and a heartbeat after the outage: every lease held before it has lapsed or been
  // renewed by then, so a wrong takeover would show.
  const watchUntil = Date.now() + 1.2 * cluster.leaseMs;
  while (Date.now() < watchUntil) {
    const rows = (await listAll(cluster.workers[0].api)).filter((row) => names.includes(row.name));
    expect(new Map(rows.map((row) => [row.name, row.assignedWorker]))).toEqual(owners);
    expect(rows.every((row) => row.status === "WORKING")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await expectRunOnlyByOwners(cluster, cluster.workers);
});
