import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ZWorkerListSchema } from "../../lib/cluster";
import { findPostgresBin, POSTGRES_MISSING, startPostgresCluster } from "../../test/support/postgres-cluster";
import { freePort } from "../support/server";
import { until } from "../support/until";

/**
 * The container test's cluster part (run by scripts/container-test.sh after session-in-container.ts):
 *   npx tsx e2e/container/cluster-in-containers.ts <image>
 * compose.yaml's cluster profile with what can run here: its public images (postgres, nginx) cannot be
 * pulled, so PostgreSQL is a throwaway cluster on this machine, and three workers of the image join it on
 * host networking, as compose.yaml configures them (WAHA_WORKER_ID, SWITCHBOARD_WORKER_URL, the shared
 * secrets). Expects each worker ready on /health, all three alive in GET /api/server/workers, and each
 * to exit 0 on SIGTERM.
 */

const image = process.argv[2];
if (!image) throw new Error("usage: cluster-in-containers.ts <image>");

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run("docker", args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();

const suffix = randomBytes(4).toString("hex");
const secrets = {
  WAHA_API_KEY: randomBytes(24).toString("hex"),
  NEXTAUTH_SECRET: randomBytes(24).toString("hex"),
  WAHA_DASHBOARD_PASSWORD: randomBytes(12).toString("hex"),
};
const workers = await Promise.all(
  [1, 2, 3].map(async (n) => {
    const port = await freePort();
    return { id: `w${n}`, port, name: `switchboard-cluster-test-${suffix}-w${n}`, origin: `http://127.0.0.1:${port}` };
  }),
);

if (!findPostgresBin()) {
  console.log(`cluster in containers: skipped: ${POSTGRES_MISSING}`);
  process.exit(0);
}
const postgres = await startPostgresCluster();
let failed = false;
try {
  const startedAt = performance.now();
  for (const worker of workers) {
    const env = {
      ...secrets,
      PORT: String(worker.port),
      DATABASE_URL: postgres.url,
      WAHA_WORKER_ID: worker.id,
      SWITCHBOARD_WORKER_URL: worker.origin,
      WAHA_PRINT_QR: "false",
    };
    const envArgs = Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
    await docker("run", "--detach", "--name", worker.name, "--network", "host", ...envArgs, image);
  }
  for (const worker of workers) {
    await until(`${worker.id} to answer /health 200`, 90_000, async () =>
      (await fetch(`${worker.origin}/health`)).status === 200 ? true : undefined,
    );
  }
  const readyMs = Math.round(performance.now() - startedAt);
  const listed = await until("all three workers alive in GET /api/server/workers", 30_000, async () => {
    const response = await fetch(`${workers[0].origin}/api/server/workers`, { headers: { "X-Api-Key": secrets.WAHA_API_KEY } });
    const alive = ZWorkerListSchema.parse(await response.json())
      .filter((w) => w.state === "alive")
      .map((w) => w.id);
    return workers.every((w) => alive.includes(w.id)) ? alive : undefined;
  });
  for (const worker of workers) {
    await docker("stop", "--time", "30", worker.name);
    const exitCode = await docker("inspect", "--format", "{{.State.ExitCode}}", worker.name);
    if (exitCode !== "0") throw new Error(`${worker.id} exited with ${exitCode} on SIGTERM (0 expected)`);
  }
  console.log(
    `\ncluster in containers: passed (workers ${listed.sort().join(", ")} alive on one PostgreSQL; all three ready ${readyMs} ms after the first docker run; each exited 0 on SIGTERM)`,
  );
} catch (error) {
  failed = true;
  console.error(`\ncluster in containers: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  for (const worker of workers) {
    const log = await docker("logs", "--tail", "30", worker.name).catch(() => "(no container log)");
    console.error(`--- ${worker.id}'s log (last 30 lines) ---\n${log}`);
  }
} finally {
  for (const worker of workers) await docker("rm", "--force", "--volumes", worker.name).catch(() => undefined);
  await postgres.stop();
}
process.exit(failed ? 1 : 0);
