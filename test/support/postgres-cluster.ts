import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/**
 * A throwaway PostgreSQL cluster for the unit tests (the global setup half of test/support/postgres.ts,
 * apart because vitest's runtime cannot be imported here): vitest's global setup (vitest.config.ts) starts one
 * per test run on loopback (a temp folder, a free port, a random password), every test that wants
 * PostgreSQL gets a database of its own (createPostgresDatabase), and the teardown stops the cluster and
 * deletes its folder. Needs PostgreSQL's server binaries (initdb, pg_ctl); as root they run as the
 * `postgres` user (PostgreSQL refuses root). Without them the PostgreSQL tests are skipped, saying why,
 * except under CI=true, where the run fails instead (.ci/run installs them). SWITCHBOARD_TEST_POSTGRES=0
 * skips them on purpose, outside CI.
 */

export type TPostgresState = { url: string } | { skip: string };

declare module "vitest" {
  export interface ProvidedContext {
    postgres: TPostgresState;
  }
}

const BIN_DIRS = ["/usr/lib/postgresql"];

/** initdb/pg_ctl: on PATH, or in Debian's versioned folder (newest first). */
function findServerBin(): string | null {
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
  const bin = findServerBin();
  if (!bin) return skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed (Debian: apt-get install postgresql)");

  const root = process.getuid?.() === 0;
  const asServer = (command: string, args: string[]) => {
    const file = path.join(bin, command);
    execFileSync(root ? "runuser" : file, root ? ["-u", "postgres", "--", file, ...args] : args, { stdio: "pipe" });
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const data = path.join(dir, "data");
  const password = randomBytes(18).toString("hex");
  const started = performance.now();
  let running = false;
  const stop = async () => {
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
  process.once("exit", () => void stop());
  try {
    fs.writeFileSync(path.join(dir, "pwfile"), `${password}\n`);
    if (root) execFileSync("chown", ["-R", "postgres", dir]);
    asServer("initdb", ["-D", data, "-U", "postgres", "-A", "scram-sha-256", `--pwfile=${path.join(dir, "pwfile")}`, "-E", "UTF8"]);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`;
    asServer("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-o", options, "-w", "-t", "30", "start"]);
    running = true;
    const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
    console.info(`[postgres] throwaway cluster up in ${Math.round(performance.now() - started)} ms`);
    project.provide("postgres", { url });
  } catch (error) {
    const log = path.join(dir, "log");
    const detail = fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : "";
    await stop();
    const reason = `could not start a PostgreSQL cluster: ${(error as Error).message}${detail ? `\n${detail}` : ""}`;
    return skip(reason);
  }
  return stop;
}
