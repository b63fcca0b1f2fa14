/**
 * Start and request-speed benchmark: how fast the production server starts, how lean it idles, and how
 * fast the API answers, beside a floor (bench/support/floor-server.mjs: bare `node:http` + better-sqlite3
 * answering the same GET from the same database) measured in the same run.
 * Run after `npm run build`: `npm run bench:boot` (RUNS=5 DURATION=10 CONNECTIONS=10 to tune).
 * Prints a table of medians and saves JSON in bench/results/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { buildIsCurrent, SERVER_BUNDLE } from "../scripts/build-fingerprint.mjs";
import { freePort } from "../e2e/support/server";

const RUNS = Number(process.env.RUNS ?? 5);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const SESSIONS = 1000;
const API_KEY = "bench-key-0123456789abcdef";
const ONE_SESSION = "/api/sessions/bench-0500";
const LIST = "/api/sessions?all=true&limit=100";
const RSS_AFTER_MS = 10_000;
const ROOT = process.cwd();

interface Started {
  child: ChildProcess;
  port: number;
  /** ms from spawn to the first 200 on /ping, then on the authenticated GET. */
  pingMs: number;
  apiMs: number;
  spawnedAt: number;
}

/** Spawns `command`, then asks /ping and `apiPath` every 5 ms until each answers 200. */
async function start(command: string[], dataDir: string, apiPath: string, options: { group?: boolean } = {}): Promise<Started> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    detached: options.group, // npm start: its own process group, so the server under npm is stopped too
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      SWITCHBOARD_DATA_DIR: dataDir,
      WAHA_API_KEY: API_KEY,
      WAHA_LOG_LEVEL: "warn",
      WAHA_PRINT_QR: "false",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const pingMs = (await firstOk(port, "/ping", child)) - spawnedAt;
  const apiMs = (await firstOk(port, apiPath, child)) - spawnedAt;
  return { child, port, pingMs, apiMs, spawnedAt };
}

async function firstOk(port: number, requestPath: string, child: ChildProcess): Promise<number> {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if ((await status(port, requestPath)) === 200) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no 200 on ${requestPath} within 120 s`);
}

function status(port: number, requestPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: requestPath, headers: { "X-Api-Key": API_KEY }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
  });
}

async function stop(started: Started, options: { group?: boolean } = {}): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  if (options.group) process.kill(-child.pid!, "SIGTERM");
  else child.kill("SIGTERM");
  await exited;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const tempDir = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-bench-${label}-`));

async function seed(dataDir: string): Promise<void> {
  const server = await start(["node", SERVER_BUNDLE], dataDir, "/api/sessions");
  const url = `http://127.0.0.1:${server.port}`;
  try {
    for (let i = 0; i < SESSIONS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const n = i + j;
          const body = { name: `bench-${String(n).padStart(4, "0")}`, start: false, config: { metadata: { tenant: `t${n % 10}` } } };
          const response = await fetch(`${url}/api/sessions`, {
            method: "POST",
            headers: { "X-Api-Key": API_KEY, "Content-Type": "application/json" },
            body: JSON.stringify(body),
          });
          if (response.status !== 201) throw new Error(`seeding failed: ${response.status}`);
        }),
      );
    }
  } finally {
    await stop(server);
  }
}

async function load(port: number, requestPath: string) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${requestPath}`,
    headers: { "X-Api-Key": API_KEY },
    connections: CONNECTIONS,
    duration: DURATION,
  });
  if (result.non2xx || result.errors) throw new Error(`${requestPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { requestsPerSecond: Math.round(result.requests.average), p99: result.latency.p99 };
}

async function main() {
  if (!buildIsCurrent(ROOT)) throw new Error("no build for the current sources: run `npm run build` first");
  const existing = tempDir("existing");
  await seed(existing);
  console.log(`seeded ${SESSIONS} sessions; ${RUNS} runs of each start`);

  const warm: { ping: number[]; api: number[]; rss: number[] } = { ping: [], api: [], rss: [] };
  for (let run = 0; run < RUNS; run++) {
    const server = await start(["node", SERVER_BUNDLE], existing, ONE_SESSION);
    warm.ping.push(server.pingMs);
    warm.api.push(server.apiMs);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, server.spawnedAt + RSS_AFTER_MS - performance.now())));
    warm.rss.push(rssMb(server.child.pid!));
    await stop(server);
  }

  const fresh: { ping: number[]; api: number[] } = { ping: [], api: [] };
  for (let run = 0; run < RUNS; run++) {
    const dataDir = tempDir("fresh");
    const server = await start(["node", SERVER_BUNDLE], dataDir, "/api/sessions");
    fresh.ping.push(server.pingMs);
    fresh.api.push(server.apiMs);
    await stop(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const npmStart: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const server = await start(["npm", "start", "--silent"], existing, ONE_SESSION, { group: true });
    npmStart.push(server.apiMs);
    await stop(server, { group: true });
  }

  const server = await start(["node", SERVER_BUNDLE], existing, ONE_SESSION);
  const one = await load(server.port, ONE_SESSION);
  const list = await load(server.port, LIST);
  await stop(server);

  const floorPort = await freePort();
  const floor = spawn("node", ["bench/support/floor-server.mjs", path.join(existing, "switchboard.db"), String(floorPort), API_KEY], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => floor.stdout!.once("data", resolve));
  const floorOne = await load(floorPort, ONE_SESSION);
  floor.kill();
  fs.rmSync(existing, { recursive: true, force: true });

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows = [
    ["start -> first 200 on /ping, existing database", s(median(warm.ping)), "<= 1.0 s (WAHA 0.71 s)"],
    ["start -> first 200 on GET /api/sessions/{name}, existing database", s(median(warm.api)), "<= 1.0 s"],
    ["start -> first 200 on /ping, fresh data folder", s(median(fresh.ping)), "<= 1.5 s"],
    ["start -> first 200 on GET /api/sessions, fresh data folder", s(median(fresh.api)), "<= 1.5 s"],
    [`RSS ${RSS_AFTER_MS / 1000} s after start, no session`, `${median(warm.rss)} MB`, "<= 150 MB (WAHA 114 MB)"],
    ["second `npm start`, nothing changed -> first 200 on GET /api/sessions/{name}", s(median(npmStart)), "<= 2 s"],
    [
      `GET /api/sessions/{name}, ${CONNECTIONS} connections`,
      `${one.requestsPerSecond} req/s, p99 ${one.p99} ms`,
      ">= 3,000 req/s, p99 <= 10 ms (WAHA 2,200-2,400)",
    ],
    [`the same on the floor (node:http + better-sqlite3)`, `${floorOne.requestsPerSecond} req/s, p99 ${floorOne.p99} ms`, "-"],
    ["Switchboard / floor", `${(one.requestsPerSecond / floorOne.requestsPerSecond).toFixed(2)}`, "-"],
    [
      `GET ${LIST} (${SESSIONS} stored), ${CONNECTIONS} connections`,
      `${list.requestsPerSecond} req/s, p99 ${list.p99} ms`,
      ">= 1,202 req/s (2x 601)",
    ],
  ];
  console.log(`\nmedians of ${RUNS} starts; load ${DURATION} s per route\n`);
  console.log("| figure | measured | target |");
  console.log("|---|---:|---|");
  for (const [figure, value, target] of rows) console.log(`| ${figure} | ${value} | ${target} |`);

  fs.mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/boot-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  const raw = { runs: RUNS, warm, fresh, npmStart, one, list, floorOne };
  fs.writeFileSync(file, JSON.stringify({ rows, raw }, null, 2));
  console.log(`\nsaved ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
