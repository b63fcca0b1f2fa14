/**
 * Session health benchmark: real whatsapp-web.js + Chromium against the WhatsApp Web double, through
 * the server with its default health settings (docs/session-health.md).
 * - for each fault the double can inject: time from the fault to the FAILED status that names it, and
 *   to WORKING again where a restart is expected (target: detected within 2 probe intervals, <= 30 s)
 * - what the probe costs: 10 WORKING sessions for a period with the probe off, at its default
 *   interval, and every second (to measure one probe's cost above the noise): CPU of the server and
 *   its Chromiums, server RSS and Chromium PSS (target: under 1% of one core at the default interval)
 * Run after `npm run build`: `npx tsx bench/health.ts [--period <seconds, default 300>] [--only faults|cost]`.
 * Prints a table; saves JSON in bench/results/.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import type { TSession } from "../lib/session";
import { measureMemory } from "../server/engines/webjs/process-tree";
import { sessionProfile } from "../server/engines/webjs/session-profile";
import { processesMatching, renderersMatching } from "../e2e/support/processes";
import { doubleEnv, startServer, type RunningServer } from "../e2e/support/server";
import { startDouble, type WhatsAppWebDouble } from "../e2e/support/whatsapp-web-double/double";
import { loginStored } from "../e2e/support/whatsapp-web-double/stored-login";

type Row = { measure: string; value: string; target: string };
const rows: Row[] = [];
const DEFAULT_INTERVAL_S = 10;
const COST_SESSIONS = 10;

const { values: args } = parseArgs({
  options: { period: { type: "string", default: "300" }, only: { type: "string" } },
});
const periodS = Number(args.period);
if (!(periodS > 0)) throw new Error("--period must be a number of seconds");

async function main() {
  const double = await startDouble();
  const env = { ...doubleEnv(double), WAHA_LOG_LEVEL: "warn" };
  try {
    if (args.only !== "cost") await faultRound(double, env);
    if (args.only !== "faults") await costRound(double, env);
    print();
    fs.mkdirSync("bench/results", { recursive: true });
    const file = `bench/results/health-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    fs.writeFileSync(file, JSON.stringify({ periodS, rows }, null, 2));
    console.log(`\nsaved ${file}`);
  } finally {
    await double.close();
  }
}

// ---- faults ------------------------------------------------------------------------------------------

interface Fault {
  name: string;
  inject(ctx: { double: WhatsAppWebDouble; user: string; sessionDir: string }): Promise<void>;
  /** The FAILED reason that names it; null when the session must stay WORKING. */
  reason: RegExp | null;
  recovers: boolean;
}

const FAULTS: Fault[] = [
  {
    name: "Chromium killed",
    inject: async ({ sessionDir }) => killAll(processesMatching(sessionDir)),
    reason: /Chromium exited or crashed|page was closed|Chromium is not running/,
    recovers: true,
  },
  {
    name: "renderer crash",
    inject: async ({ sessionDir }) => killAll(renderersMatching(sessionDir)),
    reason: /page crashed|renderer crashed/,
    recovers: true,
  },
  { name: "hung page", inject: ({ double, user }) => double.hang({ user }), reason: /not responding/, recovers: true },
  {
    name: "connection lost for good",
    inject: ({ double, user }) => double.dropConnection({ user }, { reconnectAfterMs: null }),
    reason: /did not reconnect/,
    recovers: true,
  },
  {
    name: "account opened elsewhere (CONFLICT)",
    inject: ({ double, user }) => double.conflict({ user }),
    reason: /CONFLICT/,
    recovers: true,
  },
  {
    name: "phone removed the device (UNPAIRED)",
    inject: ({ double, user }) => double.logout({ user }, { via: "unpaired" }),
    reason: /UNPAIRED/,
    recovers: false,
  },
  {
    name: "phone removed the device (LOGOUT)",
    inject: ({ double, user }) => double.logout({ user }),
    reason: /LOGOUT/,
    recovers: false,
  },
  {
    name: "connection dropped, back after 2 s",
    inject: ({ double, user }) => double.dropConnection({ user }, { reconnectAfterMs: 2000 }),
    reason: null,
    recovers: false,
  },
];

