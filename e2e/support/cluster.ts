import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { findPostgresBin, POSTGRES_MISSING, startPostgresCluster, type TPostgresCluster } from "../../test/support/postgres-cluster";
import { apiClient, type ApiClient } from "./api";
import { processesMatching } from "./processes";
import { freePort, startServer, TEST_API_KEY, type RunningServer } from "./server";

/**
 * A Switchboard cluster for e2e specs (docs/cluster.md, docs/testing.md): a throwaway PostgreSQL, N
 * workers of the production bundle (each on its own loopback port with its own data folder, all on one
 * database), and a real nginx doing round-robin over them, as an operator would run it. Helpers crash,
 * pause, drain and restart single workers and restart the database; `stop()` ends every process the
 * harness started (workers, their Chromiums, nginx, PostgreSQL) and deletes the temp folders.
 *
 * Plain Node (no Playwright here), so a benchmark can start the same cluster; the spec fixtures are in
 * e2e/support/cluster-fixtures.ts.
 */

export interface ClusterOptions {
  /** How many workers (w1..wN); 3 unless told. */
  workers?: number;
  /** SWITCHBOARD_WORKER_LEASE_SECONDS: short, so a killed worker's sessions move within a spec's patience. */
  leaseSeconds?: number;
  /** SWITCHBOARD_TEST_ENGINE: `fake` runs sessions without Chromium (WORKING at once). */
  testEngine?: "fake";
  /** More environment for every worker. */
  env?: Record<string, string>;
}

export interface ClusterWorker {
  /** WAHA_WORKER_ID: w1, w2, ... */
  readonly id: string;
  /** Its own address (SWITCHBOARD_WORKER_URL), not through nginx. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** A client for this worker alone. */
  readonly api: ApiClient;
  /** The process handle; a new process after each restart. */
  readonly server: RunningServer;
  /** Whether its process runs now (a paused one counts as running). */
  running(): boolean;
  /** Everything it printed, across restarts. */
  output(): string;
}

export interface Cluster {
  readonly workers: ClusterWorker[];
  /** The worker with WAHA_WORKER_ID `id`. */
  worker(id: string): ClusterWorker;
  /** nginx's address: what clients of the cluster use. */
  readonly url: string;
  /** A client through nginx (round-robin over the workers). */
  readonly api: ApiClient;
  readonly apiKey: string;
  readonly dashboardPassword: string;
  /** The database every worker uses. */
  readonly databaseUrl: string;
  readonly leaseMs: number;
  /** Which worker nginx passed a response's request to (from the X-Upstream-Addr header it adds), or null. */
  workerBehind(response: { headers: Headers }): ClusterWorker | null;
  /** SIGKILL and wait for the exit: a crash. */
  kill9(worker: WorkerRef): Promise<void>;
  /** SIGSTOP: the process freezes, its sockets stay open. */
  sigstop(worker: WorkerRef): void;
  /** SIGCONT after sigstop(). */
  sigcont(worker: WorkerRef): void;
  /** SIGTERM and wait for the exit (resumed first if paused); the exit code, or the signal that ended it. */
  stopGracefully(worker: WorkerRef): Promise<number | NodeJS.Signals | null>;
  /**
   * Starts a stopped or killed worker again (same id, port, data folder, environment) and waits until
   * its /health answers 200. Retries while a start is refused, e.g. while its killed predecessor's lease lasts.
   */
  restart(worker: WorkerRef): Promise<void>;
  /** `pg_ctl restart -m fast`: every worker's database connections break; the server is back when this returns. */
  restartPostgres(): void;
  /** Waits until `worker`'s /health answers 200 (ready for a load balancer). */
  waitUntilReady(worker: WorkerRef, timeoutMs?: number): Promise<void>;
  /** Every process's output, labelled (the last `tail` characters of each), for a failing spec's report. */
  output(options?: { tail?: number }): string;
  /** Ends everything the harness started and deletes its temp folders. */
  stop(): Promise<void>;
}

export type WorkerRef = ClusterWorker | string;

export const CLUSTER_DASHBOARD_PASSWORD = "cluster-dashboard-password";
const NEXTAUTH_SECRET = "cluster-nextauth-secret-0123456789abcdef";
const DEFAULT_LEASE_SECONDS = 5;
/** A graceful stop waits for sessions to stop (SWITCHBOARD_STOP_TIMEOUT_SECONDS, 15 s by default) and more. */
const STOP_PATIENCE_MS = 30_000;

/** Why cluster specs cannot run on this machine (no nginx, no PostgreSQL), or null when they can. */
export function clusterSkipReason(): string | null {
  // Skipping on purpose is for a developer's machine; CI runs them whatever it says.
  if (process.env.SWITCHBOARD_TEST_CLUSTER === "0" && process.env.CI !== "true") return "SWITCHBOARD_TEST_CLUSTER=0";
  if (!findPostgresBin()) return POSTGRES_MISSING;
  if (!findNginx()) return "nginx is not installed (Debian: apt-get install nginx)";
  return null;
}

