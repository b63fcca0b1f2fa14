import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/**
 * A throwaway PostgreSQL cluster on loopback (a temp folder, a free port, a random password, fsync off),
 * removed after. `startPostgresCluster()` is shared by the unit tests and the e2e cluster harness
 * (e2e/support/cluster.ts). The default export is vitest's global setup (vitest.config.ts): one cluster
 * per unit-test run, every test that wants PostgreSQL gets a database of its own on it
 * (test/support/postgres.ts, createPostgresDatabase), and the teardown stops the cluster and deletes its
 * folder. Needs PostgreSQL's server binaries (initdb, pg_ctl); as root they run as the `postgres` user
 * (PostgreSQL refuses root). Without them the PostgreSQL tests are skipped, saying why, except under
 * CI=true, where the run fails instead (.ci/run installs them). SWITCHBOARD_TEST_POSTGRES=0 skips them
 * on purpose, outside CI.
 */

export type TPostgresState = { url: string } | { skip: string };

declare module "vitest" {
  export interface ProvidedContext {
    postgres: TPostgresState;
  }
}

const BIN_DIRS = ["/usr/lib/postgresql"];

export const POSTGRES_MISSING = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed (Debian: apt-get install postgresql)";

/** initdb/pg_ctl: on PATH, or in Debian's versioned folder (newest first). */
export function findPostgresBin(): string | null {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (onPath && fs.existsSync(path.join(path.dirname(onPath), "initdb"))) return path.dirname(onPath);
  for (const root of BIN_DIRS.filter((dir) => fs.existsSync(dir))) {
    const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = path.join(root, version, "bin");
      if (fs.existsSync(path.join(bin, "pg_ctl")) && fs.existsSync(path.join(bin, "initdb"))) return bin;
    }
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TPostgresCluster {
  /** The superuser's URL on database `postgres`. */
  url: string;
  port: number;
  /** The server's own pid (the postmaster), read after each start. */
  pid(): number | null;
  /** `pg_ctl restart` (same port, same data): `fast` ends the open connections, as a database restart does. */
  restart(mode?: "fast" | "immediate"): void;
  /** The server's log, for a failure's message. */
  log(): string;
  /** Stops the cluster and deletes its folder (also done at process exit). */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway cluster. Throws, saying why, when the binaries are missing (the message is
 * POSTGRES_MISSING) or the start fails (with the end of the server's log).
 */
export async function startPostgresCluster(): Promise<TPostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING);

  const root = process.getuid?.() === 0;
  const asServer = (command: string, args: string[]) => {
    const file = path.join(bin, command);
    execFileSync(root ? "runuser" : file, root ? ["-u", "postgres", "--", file, ...args] : args, { stdio: "pipe" });
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "log");
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  const password = randomBytes(18).toString("hex");
  let running = false;
  const stopNow = () => {
    if (running) {
      running = false;
      try {
        asServer("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already gone; the folder goes anyway.
      }
    }
    remove();
  };
  // Synchronous, so it also runs when the test process exits without its teardown.
  process.once("exit", stopNow);
  try {
    fs.writeFileSync(path.join(dir, "pwfile"), `${password}\n`);
    if (root) execFileSync("chown", ["-R", "postgres", dir]);
    asServer("initdb", ["-D", data, "-U", "postgres", "-A", "scram-sha-256", `--pwfile=${path.join(dir, "pwfile")}`, "-E", "UTF8"]);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`;
    asServer("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "30", "start"]);
    running = true;
    return {
      url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
      port,
      pid: () => {
        try {
          return Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]) || null;
        } catch {
          return null;
        }
      },
      restart: (mode = "fast") => asServer("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-m", mode, "-w", "-t", "30", "restart"]),
      log,
      stop: async () => {
        process.removeListener("exit", stopNow);
        stopNow();
      },
    };
  } catch (error) {
    const detail = log().slice(-2000);
    process.removeListener("exit", stopNow);
    stopNow();
    throw new Error(`could not start a PostgreSQL cluster: ${(error as Error).message}${detail ? `\n${detail}` : ""}`);
  }
}

/** Global setup: starts the cluster, hands its admin URL to the test files, stops and removes it after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ci = process.env.CI === "true";
  const skip = (reason: string) => {
    if (ci) throw new Error(`PostgreSQL tests cannot run under CI=true: ${reason}`);
    console.warn(`[postgres] PostgreSQL tests skipped: ${reason}`);
    project.provide("postgres", { skip: reason });
    return async () => undefined;
  };
  if (process.env.SWITCHBOARD_TEST_POSTGRES === "0" && !ci) return skip("SWITCHBOARD_TEST_POSTGRES=0");
  const started = performance.now();
  let cluster: TPostgresCluster;
  try {
    cluster = await startPostgresCluster();
  } catch (error) {
    return skip((error as Error).message);
  }
  console.info(`[postgres] throwaway cluster up in ${Math.round(performance.now() - started)} ms`);
  project.provide("postgres", { url: cluster.url });
  return cluster.stop;
}