/** Each fault on a fresh logged-in session, one at a time, with the default health settings. */
async function faultRound(double: WhatsAppWebDouble, env: Record<string, string>) {
  const dataDir = fs.mkdtempSync("/tmp/switchboard-bench-health-");
  const server = await startServer({ dataDir, env });
  const live = await watch(server);
  try {
    for (const [i, fault] of FAULTS.entries()) {
      const name = `fault-${i}`;
      const user = `155530000${i}`;
      await login(server, live, double, name, user);
      // A fault that kills the browser must not also lose the login Chromium has not written yet.
      await until(() => loginStored(sessionProfile(`${dataDir}/sessions`, name).profileDir), 30_000, `${name}: login stored`);

      const injected = Date.now();
      await fault.inject({ double, user, sessionDir: `${dataDir}/sessions/${name}/` });
      if (fault.reason === null) {
        const back = await live.waitFor(name, (e) => e.kind === "engine" && e.event === "change_state" && e.data === "CONNECTED", injected);
        // A probe passed after the whole reconnect grace (default 10 s): nothing may have failed meanwhile.
        await until(async () => ((await session(server, name)).health.probe.lastOkAt ?? 0) > injected + 10_000, 60_000, `${name}: probe`);
        const failed = live.seen(name, injected).some((e) => e.kind === "status" && e.status === "FAILED");
        rows.push({
          measure: `${fault.name}: back to CONNECTED / status`,
          value: `${back - injected} ms / ${failed ? "FAILED" : "stayed WORKING"}`,
          target: "stays WORKING",
        });
      } else {
        const reason = fault.reason;
        const detected = await live.waitFor(name, (e) => e.kind === "status" && e.status === "FAILED" && reason.test(e.reason), injected);
        rows.push({ measure: `${fault.name}: fault -> FAILED naming it`, value: `${detected - injected} ms`, target: "<= 30 s" });
        if (fault.recovers) {
          const back = await live.waitFor(name, (e) => e.kind === "status" && e.status === "WORKING", detected);
          rows.push({ measure: `${fault.name}: fault -> WORKING again`, value: `${back - injected} ms`, target: "-" });
        }
      }
      await call(server, "DELETE", `/api/sessions/${name}`);
    }
  } finally {
    live.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- probe cost -------------------------------------------------------------------------------------

/** 10 stored WORKING sessions, measured for the period with the probe off, at the default interval, and every second. */
async function costRound(double: WhatsAppWebDouble, env: Record<string, string>) {
  const dataDir = fs.mkdtempSync("/tmp/switchboard-bench-health-cost-");
  const names = Array.from({ length: COST_SESSIONS }, (_, i) => `cost-${i}`);
  const setup = await startServer({ dataDir, env });
  const live = await watch(setup);
  for (const [i, name] of names.entries()) await login(setup, live, double, name, `15553100${String(i).padStart(2, "0")}`);
  live.close();
  await setup.stop(); // a graceful stop writes every login to its profile

  const runs = [
    { label: "probe off", intervalS: 0 },
    { label: `probe every ${DEFAULT_INTERVAL_S} s (default)`, intervalS: DEFAULT_INTERVAL_S },
    { label: "probe every 1 s", intervalS: 1 },
  ];
  const results: { label: string; intervalS: number; cpuPercent: number; rssMiB: number; pssMiB: number }[] = [];
  for (const run of runs) {
    const server = await startServer({ dataDir, env: { ...env, SWITCHBOARD_HEALTH_INTERVAL_SECONDS: String(run.intervalS) } });
    try {
      for (const name of names) await until(async () => (await session(server, name)).status === "WORKING", 120_000, `${name} WORKING`);
      await sleep(10_000); // let the restore's work settle
      const pids = () => [server.process.pid!, ...processesMatching(`${dataDir}/sessions`)];
      const before = await cpuTicks(pids());
      await sleep(periodS * 1000);
      const after = await cpuTicks(pids());
      const ticks = [...after].reduce((sum, [pid, t]) => sum + Math.max(0, t - (before.get(pid) ?? 0)), 0);
      const cpuPercent = (ticks / clockTicks() / periodS) * 100;
      const memory = await measureMemory(processesMatching(`${dataDir}/sessions`));
      results.push({ ...run, cpuPercent, rssMiB: (await rssKiB(server.process.pid!)) / 1024, pssMiB: memory.pssKiB / 1024 });
    } finally {
      await server.stop();
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });

  const off = results[0];
  for (const r of results) {
    rows.push({
      measure: `${COST_SESSIONS} WORKING, ${r.label}: CPU (server + Chromium), ${periodS} s`,
      value: `${r.cpuPercent.toFixed(2)} % of one core`,
      target: "-",
    });
    rows.push({
      measure: `${COST_SESSIONS} WORKING, ${r.label}: server RSS / Chromium PSS`,
      value: `${r.rssMiB.toFixed(0)} MiB / ${r.pssMiB.toFixed(0)} MiB`,
      target: "-",
    });
  }
  const atDefault = results[1].cpuPercent - off.cpuPercent;
  rows.push({
    measure: `probe cost at the default interval, ${COST_SESSIONS} sessions (on - off)`,
    value: `${atDefault.toFixed(2)} % of one core`,
    target: "< 1 %",
  });
  // Every second there are 10x the probes: their cost stands above the machine's noise.
  const probesPerSecond = COST_SESSIONS / 1;
  const perProbeMs = (((results[2].cpuPercent - off.cpuPercent) / 100) * 1000) / probesPerSecond;
  rows.push({ measure: "CPU per probe (from the 1 s run)", value: `${perProbeMs.toFixed(2)} ms`, target: "-" });
  rows.push({
    measure: `probe cost at the default interval, ${COST_SESSIONS} sessions (projected from CPU per probe)`,
    value: `${((perProbeMs * COST_SESSIONS) / DEFAULT_INTERVAL_S / 10).toFixed(3)} % of one core`,
    target: "< 1 %",
  });
}

// ---- helpers ----------------------------------------------------------------------------------------

type Seen = { at: number } & (
  { kind: "status"; status: string; reason: string } | { kind: "engine"; event: string; data: unknown } | { kind: "qr"; value: string }
);

/** A Socket.IO subscriber that timestamps every status, QR and engine event of every session. */
async function watch(server: RunningServer) {
  const socket: Socket = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"] });
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  await socket.emitWithAck("subscribe", { session: "*" });
  const log = new Map<string, Seen[]>();
  const listeners = new Set<() => void>();
  const add = (session: string, entry: Seen) => {
    log.set(session, [...(log.get(session) ?? []), entry]);
    for (const listener of listeners) listener();
  };
  socket.on("session.status", (e: { session: string; status: string; statuses: { reason: string | null }[] }) =>
    add(e.session, { at: Date.now(), kind: "status", status: e.status, reason: e.statuses.at(-1)?.reason ?? "" }),
  );
  socket.on("session.qr", (e: { session: string; value: string | null }) => {
    if (e.value) add(e.session, { at: Date.now(), kind: "qr", value: e.value });
  });
  socket.on("engine.event", (e: { session: string; event: string; data: unknown }) =>
    add(e.session, { at: Date.now(), kind: "engine", event: e.event, data: e.data }),
  );
  const seen = (session: string, since: number) => (log.get(session) ?? []).filter((e) => e.at >= since);
  /** The time of the first matching entry at or after `since`. */
  const waitFor = (session: string, match: (e: Seen) => boolean, since: number, timeoutMs = 120_000) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const hit = seen(session, since).find(match);
        if (!hit) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(hit.at);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`${session}: nothing matched in ${timeoutMs} ms; saw ${JSON.stringify(seen(session, since))}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { seen, waitFor, close: () => socket.close() };
}

async function login(
  server: RunningServer,
  live: Awaited<ReturnType<typeof watch>>,
  double: WhatsAppWebDouble,
  name: string,
  user: string,
) {
  const started = Date.now();
  await call(server, "POST", "/api/sessions", { name });
  await live.waitFor(name, (e) => e.kind === "qr", started);
  const qr = live.seen(name, started).findLast((e) => e.kind === "qr") as Extract<Seen, { kind: "qr" }>;
  await double.scan(qr.value, { user, pushname: name });
  await live.waitFor(name, (e) => e.kind === "status" && e.status === "WORKING", started);
}

async function session(server: RunningServer, name: string): Promise<TSession> {
  return (await call(server, "GET", `/api/sessions/${name}`)) as TSession;
}

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "X-Api-Key": server.apiKey, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

function killAll(pids: number[]) {
  if (pids.length === 0) throw new Error("no process to kill");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** utime + stime of each pid, in clock ticks. */
async function cpuTicks(pids: number[]): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // exited
    }
  }
  return ticks;
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  return ticksPerSecond;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function print() {
  console.log("\n| measure | value | target |");
  console.log("|---|---|---|");
  for (const r of rows) console.log(`| ${r.measure} | ${r.value} | ${r.target} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