/** nginx on PATH or where Debian puts it (/usr/sbin is not on every user's PATH). */
export function findNginx(): string | null {
  const onPath = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  return ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((file) => fs.existsSync(file)) ?? null;
}

/**
 * Polls `check` until it returns a truthy value (returned) or stops throwing; fails after `timeoutMs`
 * with the last error or value. Generous by default: specs must hold on a machine twice as slow.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 30_000, intervalMs = 100, what = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${what} not met in ${timeoutMs} ms; last: ${detail}`);
    }
    await delay(intervalMs);
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const reason = clusterSkipReason();
  if (reason) throw new Error(`cannot start a cluster: ${reason}`);
  const count = options.workers ?? 3;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const tempDirs: string[] = [];
  // By index (w1 first); a worker that failed to boot leaves a hole.
  const workers: ClusterWorker[] = [];
  let postgres: TPostgresCluster | null = null;
  let nginx: Nginx | null = null;

  const stop = async () => {
    process.removeListener("exit", killAllNow);
    await nginx?.stop();
    await Promise.all(workers.map((worker) => endWorker(worker)));
    // Chromium's command line names its profile, inside the worker's data folder: whatever survived its server goes now.
    for (const worker of workers.filter(Boolean)) for (const pid of processesMatching(worker.dataDir)) tryKill(pid, "SIGKILL");
    await postgres?.stop();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  };
  // When the test process ends without its teardown: no worker, browser or nginx outlives it.
  const killAllNow = () => {
    nginx?.killNow();
    for (const worker of workers.filter(Boolean)) {
      if (worker.running()) tryKill(worker.server.process.pid, "SIGKILL");
      for (const pid of processesMatching(worker.dataDir)) tryKill(pid, "SIGKILL");
    }
  };
  process.once("exit", killAllNow);

  try {
    postgres = await startPostgresCluster();
    const databaseUrl = await createDatabase(postgres.url, "switchboard");
    const ports = await distinctFreePorts(count + 1);
    // All at once, as workers of a fresh cluster may boot: the migrations are applied once, under a lock.
    const boots = await Promise.allSettled(
      Array.from({ length: count }, async (_, index) => {
        const id = `w${index + 1}`;
        const port = ports[index];
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-cluster-${id}-`));
        tempDirs.push(dataDir);
        const server = await startServer({
          port,
          dataDir,
          apiKey: TEST_API_KEY,
          env: {
            DATABASE_URL: databaseUrl,
            WAHA_WORKER_ID: id,
            SWITCHBOARD_WORKER_URL: `http://127.0.0.1:${port}`,
            NEXTAUTH_SECRET,
            WAHA_DASHBOARD_PASSWORD: CLUSTER_DASHBOARD_PASSWORD,
            SWITCHBOARD_WORKER_LEASE_SECONDS: String(leaseSeconds),
            WAHA_PRINT_QR: "false",
            ...(options.testEngine ? { SWITCHBOARD_TEST_ENGINE: options.testEngine } : {}),
            ...options.env,
          },
        });
        workers[index] = {
          id,
          url: server.url,
          port,
          dataDir,
          api: apiClient(server),
          server,
          running: () => isRunning(server.process),
          output: () => server.output(),
        };
      }),
    );
    // Settled, not raced: a worker still booting when another failed would outlive the teardown.
    const failed = boots.find((boot) => boot.status === "rejected");
    if (failed) throw failed.reason;
    const ordered = workers.slice();
    await Promise.all(ordered.map((worker) => waitUntilReady(worker)));

    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-nginx-"));
    tempDirs.push(prefix);
    nginx = await startNginx(prefix, ports[count], ordered);
    const url = nginx.url;
    const find = (ref: WorkerRef) => {
      const worker = typeof ref === "string" ? ordered.find((w) => w.id === ref) : ref;
      if (!worker) throw new Error(`no worker ${String(ref)}`);
      return worker;
    };
    const db = postgres;
    const proxy = nginx;

    return {
      workers: ordered,
      worker: find,
      url,
      api: apiClient({ url, apiKey: TEST_API_KEY }),
      apiKey: TEST_API_KEY,
      dashboardPassword: CLUSTER_DASHBOARD_PASSWORD,
      databaseUrl,
      leaseMs: leaseSeconds * 1000,
      workerBehind: (response) => {
        // After a failed attempt nginx lists every upstream it tried: the last one answered.
        const last = response.headers.get("x-upstream-addr")?.split(",").at(-1)?.trim();
        return ordered.find((worker) => last === `127.0.0.1:${worker.port}`) ?? null;
      },
      kill9: (ref) => find(ref).server.kill(),
      sigstop: (ref) => signal(find(ref), "SIGSTOP"),
      sigcont: (ref) => signal(find(ref), "SIGCONT"),
      stopGracefully: async (ref) => {
        const worker = find(ref);
        signal(worker, "SIGCONT");
        await Promise.race([worker.server.stop(), delay(STOP_PATIENCE_MS)]);
        if (worker.running()) throw new Error(`${worker.id} did not exit within ${STOP_PATIENCE_MS} ms of SIGTERM`);
        return worker.server.process.exitCode ?? worker.server.process.signalCode;
      },
      restart: async (ref) => {
        const worker = find(ref);
        if (worker.running()) await endWorker(worker);
        // A start may be refused (the process exits) while the predecessor's lease lasts: start again until one stays up and is ready.
        await waitFor(
          async () => {
            if (!worker.running()) await worker.server.start();
            return (await fetch(`${worker.url}/health`)).status === 200;
          },
          { timeoutMs: 2 * leaseSeconds * 1000 + 60_000, intervalMs: 250, what: `${worker.id} restarted and ready` },
        );
      },
      restartPostgres: () => db.restart("fast"),
      waitUntilReady: (ref, timeoutMs) => waitUntilReady(find(ref), timeoutMs),
      output: ({ tail = Infinity } = {}) =>
        [
          ...ordered.map((worker) => [`${worker.id} (${worker.url})`, worker.output()]),
          [`nginx (${url})`, proxy.output()],
          ["postgresql", db.log()],
        ]
          .map(([label, text]) => `===== ${label}\n${text.length > tail ? `…${text.slice(-tail)}` : text}`)
          .join("\n"),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilReady(worker: ClusterWorker, timeoutMs = 60_000): Promise<void> {
  const outcome = await waitFor(
    async () => {
      if (!worker.running()) return "exited";
      return (await fetch(`${worker.url}/health`)).status === 200 && "ready";
    },
    { timeoutMs, what: `${worker.id} ready (/health 200)` },
  );
  if (outcome === "exited") throw new Error(`${worker.id} exited before it was ready:\n${worker.output().slice(-3000)}`);
}

/** SIGTERM, then SIGKILL if it is still there after STOP_PATIENCE_MS. */
async function endWorker(worker: ClusterWorker): Promise<void> {
  if (!worker.running()) return;
  signal(worker, "SIGCONT");
  await Promise.race([worker.server.stop(), delay(STOP_PATIENCE_MS)]);
  await worker.server.kill();
}

