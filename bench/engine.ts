/**
 * Engine benchmark: real whatsapp-web.js + Chromium against the WhatsApp Web double, through the API.
 * - create -> first QR, scan -> WORKING, restore after a server restart -> WORKING, for 1 and 3 sessions
 * - memory per session (PSS and USS of each browser tree, from /proc) at WORKING with 3 running
 * - boot with 10 stored running sessions -> all WORKING
 * - leftover Chromium processes after shutdown
 * Run after `npm run build`: `npm run bench:engine`. Prints a table; saves JSON in bench/results/.
 * Targets: first QR <= 1.5 s (one session), scan -> WORKING <= 0.5 s, PSS <= 260 MiB per session with 3 running.
 */
import fs from "node:fs";
import { io, type Socket } from "socket.io-client";
import { measureMemory } from "../server/engines/webjs/process-tree";
import { doubleEnv, startServer, type RunningServer } from "../e2e/support/server";
import { startDouble, type WhatsAppWebDouble } from "../e2e/support/whatsapp-web-double/double";
import { processesMatching } from "../e2e/support/processes";

type Row = { measure: string; sessions: number; p50: number; max: number; unit: string; target: string };
const rows: Row[] = [];

async function main() {
  const double = await startDouble();
  const env = { ...doubleEnv(double), WAHA_LOG_LEVEL: "warn" };
  try {
    for (const count of [1, 3]) await loginRound(double, env, count);
    await bootRound(double, env, 10);
    print();
    fs.mkdirSync("bench/results", { recursive: true });
    const file = `bench/results/engine-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    fs.writeFileSync(file, JSON.stringify({ rows }, null, 2));
    console.log(`\nsaved ${file}`);
  } finally {
    await double.close();
  }
}

/** Create `count` sessions at once, time first QR and scan -> WORKING, then restart the server and time the restore. */
async function loginRound(double: WhatsAppWebDouble, env: Record<string, string>, count: number) {
  const dataDir = fs.mkdtempSync("/tmp/switchboard-bench-engine-");
  let server = await startServer({ dataDir, env });
  const names = Array.from({ length: count }, (_, i) => `bench${count}-${i}`);
  let live = await watch(server);

  const created = Date.now();
  await Promise.all(names.map((name) => post(server, "/api/sessions", { name })));
  const firstQr = await Promise.all(names.map((name) => live.first(name, "qr").then((t) => t - created)));
  record("create -> first QR", count, firstQr, "ms", count === 1 ? "<= 1500 ms" : "-");

  const scans = await Promise.all(
    names.map(async (name, i) => {
      const qr = live.qr.get(name)!;
      const scanned = Date.now();
      const working = live.first(name, "WORKING");
      await double.scan(qr, { user: `1555100${count}${i}`, pushname: name });
      return (await working) - scanned;
    }),
  );
  record("scan -> WORKING", count, scans, "ms", "<= 500 ms");

  if (count === 3) {
    const memory = await Promise.all(names.map((name) => measureMemory(processesMatching(`${dataDir}/sessions/${name}/`))));
    record(
      "PSS per session at WORKING",
      count,
      memory.map((m) => m.pssKiB / 1024),
      "MiB",
      "<= 260 MiB",
    );
    record(
      "USS per session at WORKING",
      count,
      memory.map((m) => m.ussKiB / 1024),
      "MiB",
      "-",
    );
  }

  await new Promise((resolve) => setTimeout(resolve, 1500)); // let Chromium flush the login to the profile
  live.close();
  await server.stop();
  record("Chromium processes left after shutdown", count, [processesMatching(`${dataDir}/sessions`).length], "", "0");

  const booted = Date.now();
  server = await startServer({ dataDir, env });
  live = await watch(server);
  const restored = await Promise.all(names.map((name) => live.firstOrCurrent(name, "WORKING").then((t) => t - booted)));
  record("server start -> restored WORKING (no QR)", count, restored, "ms", "-");
  live.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Store `count` logged-in sessions, restart, and time boot -> all WORKING. */
async function bootRound(double: WhatsAppWebDouble, env: Record<string, string>, count: number) {
  const dataDir = fs.mkdtempSync("/tmp/switchboard-bench-boot-");
  let server = await startServer({ dataDir, env });
  let live = await watch(server);
  const names = Array.from({ length: count }, (_, i) => `boot-${i}`);
  for (const [i, name] of names.entries()) {
    await post(server, "/api/sessions", { name });
    await live.first(name, "qr");
    const working = live.first(name, "WORKING");
    await double.scan(live.qr.get(name)!, { user: `1555200${String(i).padStart(2, "0")}`, pushname: name });
    await working;
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  live.close();
  await server.stop();

  const booted = Date.now();
  server = await startServer({ dataDir, env });
  live = await watch(server);
  const times = await Promise.all(names.map((name) => live.firstOrCurrent(name, "WORKING", 120_000).then((t) => t - booted)));
  record(`boot with ${count} stored sessions -> all WORKING`, count, [Math.max(...times)], "ms", "-");
  live.close();
  await server.stop();
  record("Chromium processes left after shutdown", count, [processesMatching(`${dataDir}/sessions`).length], "", "0");
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A Socket.IO subscriber that timestamps each session's first QR and each status. */
async function watch(server: RunningServer) {
  const socket: Socket = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"] });
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  socket.emit("subscribe", { session: "*" });
  const seen = new Map<string, number>();
  const qr = new Map<string, string>();
  const waiters: { key: string; resolve: (t: number) => void }[] = [];
  const mark = (key: string) => {
    const now = Date.now();
    if (!seen.has(key)) seen.set(key, now);
    for (const waiter of waiters.filter((w) => w.key === key)) waiter.resolve(now);
  };
  socket.on("session.qr", (e: { session: string; value: string | null }) => {
    if (!e.value) return;
    qr.set(e.session, e.value);
    mark(`${e.session}:qr`);
  });
  socket.on("session.status", (e: { session: string; status: string }) => mark(`${e.session}:${e.status}`));
  const first = (session: string, what: string, timeoutMs = 60_000) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${session} never reached ${what}`)), timeoutMs);
      waiters.push({ key: `${session}:${what}`, resolve: (t) => (clearTimeout(timer), resolve(t)) });
    });
  return {
    qr,
    first,
    /** Like first(), but already-seen events count (restores can finish before we ask). */
    firstOrCurrent: (session: string, what: string, timeoutMs?: number) =>
      seen.has(`${session}:${what}`) ? Promise.resolve(seen.get(`${session}:${what}`)!) : first(session, what, timeoutMs),
    close: () => socket.close(),
  };
}

async function post(server: RunningServer, path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "X-Api-Key": server.apiKey, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

function record(measure: string, sessions: number, values: number[], unit: string, target: string) {
  const sorted = [...values].sort((a, b) => a - b);
  rows.push({ measure, sessions, p50: Math.round(sorted[Math.floor(sorted.length / 2)]), max: Math.round(sorted.at(-1)!), unit, target });
}

function print() {
  console.log("\n| measure | sessions | p50 | max | unit | target |");
  console.log("|---|---:|---:|---:|---|---|");
  for (const r of rows) console.log(`| ${r.measure} | ${r.sessions} | ${r.p50} | ${r.max} | ${r.unit} | ${r.target} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