function signal(worker: ClusterWorker, name: NodeJS.Signals): void {
  if (worker.running()) worker.server.process.kill(name);
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function tryKill(pid: number | undefined, name: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** A database of its own on the throwaway server; its URL. */
async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

interface Nginx {
  url: string;
  output(): string;
  stop(): Promise<void>;
  killNow(): void;
}

/**
 * nginx as a load balancer in front of the workers: round-robin, WebSocket upgrades on /socket.io/ and
 * /ws, a dead worker skipped (`proxy_next_upstream error timeout`, 1 s to connect). One process
 * (`master_process off`) in the foreground, everything it writes inside `prefix`.
 */
async function startNginx(prefix: string, port: number, workers: ClusterWorker[]): Promise<Nginx> {
  const binary = findNginx();
  if (!binary) throw new Error("nginx is not installed");
  const config = path.join(prefix, "nginx.conf");
  fs.writeFileSync(config, nginxConfig(prefix, port, workers));
  const child = spawn(binary, ["-p", prefix, "-c", config, "-e", "stderr"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killNow = () => {
    if (isRunning(child)) child.kill("SIGKILL");
  };
  try {
    await waitFor(
      async () => {
        if (!isRunning(child)) throw new Error(`nginx exited with ${child.exitCode}:\n${output}`);
        return await canConnect(port);
      },
      { timeoutMs: 15_000, what: "nginx listening" },
    );
  } catch (error) {
    killNow();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    killNow,
    stop: async () => {
      // SIGTERM is nginx's fast shutdown; open WebSocket connections do not hold it.
      if (isRunning(child)) child.kill("SIGTERM");
      await Promise.race([exited, delay(10_000)]);
      killNow();
      await exited;
    },
  };
}

function nginxConfig(prefix: string, port: number, workers: ClusterWorker[]): string {
  const upstreams = workers.map((worker) => `    server 127.0.0.1:${worker.port} max_fails=1 fail_timeout=2s;`).join("\n");
  const proxied = `
      proxy_pass http://switchboard;
      proxy_http_version 1.1;
      # $http_host keeps the port the browser addressed ($host drops it), which the dashboard's same-origin checks compare with Origin.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;`;
  return `# Written by e2e/support/cluster.ts for one spec run.
daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  client_max_body_size 2m;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }

  upstream switchboard {
${upstreams}
  }

  server {
    listen 127.0.0.1:${port};
    proxy_connect_timeout 1s;
    proxy_next_upstream error timeout;
    proxy_next_upstream_timeout 10s;
    proxy_read_timeout 60s;
    proxy_buffering off;
    # For specs: which worker answered.
    add_header X-Upstream-Addr $upstream_addr always;

    location /socket.io/ {${proxied}
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
    }
    location = /ws {${proxied}
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
    }
    location / {${proxied}
      proxy_set_header Connection "";
    }
  }
}
`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
