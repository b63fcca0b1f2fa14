/**
 * Webhook benchmark. The real event publisher + WebhookDispatcher run in this process on a migrated
 * temp SQLite (WAL, synchronous=NORMAL, as server.ts sets them), or with DB=postgresql on a database of
 * a throwaway PostgreSQL cluster started for the run (test/support/postgres-cluster.ts, fsync off as in
 * the tests); the receivers run in their own process (bench/support/webhook-receiver.mjs) on 127.0.0.1.
 * HMAC on, ~1 KB `message` events.
 * 1. 10,000 events at a steady 2,000/s: delivered/s and p50/p99 from emit to receipt; 10,000 emitted at
 *    once (burst); a stored backlog of 10,000 drained after start() (the max delivery rate).
 * 2. The same with two webhooks per event: both receivers live (the baseline), then one of them dead
 *    (connection refused; accepts and never answers): the live receiver's rates and their drop.
 * 3. kill -9 of a child process that emits and dispatches, mid-run; a new dispatcher on the same
 *    database: emitted events never received (lost) and received more than once (duplicated).
 * 4. The production server with the WhatsApp Web double: status change -> Socket.IO `session.status`
 *    over QR rotations (each new QR is a SCAN_QR_CODE status) and stop/start cycles of one session.
 * 5. PostgreSQL only (DB=postgresql PARTS=5): three workers, each a child process with its own
 *    publisher, dispatcher (cluster mode) and lease in `Worker`, warmed up as parts 1-2 are (WARMUP
 *    events each, to a receiver of their own: a fresh process runs its first thousands of deliveries at
 *    about twice the CPU of a warm one), then against one receiver: EVENTS in all at
 *    RATE in all (steady), and a stored backlog of EVENTS drained by the three; then kill -9 of one of
 *    them mid-run: the other two adopt its rows once its lease lapses (LEASE_MS, default 3000):
 *    lost and duplicated deliveries, and the time from the kill until its last row was adopted.
 * Parts 1-2 run ROUNDS times interleaved, after a warm-up, each run on a fresh database; the tables
 * show the median round. Prints markdown tables and the load average; saves JSON in bench/results/.
 * Run after `npm run build` (part 4): `npx tsx bench/webhooks.ts`
 * (EVENTS=10000 RATE=2000 ROUNDS=3 CYCLES=50 ROTATIONS=50 PARTS=1,2,3,4 DB=sqlite|postgresql LEASE_MS=3000 WARMUP=2000 to
 * tune; part 4 always runs the server on SQLite).
 * Targets (2 cores): >= 2,000 deliveries/s (stored backlog) and keeping up with 2,000/s offered;
 * emit -> receipt p99 <= 50 ms at 2,000/s; 0 lost after kill -9; live receiver's delivered/s drops
 * <= 10% when the other of two receivers is dead; status change -> Socket.IO client p99 <= 20 ms;
 * three workers >= 2,000 deliveries/s against one receiver, 0 lost when one of them is killed.
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import type { TSessionConfig, TWebhookConfig } from "../lib/session-config";
import { openDb, type Db } from "../server/db";
import { buildEnvironment } from "../server/events/envelope";
import { NO_IGNORE } from "../server/events/ignore";
import { createEventPublisher, type EventPublisher } from "../server/events/publish-event";
import { VERSION } from "../server/system/environment";
import { WebhookDispatcher } from "../server/webhooks/dispatcher";
import { startPostgresCluster, type TPostgresCluster } from "../test/support/postgres-cluster";
import { setPostgresCluster } from "../test/support/postgres";
import { createTestDb, type TestDb } from "../test/support/test-db";
import { reservePort } from "../test/support/webhook-receiver";
import { doubleEnv, startServer, type RunningServer } from "../e2e/support/server";
import { startDouble, type WhatsAppWebDouble } from "../e2e/support/whatsapp-web-double/double";

const EVENTS = intEnv("EVENTS", 10_000);
const RATE = intEnv("RATE", 2_000);
const ROUNDS = intEnv("ROUNDS", 3);
const CYCLES = intEnv("CYCLES", 50);
const ROTATIONS = intEnv("ROTATIONS", 50);
const PARTS = new Set((process.env.PARTS ?? "1,2,3,4").split(",").map((part) => part.trim()));
const DIALECT = dialectEnv();
const LEASE_MS = intEnv("LEASE_MS", 3_000);
/** Part 5: events each worker delivers to a receiver of their own before a run (JIT, Prisma, sockets), not reported. */
const WARMUP = intEnv("WARMUP", 2_000);
const WORKERS = ["w1", "w2", "w3"];

const HMAC_KEY = "bench-hmac-key-0123456789";
const SELF = fileURLToPath(import.meta.url);
const RECEIVER = fileURLToPath(new URL("./support/webhook-receiver.mjs", import.meta.url));
const ENVIRONMENT = buildEnvironment({ version: VERSION, browser: "/usr/bin/chromium", workerId: null });
const BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. ".repeat(8).slice(0, 700);

type Mode = "steady" | "burst" | "backlog";
type Scenario = "1 receiver" | "2, both live" | "2, other refuses" | "2, other never answers";
const SCENARIOS: Scenario[] = ["1 receiver", "2, both live", "2, other refuses", "2, other never answers"];
/** The two-receiver runs are compared with this one: the same work per event, nothing dead. */
const BASELINE: Scenario = "2, both live";
const MODES: Mode[] = ["steady", "burst", "backlog"];
const MODE_LABEL: Record<Mode, string> = {
  steady: `steady ${RATE}/s`,
  burst: "burst (all at once)",
  backlog: "stored backlog, drained",
};

interface RunResult {
  round: number;
  scenario: Scenario;
  mode: Mode;
  events: number;
  received: number;
  badHmac: number;
  /** The live receiver's deliveries per second (see rateOf). */
  deliveredPerSecond: number;
  /** Emit -> receipt at the live receiver; null for the stored backlog (emitted before the dispatcher ran). */
  p50: number | null;
  p99: number | null;
  max: number | null;
  /** CPU of this (the dispatcher's) process per live delivery, in microseconds. */
  cpuMicrosPerDelivery: number;
  /** Attempts recorded for the other (second) webhook. */
  otherAttempts: number;
  seconds: number;
}

interface ClusterResult {
  workers: number;
  leaseMs: number;
  /** Deliveries per second at the one receiver (steady: between its first and last request; backlog: from the go). */
  /** cpuMicrosPerDelivery: the workers' CPU from the go to the last delivery, per delivery (steady: emitting included). */
  steady: { events: number; received: number; deliveredPerSecond: number; p50: number; p99: number; cpuMicrosPerDelivery: number };
  backlog: { events: number; received: number; deliveredPerSecond: number; cpuMicrosPerDelivery: number };
  kill: {
    events: number;
    acknowledged: number;
    receivedUnique: number;
    lost: number;
    duplicated: number;
    /** The killed worker's rows when it died, by state. */
    statesAtKill: Record<string, number>;
    /** kill -> none of its rows left pending or in flight. */
    adoptedAfterSeconds: number;
  };
}

interface CrashResult {
  eventsPlanned: number;
  acknowledgedBeforeKill: number;
  statesAtKill: Record<string, number>;
  statesAfterRecovery: Record<string, number>;
  emitted: number;
  receivedRequests: number;
  receivedUnique: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  recoverySeconds: number;
}

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

interface SocketResult {
  /** Status change (the server's timestamp of it) -> `session.status` at the client: all, then by kind. */
  statusChanges: Stats;
  byKind: Record<string, Stats>;
  rotateToStatus: Stats;
  startToStarting: Stats;
  stopToStopped: Stats;
  startToScanQr: Stats;
  cycles: number;
  rotations: number;
  mismatched: number;
}

const loads: { when: string; loadavg: number[] }[] = [];

async function main() {
  noteLoad("start");
  console.log(`${os.cpus().length} cores; load average ${fmtLoad(os.loadavg())} (1/5/15 min) at start; database: ${DIALECT}`);
  let cluster: TPostgresCluster | null = null;
  if (DIALECT === "postgresql") {
    cluster = await startPostgresCluster();
    setPostgresCluster(cluster.url);
  }
  const results: RunResult[] = [];
  let crash: CrashResult | null = null;
  let socket: SocketResult | null = null;
  let clustered: ClusterResult | null = null;
  if (PARTS.has("5") && DIALECT !== "postgresql") throw new Error("part 5 (three workers) needs DB=postgresql");

  const receivers = ["1", "2", "3", "5"].some((part) => PARTS.has(part)) ? Receivers.start() : null;
  try {
    if (receivers && (PARTS.has("1") || PARTS.has("2"))) {
      results.push(...(await throughputRounds(receivers)));
      noteLoad("after parts 1-2");
    }
    if (receivers && PARTS.has("3")) {
      crash = await crashRun(receivers);
      noteLoad("after part 3");
    }
    if (receivers && PARTS.has("5")) {
      clustered = await clusterRun(receivers);
      noteLoad("after part 5");
    }
  } finally {
    receivers?.stop();
    await cluster?.stop();
  }
  if (PARTS.has("4")) {
    socket = await socketRun();
    noteLoad("after part 4");
  }

  const targets = print(results, crash, socket, clustered);
  fs.mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/webhooks-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  const settings = {
    database: DIALECT,
    events: EVENTS,
    rate: RATE,
    rounds: ROUNDS,
    cycles: CYCLES,
    rotations: ROTATIONS,
    leaseMs: LEASE_MS,
    cores: os.cpus().length,
  };
  fs.writeFileSync(file, JSON.stringify({ settings, loads, targets, runs: results, crash, socket, cluster: clustered }, null, 2));
  console.log(`\nsaved ${file}`);
}

// ------------------------------------------------------------------ parts 1-2: throughput

async function throughputRounds(receivers: Receivers): Promise<RunResult[]> {
  const livePort = await receivers.listen("ok");
  const secondPort = await receivers.listen("ok");
  const hangPort = await receivers.listen("hang");
  const other: Record<Scenario, Other | null> = {
    "1 receiver": null,
    "2, both live": { url: `http://127.0.0.1:${secondPort}/hook`, livePort: secondPort },
    "2, other refuses": { url: `http://127.0.0.1:${await reservePort()}/hook`, livePort: null },
    "2, other never answers": { url: `http://127.0.0.1:${hangPort}/hook`, livePort: null },
  };
  const scenarios = SCENARIOS.filter((s) => (s === "1 receiver" ? PARTS.has("1") : PARTS.has("2")));

  // Warm-up (JIT, Prisma, sockets): not reported.
  await runOnce(receivers, livePort, null, "steady", { round: 0, scenario: "1 receiver", events: Math.min(EVENTS, 3_000) });
  await runOnce(receivers, livePort, null, "backlog", { round: 0, scenario: "1 receiver", events: Math.min(EVENTS, 3_000) });

  // Interleaved, so that load from other work on the machine spreads over all scenarios.
  const results: RunResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const scenario of scenarios) {
      for (const mode of MODES) {
        const result = await runOnce(receivers, livePort, other[scenario], mode, { round, scenario, events: EVENTS });
        results.push(result);
        console.log(
          `round ${round} | ${scenario} | ${MODE_LABEL[mode]}: ${result.received}/${EVENTS} in ${result.seconds.toFixed(2)} s, ` +
            `${result.deliveredPerSecond}/s, p50 ${result.p50 ?? "-"} ms, p99 ${result.p99 ?? "-"} ms, bad HMAC ${result.badHmac}, ` +
            `other webhook's attempts ${result.otherAttempts}, load ${fmtLoad(os.loadavg())}`,
        );
      }
    }
  }
  for (const port of [livePort, secondPort, hangPort]) await receivers.close(port);
  return results;
}

/** The second webhook of a two-receiver run; livePort when it answers (its receipts are drained too). */
interface Other {
  url: string;
  livePort: number | null;
}

async function runOnce(
  receivers: Receivers,
  livePort: number,
  other: Other | null,
  mode: Mode,
  run: { round: number; scenario: Scenario; events: number },
): Promise<RunResult> {
  const liveUrl = `http://127.0.0.1:${livePort}/hook`;
  const pipeline = await openPipeline();
  const { dispatcher, publisher } = pipeline;
  const config = sessionConfig(other ? [liveUrl, other.url] : [liveUrl]);
  const publish = (seq: number) => publishMessage(publisher, config, seq);
  let otherAttempts = 0;
  try {
    const cpu = process.cpuUsage();
    let startedAt: number;
    if (mode === "backlog") {
      // Written while the dispatcher is stopped (enqueue works then), so only delivering is timed.
      await emitAtOnce(run.events, publish);
      startedAt = Date.now();
      await dispatcher.start();
    } else {
      await dispatcher.start();
      startedAt = Date.now();
      if (mode === "steady") await emitSteady(run.events, RATE, publish);
      else await emitAtOnce(run.events, publish);
    }
    const deadline = Math.max(60_000, (run.events / RATE) * 10_000);
    await waitUntil(() => pipeline.delivered(liveUrl) >= run.events, deadline, `${run.events} deliveries`);
    const used = process.cpuUsage(cpu);
    const report = await receivers.report(livePort);
    if (other?.livePort) {
      // The second live receiver finishes too, so that the next run starts from nothing.
      await waitUntil(() => pipeline.delivered(other.url) >= run.events, deadline, `${run.events} deliveries to the second receiver`);
      await receivers.report(other.livePort);
    }
    await dispatcher.stop();
    if (other) otherAttempts = await pipeline.testDb.db.webhookAttempt.count({ where: { delivery: { url: other.url } } });
    const latencies = mode === "backlog" ? null : stats(report.latencies);
    return {
      ...run,
      mode,
      received: report.count,
      badHmac: report.badHmac,
      deliveredPerSecond: rateOf(mode, report, startedAt),
      p50: latencies?.p50 ?? null,
      p99: latencies?.p99 ?? null,
      max: latencies?.max ?? null,
      cpuMicrosPerDelivery: Math.round((used.user + used.system) / Math.max(1, report.count)),
      otherAttempts,
      seconds: (report.last - startedAt) / 1000,
    };
  } finally {
    await dispatcher.stop();
    await pipeline.testDb.close();
  }
}

/**
 * Steady: the receiver's rate between its first and last request (at most the offered rate).
 * Burst and backlog: all deliveries over the time from the first emit (burst) or start() (backlog)
 * to the last receipt: the most the pipeline delivers per second.
 */
function rateOf(mode: Mode, report: ReceiverReport, startedAt: number): number {
  if (mode === "steady") return Math.round((report.count - 1) / Math.max(0.001, (report.last - report.first) / 1000));
  return Math.round(report.count / Math.max(0.001, (report.last - startedAt) / 1000));
}

interface Pipeline {
  testDb: TestDb;
  dispatcher: WebhookDispatcher;
  publisher: EventPublisher;
  delivered(url: string): number;
}

/** A fresh migrated database and the same objects server.ts builds, including a delivery listener. */
async function openPipeline(): Promise<Pipeline> {
  const testDb = await createTestDb(DIALECT);
  await tuneSqlite(testDb.db);
  const dispatcher = new WebhookDispatcher({ db: testDb.db, version: VERSION, pruneIntervalMs: 0, stopTimeoutMs: 500 });
  const delivered = new Map<string, number>();
  // server.ts always listens (Socket.IO delivery.update); a listener makes the dispatcher build update DTOs.
  dispatcher.onDeliveryUpdate(({ delivery }) => {
    if (delivery.state === "delivered") delivered.set(delivery.url, (delivered.get(delivery.url) ?? 0) + 1);
  });
  const publisher = createEventPublisher({ dispatcher, environment: ENVIRONMENT, globalWebhook: null, ignoreDefaults: NO_IGNORE });
  return { testDb, dispatcher, publisher, delivered: (url) => delivered.get(url) ?? 0 };
}

/** As server.ts on SQLite: WAL, synchronous=NORMAL, busy_timeout (each is per connection). */
async function tuneSqlite(db: Db): Promise<void> {
  if (db.$provider() !== "sqlite") return;
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  const [row] = await db.$queryRawUnsafe<{ synchronous: number | bigint }[]>("PRAGMA synchronous");
  if (Number(row?.synchronous) !== 1) throw new Error(`PRAGMA synchronous is ${row?.synchronous}, expected 1 (NORMAL)`);
}

function sessionConfig(urls: string[]): TSessionConfig {
  const webhooks: TWebhookConfig[] = urls.map((url) => ({ url, events: ["message"], hmac: { key: HMAC_KEY } }));
  return { metadata: { tenant: "bench" }, webhooks };
}

function publishMessage(publisher: EventPublisher, config: TSessionConfig, seq: number) {
  const payload = {
    id: `false_15550001111@c.us_3EB0${String(seq).padStart(16, "0")}`,
    timestamp: 1732442400 + seq,
    from: "15550001111@c.us",
    fromMe: false,
    source: "app",
    to: "15550002222@c.us",
    body: BODY,
    hasMedia: false,
    ack: 1,
    seq,
  };
  return publisher.publish({ session: "bench", event: "message", payload, me: { id: "15550002222@c.us", pushName: "Bench" }, config });
}

/** `total` events at `rate` per second (a 5 ms tick emits what is due), resolved once all are stored. */
async function emitSteady(total: number, rate: number, publish: (seq: number) => Promise<unknown>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const started = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.ceil(((Date.now() - started) / 1000) * rate));
      while (sent < due) pending.push(publish(sent++));
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(pending);
}

async function emitAtOnce(total: number, publish: (seq: number) => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: total }, (_, seq) => publish(seq)));
}

// ------------------------------------------------------------------ part 3: kill -9

async function crashRun(receivers: Receivers): Promise<CrashResult> {
  const testDb = await createTestDb(DIALECT);
  const port = await receivers.listen("ok");
  try {
    const child = fork(SELF, ["crash-child"], {
      execArgv: ["--import", "tsx"],
      env: {
        ...process.env,
        BENCH_DATABASE_URL: testDb.url,
        BENCH_HOOK_URL: `http://127.0.0.1:${port}/hook`,
        BENCH_EVENTS: String(EVENTS),
        BENCH_RATE: String(RATE),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const acknowledged = new Set<string>();
    child.on("message", (message: { acked?: string[] }) => message.acked?.forEach((id) => acknowledged.add(id)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      // Kill once half the events are stored: requests are in flight and rows are waiting.
      await waitUntil(() => acknowledged.size >= EVENTS / 2 || child.exitCode !== null, 120_000, "the child to emit half the events");
      if (child.exitCode !== null) throw new Error(`crash child exited early with ${child.exitCode}`);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const acknowledgedBeforeKill = acknowledged.size;
    const statesAtKill = await countStates(testDb.db);

    // The restarted process: a new client and dispatcher on the same file, same worker id.
    const db = testDb.reopen();
    await tuneSqlite(db);
    const dispatcher = new WebhookDispatcher({ db, version: VERSION, pruneIntervalMs: 0, stopTimeoutMs: 500 });
    const restarted = Date.now();
    await dispatcher.start();
    try {
      await waitUntil(
        async () => (await testDb.db.webhookDelivery.count({ where: { state: { in: ["pending", "in_flight"] } } })) === 0,
        120_000,
        "every delivery to finish after the restart",
      );
      await dispatcher.whenIdle();
    } finally {
      await dispatcher.stop();
    }
    const recoverySeconds = (Date.now() - restarted) / 1000;
    const stored = await testDb.db.webhookEvent.findMany({ select: { id: true } });
    const statesAfterRecovery = await countStates(testDb.db);
    const report = await receivers.report(port);

    // Emitted: every event the child confirmed (publish resolved) or that is in the outbox.
    const emitted = new Set([...acknowledged, ...stored.map((row) => row.id)]);
    const received = new Set(report.ids);
    return {
      eventsPlanned: EVENTS,
      acknowledgedBeforeKill,
      statesAtKill,
      statesAfterRecovery,
      emitted: emitted.size,
      receivedRequests: report.ids.length,
      receivedUnique: received.size,
      lost: [...emitted].filter((id) => !received.has(id)).length,
      duplicated: report.ids.length - received.size,
      unexpected: [...received].filter((id) => !emitted.has(id)).length,
      recoverySeconds,
    };
  } finally {
    await receivers.close(port);
    await testDb.close();
  }
}

async function countStates(db: Db, where: { worker?: string; url?: string } = {}): Promise<Record<string, number>> {
  const groups = await db.webhookDelivery.groupBy({ by: ["state"], where, _count: { _all: true } });
  return Object.fromEntries(groups.map((group) => [group.state, group._count._all]));
}

/** Runs in the forked child: the server's publisher + dispatcher, emitting until it is killed. */
async function crashChild(): Promise<void> {
  process.on("disconnect", () => process.exit(1));
  const db = openDb(process.env.BENCH_DATABASE_URL!);
  await tuneSqlite(db);
  const dispatcher = new WebhookDispatcher({ db, version: VERSION, pruneIntervalMs: 0 });
  await dispatcher.start();
  const publisher = createEventPublisher({ dispatcher, environment: ENVIRONMENT, globalWebhook: null, ignoreDefaults: NO_IGNORE });
  const config = sessionConfig([process.env.BENCH_HOOK_URL!]);
  const publish = publishReportingAcked(publisher, config);
  setTimeout(() => process.exit(2), 120_000).unref(); // never outlive a parent that forgot to kill
  await emitSteady(Number(process.env.BENCH_EVENTS), Number(process.env.BENCH_RATE), publish);
}

/**
 * In a child: publishes message `seq` as publishMessage does, and tells the parent every 10 ms the ids of
 * the events published (acknowledged) since its last report.
 */
function publishReportingAcked(publisher: EventPublisher, config: TSessionConfig): (seq: number) => Promise<void> {
  let acked: string[] = [];
  setInterval(() => {
    if (acked.length === 0) return;
    process.send?.({ acked });
    acked = [];
  }, 10);
  return (seq) =>
    publishMessage(publisher, config, seq).then((envelope) => {
      if (envelope) acked.push(envelope.id);
    });
}

// ------------------------------------------------------------------ part 5: three workers (PostgreSQL)

/** A worker child of part 5, driven over IPC: "ready" once its dispatcher can go, then "go". */
interface WorkerChild {
  id: string;
  process: ChildProcess;
  acked: Set<string>;
  ready: Promise<void>;
  go(): void;
  /** The CPU (user + system, µs) this worker used since the go. */
  cpuSinceGo(): Promise<number>;
  exited: Promise<void>;
}

function forkWorker(id: string, env: Record<string, string>): WorkerChild {
  const child = fork(SELF, ["cluster-worker"], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env, BENCH_WORKER_ID: id, BENCH_LEASE_MS: String(LEASE_MS) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const acked = new Set<string>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const cpuAnswers: ((micros: number) => void)[] = [];
  child.on("message", (message: { acked?: string[]; ready?: boolean; cpuMicros?: number }) => {
    message.acked?.forEach((ackedId) => acked.add(ackedId));
    if (message.ready) ready();
    if (message.cpuMicros !== undefined) cpuAnswers.shift()?.(message.cpuMicros);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const cpuSinceGo = () =>
    new Promise<number>((resolve) => {
      cpuAnswers.push(resolve);
      child.send({ cpu: true });
    });
  return { id, process: child, acked, ready: readyPromise, go: () => child.send({ go: true }), cpuSinceGo, exited };
}

/** Leases as the worker registry writes them (that registry is not part of this benchmark). */
async function registerWorkers(db: Db): Promise<void> {
  const now = new Date();
  for (const id of WORKERS) {
    await db.worker.create({
      data: {
        id,
        incarnation: `${id}-bench`,
        url: `http://${id}.bench`,
        leaseUntil: new Date(now.getTime() + LEASE_MS),
        heartbeatAt: now,
        startedAt: now,
      },
    });
  }
}

async function clusterRun(receivers: Receivers): Promise<ClusterResult> {
  const port = await receivers.listen("ok");
  const hookUrl = `http://127.0.0.1:${port}/hook`;
  const warmUpPort = await receivers.listen("ok");
  const perWorker = Math.ceil(EVENTS / WORKERS.length);
  /** One run of three workers on a fresh database; `during` runs once all emit, before the wait for every receipt. */
  const run = async (mode: "steady" | "backlog", during?: (workers: WorkerChild[], testDb: TestDb) => Promise<void>) => {
    const testDb = await createTestDb(DIALECT);
    await registerWorkers(testDb.db);
    const env = {
      BENCH_DATABASE_URL: testDb.url,
      BENCH_HOOK_URL: hookUrl,
      BENCH_EVENTS: String(perWorker),
      BENCH_RATE: String(Math.ceil(RATE / WORKERS.length)),
      BENCH_MODE: mode,
      BENCH_WARMUP: String(WARMUP),
      BENCH_WARMUP_URL: `http://127.0.0.1:${warmUpPort}/hook`,
    };
    const workers = WORKERS.map((id) => forkWorker(id, env));
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      const startedAt = Date.now();
      for (const worker of workers) worker.go();
      await during?.(workers, testDb);
      // Every worker still alive has emitted all its events; then every row ends delivered (or dead).
      await waitUntil(
        () =>
          workers.every(
            (worker) => worker.process.exitCode !== null || worker.process.signalCode !== null || worker.acked.size >= perWorker,
          ),
        120_000,
        "every worker to emit its events",
      );
      await waitUntil(
        async () => (await testDb.db.webhookDelivery.count({ where: { state: { in: ["pending", "in_flight"] } } })) === 0,
        120_000,
        "every delivery to finish",
        // The rates come from the receiver's clock, so a coarse check only ends the run a little later.
        250,
      );
      const report = await receivers.report(port);
      const alive = workers.filter((worker) => worker.process.exitCode === null && worker.process.signalCode === null);
      const cpuMicros = (await Promise.all(alive.map((worker) => worker.cpuSinceGo()))).reduce((sum, micros) => sum + micros, 0);
      const acked = new Set(workers.flatMap((worker) => [...worker.acked]));
      const stored = await testDb.db.webhookDelivery.findMany({ where: { url: hookUrl }, select: { eventId: true } });
      return {
        report,
        startedAt,
        acked,
        emitted: new Set([...acked, ...stored.map((row) => row.eventId)]),
        cpuMicrosPerDelivery: Math.round(cpuMicros / Math.max(1, report.count)),
      };
    } finally {
      for (const worker of workers) worker.process.kill("SIGKILL");
      await Promise.all(workers.map((worker) => worker.exited));
      await testDb.close();
    }
  };

  const steady = await run("steady");
  const latencies = stats(steady.report.latencies);
  console.log(`part 5 | 3 workers | steady ${RATE}/s: ${steady.report.count} received, p99 ${latencies.p99} ms`);
  const backlog = await run("backlog");
  console.log(`part 5 | 3 workers | stored backlog: ${backlog.report.count} received`);

  let statesAtKill: Record<string, number> = {};
  let adoptedAfterSeconds = NaN;
  const killed = await run("steady", async (workers, testDb) => {
    const victim = workers[0]!;
    await waitUntil(() => victim.acked.size >= perWorker / 2 || victim.process.exitCode !== null, 120_000, "w1 to emit half its events");
    victim.process.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    statesAtKill = await countStates(testDb.db, { worker: victim.id, url: hookUrl });
    await waitUntil(
      async () => (await testDb.db.webhookDelivery.count({ where: { worker: victim.id, state: { in: ["pending", "in_flight"] } } })) === 0,
      120_000,
      "w1's rows to be adopted",
    );
    adoptedAfterSeconds = (Date.now() - killedAt) / 1000;
  });
  const received = new Set(killed.report.ids);
  await receivers.close(port);
  await receivers.close(warmUpPort);
  return {
    workers: WORKERS.length,
    leaseMs: LEASE_MS,
    steady: {
      events: perWorker * WORKERS.length,
      received: steady.report.count,
      deliveredPerSecond: rateOf("steady", steady.report, steady.startedAt),
      p50: latencies.p50,
      p99: latencies.p99,
      cpuMicrosPerDelivery: steady.cpuMicrosPerDelivery,
    },
    backlog: {
      events: perWorker * WORKERS.length,
      received: backlog.report.count,
      deliveredPerSecond: rateOf("backlog", backlog.report, backlog.startedAt),
      cpuMicrosPerDelivery: backlog.cpuMicrosPerDelivery,
    },
    kill: {
      events: perWorker * WORKERS.length,
      acknowledged: killed.acked.size,
      receivedUnique: received.size,
      lost: [...killed.emitted].filter((id) => !received.has(id)).length,
      duplicated: killed.report.ids.length - received.size,
      statesAtKill,
      adoptedAfterSeconds,
    },
  };
}

/** Runs in a part 5 child: one worker (lease, publisher, dispatcher in cluster mode), emitting on "go". */
async function clusterWorker(): Promise<void> {
  process.on("disconnect", () => process.exit(1));
  const id = process.env.BENCH_WORKER_ID!;
  const leaseMs = Number(process.env.BENCH_LEASE_MS);
  const db = openDb(process.env.BENCH_DATABASE_URL!);
  // The lease, renewed every fifth of it, as the worker registry does.
  const renew = () =>
    db.$executeRaw`UPDATE "Worker" SET "leaseUntil" = (now() AT TIME ZONE 'UTC') + ${leaseMs} * interval '1 millisecond' WHERE "id" = ${id}`;
  await renew();
  setInterval(() => void renew().catch(() => undefined), leaseMs / 5);
  const dispatcher = new WebhookDispatcher({ db, version: VERSION, workerId: id, cluster: { leaseMs }, pruneIntervalMs: 0 });
  const publisher = createEventPublisher({ dispatcher, environment: ENVIRONMENT, globalWebhook: null, ignoreDefaults: NO_IGNORE });
  const config = sessionConfig([process.env.BENCH_HOOK_URL!]);
  const events = Number(process.env.BENCH_EVENTS);
  const publish = publishReportingAcked(publisher, config);
  setTimeout(() => process.exit(2), 300_000).unref(); // never outlive a parent that forgot to kill
  let cpuAtGo: NodeJS.CpuUsage | undefined;
  process.on("message", (message: { cpu?: boolean }) => {
    if (!message.cpu) return;
    const cpu = process.cpuUsage(cpuAtGo);
    process.send?.({ cpuMicros: cpu.user + cpu.system });
  });
  const go = new Promise<void>((resolve) =>
    process.on("message", (message: { go?: boolean }) => {
      if (!message.go) return;
      cpuAtGo = process.cpuUsage();
      resolve();
    }),
  );
  await dispatcher.start();
  await warmUp(db, publisher, Number(process.env.BENCH_WARMUP), process.env.BENCH_WARMUP_URL!);
  if (process.env.BENCH_MODE === "backlog") {
    // Written while the dispatcher is stopped, so only delivering is timed.
    await dispatcher.stop();
    await emitAtOnce(events, publish);
    process.send?.({ ready: true });
    await go;
    await dispatcher.start();
  } else {
    process.send?.({ ready: true });
    await go;
    await emitSteady(events, Math.max(1, Number(process.env.BENCH_RATE)), publish);
  }
}

/** Delivers `events` to `url` with the running dispatcher and waits until none is left pending or in flight. */
async function warmUp(db: Db, publisher: EventPublisher, events: number, url: string): Promise<void> {
  const config = sessionConfig([url]);
  await emitAtOnce(events, (seq) => publishMessage(publisher, config, seq));
  await waitUntil(
    async () => (await db.webhookDelivery.count({ where: { url, state: { in: ["pending", "in_flight"] } } })) === 0,
    120_000,
    "the warm-up deliveries",
    100,
  );
}

// ------------------------------------------------------------------ part 4: Socket.IO

const SESSION = "bench-live";

async function socketRun(): Promise<SocketResult> {
  if (!fs.existsSync(".next/switchboard-server.mjs")) throw new Error("part 4 runs the production server: run `npm run build` first");
  const double = await startDouble();
  let server: RunningServer | null = null;
  let socket: Socket | null = null;
  try {
    server = await startServer({ env: { ...doubleEnv(double), WAHA_LOG_LEVEL: "warn" } });
    socket = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"], reconnection: false });
    const live = await watch(socket);
    return await measureSocket(server, double, live);
  } finally {
    socket?.close();
    if (server) {
      await server.stop();
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
    await double.close();
  }
}

async function measureSocket(server: RunningServer, double: WhatsAppWebDouble, live: Watcher): Promise<SocketResult> {
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "X-Api-Key": server.apiKey, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  };

  live.phase = "create";
  const firstQr = live.nextStatus("SCAN_QR_CODE", 60_000);
  await post("/api/sessions", { name: SESSION });
  await firstQr;

  // Each new QR re-announces SCAN_QR_CODE (a status change with its own timestamp).
  live.phase = "rotation";
  const rotateToStatus: number[] = [];
  const deadline = Date.now() + 5 * 60_000;
  for (let i = 0; i < ROTATIONS && Date.now() < deadline; i++) {
    const next = live.nextStatus("SCAN_QR_CODE", 15_000);
    const triggered = Date.now();
    await double.rotate();
    rotateToStatus.push((await next).arrivedAt - triggered);
    await sleep(20);
  }

  live.phase = "cycle";
  const startToStarting: number[] = [];
  const stopToStopped: number[] = [];
  const startToScanQr: number[] = [];
  let cycles = 0;
  for (; cycles < CYCLES && Date.now() < deadline + 10 * 60_000; cycles++) {
    const stopped = live.nextStatus("STOPPED", 30_000);
    let triggered = Date.now();
    await post(`/api/sessions/${SESSION}/stop`);
    stopToStopped.push((await stopped).arrivedAt - triggered);

    const starting = live.nextStatus("STARTING", 30_000);
    const scanning = live.nextStatus("SCAN_QR_CODE", 60_000);
    triggered = Date.now();
    await post(`/api/sessions/${SESSION}/start`);
    startToStarting.push((await starting).arrivedAt - triggered);
    startToScanQr.push((await scanning).arrivedAt - triggered);
  }
  const all = Object.values(live.latencies).flat();
  return {
    statusChanges: stats(all),
    byKind: Object.fromEntries(Object.entries(live.latencies).map(([kind, values]) => [kind, stats(values)])),
    rotateToStatus: stats(rotateToStatus),
    startToStarting: stats(startToStarting),
    stopToStopped: stats(stopToStopped),
    startToScanQr: stats(startToScanQr),
    cycles,
    rotations: rotateToStatus.length,
    mismatched: live.mismatched,
  };
}

interface Arrival {
  arrivedAt: number;
  /** The server's timestamp of the status change (the last entry of `statuses`). */
  changedAt: number;
}

interface Watcher {
  /** What the benchmark is doing, to label the latencies. */
  phase: "create" | "rotation" | "cycle";
  /** Status change -> arrival of every `session.status` of the session, by "status (phase)". */
  latencies: Record<string, number[]>;
  /** Payloads whose last history entry was not the announced status (not measured). */
  mismatched: number;
  nextStatus(status: string, timeoutMs: number): Promise<Arrival>;
}

async function watch(socket: Socket): Promise<Watcher> {
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  const waiters: { status: string; resolve: (arrival: Arrival) => void }[] = [];
  const watcher: Watcher = {
    phase: "create",
    latencies: {},
    mismatched: 0,
    nextStatus: (status, timeoutMs) =>
      new Promise<Arrival>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${status} for ${SESSION} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ status, resolve: (arrival) => (clearTimeout(timer), resolve(arrival)) });
      }),
  };
  socket.on("session.status", (event: { session: string; status: string; statuses: { status: string; timestamp: number }[] }) => {
    const arrivedAt = Date.now();
    if (event.session !== SESSION) return;
    const change = event.statuses.at(-1);
    if (change?.status !== event.status) {
      watcher.mismatched++;
      return;
    }
    (watcher.latencies[`${event.status} (${watcher.phase})`] ??= []).push(arrivedAt - change.timestamp);
    for (const waiter of waiters.filter((w) => w.status === event.status)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve({ arrivedAt, changedAt: change.timestamp });
    }
  });
  socket.emit("subscribe", { session: SESSION });
  await sleep(200); // `subscribe` has no acknowledgement
  return watcher;
}

// ------------------------------------------------------------------ receivers (IPC client)

interface ReceiverReport {
  count: number;
  badHmac: number;
  first: number;
  last: number;
  latencies: number[];
  ids: string[];
}

class Receivers {
  private nextId = 0;
  private readonly waiting = new Map<number, (message: Record<string, unknown>) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (message: { id: number }) => {
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
  }

  static start(): Receivers {
    return new Receivers(fork(RECEIVER, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  }

  async listen(mode: "ok" | "hang"): Promise<number> {
    return (await this.ask<{ port: number }>({ cmd: "listen", mode, key: HMAC_KEY })).port;
  }

  report(port: number): Promise<ReceiverReport> {
    return this.ask<ReceiverReport>({ cmd: "report", port });
  }

  async close(port: number): Promise<void> {
    await this.ask({ cmd: "close", port });
  }

  stop(): void {
    this.child.kill("SIGTERM");
  }

  private ask<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`receiver process did not answer ${String(message.cmd)}`));
      }, 30_000);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      this.child.send({ ...message, id });
    });
  }
}

// ------------------------------------------------------------------ output

interface TargetRow {
  target: string;
  measured: string;
  met: boolean;
}

function print(results: RunResult[], crash: CrashResult | null, socket: SocketResult | null, clustered: ClusterResult | null): TargetRow[] {
  const targets: TargetRow[] = [];
  const median = (scenario: Scenario, mode: Mode) => {
    const runs = results.filter((r) => r.scenario === scenario && r.mode === mode);
    if (runs.length === 0) return null;
    const mid = (pick: (r: RunResult) => number | null) => {
      const values = runs.map(pick).filter((v): v is number => v !== null);
      return values.length ? medianOf(values) : null;
    };
    return {
      runs: runs.length,
      deliveredPerSecond: mid((r) => r.deliveredPerSecond)!,
      p50: mid((r) => r.p50),
      p99: mid((r) => r.p99),
      cpu: mid((r) => r.cpuMicrosPerDelivery)!,
      otherAttempts: mid((r) => r.otherAttempts)!,
      badHmac: runs.reduce((sum, r) => sum + r.badHmac, 0),
      received: runs.reduce((sum, r) => sum + r.received, 0),
      events: runs.reduce((sum, r) => sum + r.events, 0),
    };
  };

  if (results.length) {
    console.log(`\n## Parts 1-2: ${EVENTS} events per run, HMAC on, median of ${ROUNDS} rounds (a fresh ${DIALECT} database per run)\n`);
    console.log(
      "| receivers | mode | live delivered/s | p50 ms | p99 ms | vs both live | CPU µs/live delivery | other webhook's attempts | received | bad HMAC |",
    );
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    const pct = (drop: number) => `${drop > 0 ? "-" : "+"}${Math.abs(drop).toFixed(1)}%`;
    for (const scenario of SCENARIOS) {
      for (const mode of MODES) {
        const m = median(scenario, mode);
        if (!m) continue;
        const base = median(BASELINE, mode);
        const compared = scenario !== "1 receiver" && scenario !== BASELINE && base;
        const drop = compared ? (1 - m.deliveredPerSecond / base.deliveredPerSecond) * 100 : null;
        console.log(
          `| ${scenario} | ${MODE_LABEL[mode]} | ${m.deliveredPerSecond} | ${m.p50 ?? "-"} | ${m.p99 ?? "-"} | ` +
            `${drop === null ? "-" : pct(drop)} | ${m.cpu} | ${scenario === "1 receiver" ? "-" : m.otherAttempts} | ` +
            `${m.received}/${m.events} | ${m.badHmac} |`,
        );
        if (scenario === "1 receiver" && mode === "steady") {
          targets.push({
            target: `1 receiver keeps up with ${RATE}/s offered (delivered/s >= 99% of it)`,
            measured: `${m.deliveredPerSecond}/s`,
            met: m.deliveredPerSecond >= RATE * 0.99,
          });
          targets.push({
            target: `1 receiver, emit -> receipt p99 <= 50 ms at ${RATE}/s`,
            measured: `p99 ${m.p99} ms (p50 ${m.p50} ms)`,
            met: (m.p99 ?? Infinity) <= 50,
          });
        }
        if (scenario === "1 receiver" && mode === "backlog") {
          targets.push({
            target: "1 receiver, >= 2,000 deliveries/s (stored backlog drained)",
            measured: `${m.deliveredPerSecond}/s`,
            met: m.deliveredPerSecond >= 2000,
          });
        }
        if (drop === null || !base) continue;
        targets.push({
          target: `live receiver's delivered/s drops <= 10% when the other ${scenario.slice(9)}, ${MODE_LABEL[mode]}`,
          measured: `${base.deliveredPerSecond}/s -> ${m.deliveredPerSecond}/s (${pct(drop)})`,
          met: drop <= 10,
        });
      }
    }
    const bad = results.reduce((sum, r) => sum + r.badHmac, 0);
    if (bad > 0) targets.push({ target: "every HMAC verifies", measured: `${bad} bad`, met: false });
    console.log(
      `\nsteady: the receiver's rate between its first and last request (capped by the offered ${RATE}/s); ` +
        "burst: all events published at once, first emit -> last receipt; stored backlog: written while the " +
        "dispatcher was stopped, start() -> last receipt (no emit -> receipt latency). Both webhooks use the default retries " +
        "(constant 2 s, 15 retries); the never-answering one hits the default 10 s request timeout; the refusing one " +
        "trips the circuit breaker after 3 failures (then one request per retry delay).",
    );
  }

  if (crash) {
    console.log(`\n## Part 3: kill -9 of the emitting + dispatching process, then a new dispatcher on the same database\n`);
    console.log(
      "| planned | acknowledged before kill | rows at kill | emitted (acknowledged or stored) | received (unique) | lost | duplicated | unexpected | after recovery | recovery s |",
    );
    console.log("|---:|---:|---|---:|---:|---:|---:|---:|---|---:|");
    console.log(
      `| ${crash.eventsPlanned} | ${crash.acknowledgedBeforeKill} | ${fmtStates(crash.statesAtKill)} | ${crash.emitted} | ` +
        `${crash.receivedRequests} (${crash.receivedUnique}) | ${crash.lost} | ${crash.duplicated} | ${crash.unexpected} | ` +
        `${fmtStates(crash.statesAfterRecovery)} | ${crash.recoverySeconds.toFixed(2)} |`,
    );
    targets.push({
      target: "0 lost after kill -9",
      measured: `${crash.lost} lost, ${crash.duplicated} duplicated`,
      met: crash.lost === 0 && crash.unexpected === 0,
    });
  }

  if (socket) {
    console.log(
      `\n## Part 4: production server + WhatsApp Web double, one session, ${socket.cycles} stop/start cycles, ${socket.rotations} QR rotations; latencies are same-host clock differences (1 ms resolution)\n`,
    );
    console.log("| measure | n | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    const row = (measure: string, s: Stats) => console.log(`| ${measure} | ${s.n} | ${s.p50} | ${s.p99} | ${s.max} |`);
    row("status change (server's timestamp) -> `session.status` at the client, all", socket.statusChanges);
    for (const [kind, s] of Object.entries(socket.byKind)) row(`by kind: ${kind}`, s);
    row("double.rotate() -> SCAN_QR_CODE at the client (new QR through Chromium)", socket.rotateToStatus);
    row("POST /start sent -> STARTING at the client", socket.startToStarting);
    row("POST /stop sent -> STOPPED at the client (Chromium shutdown included)", socket.stopToStopped);
    row("POST /start sent -> SCAN_QR_CODE at the client (Chromium launch included)", socket.startToScanQr);
    if (socket.mismatched) console.log(`\n${socket.mismatched} status payloads were not measured (last history entry differed)`);
    targets.push({
      target: "status change -> Socket.IO client p99 <= 20 ms",
      measured: `p99 ${socket.statusChanges.p99} ms (p50 ${socket.statusChanges.p50} ms, n=${socket.statusChanges.n}); rotate -> status p99 ${socket.rotateToStatus.p99} ms`,
      met: socket.statusChanges.p99 <= 20,
    });
  }

  if (clustered) {
    const { steady, backlog, kill } = clustered;
    console.log(
      `\n## Part 5: ${clustered.workers} workers (child processes, cluster mode) on one PostgreSQL against one receiver; lease ${clustered.leaseMs} ms\n`,
    );
    console.log("| run | events | received | delivered/s | p50 ms | p99 ms | workers' CPU µs/delivery |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    console.log(
      `| steady ${RATE}/s in all | ${steady.events} | ${steady.received} | ${steady.deliveredPerSecond} | ${steady.p50} | ${steady.p99} | ` +
        `${steady.cpuMicrosPerDelivery} (emitting included) |`,
    );
    console.log(
      `| stored backlog, drained | ${backlog.events} | ${backlog.received} | ${backlog.deliveredPerSecond} | - | - | ${backlog.cpuMicrosPerDelivery} |`,
    );
    console.log(
      "\n| kill -9 of w1 mid-run | acknowledged | received (unique) | lost | duplicated | w1's rows at kill | all adopted after s |",
    );
    console.log("|---|---:|---:|---:|---:|---|---:|");
    console.log(
      `| steady ${RATE}/s in all | ${kill.acknowledged} | ${kill.receivedUnique} | ${kill.lost} | ${kill.duplicated} | ` +
        `${fmtStates(kill.statesAtKill)} | ${kill.adoptedAfterSeconds.toFixed(2)} |`,
    );
    targets.push({
      target: "3 workers, one receiver: >= 2,000 deliveries/s (stored backlog drained)",
      measured: `${backlog.deliveredPerSecond}/s (steady ${steady.deliveredPerSecond}/s of ${RATE}/s offered)`,
      met: backlog.deliveredPerSecond >= 2000,
    });
    targets.push({
      target: "3 workers, kill -9 of one: 0 lost, duplicates only for its in-flight rows",
      measured: `${kill.lost} lost, ${kill.duplicated} duplicated (${kill.statesAtKill.in_flight ?? 0} in flight at the kill)`,
      met: kill.lost === 0 && kill.duplicated <= (kill.statesAtKill.in_flight ?? 0),
    });
  }

  console.log("\n## Targets\n");
  console.log("| target | measured | met |");
  console.log("|---|---|---|");
  for (const t of targets) console.log(`| ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`);
  console.log(`\nload average (1/5/15 min), ${os.cpus().length} cores: ${loads.map((l) => `${l.when} ${fmtLoad(l.loadavg)}`).join("; ")}`);
  return targets;
}

// ------------------------------------------------------------------ helpers

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted.at(-1) ?? NaN };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** `intervalMs`: between checks; a check that counts rows in the database is work the measured workers share the CPU with. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function dialectEnv(): "sqlite" | "postgresql" {
  const value = process.env.DB ?? "sqlite";
  if (value !== "sqlite" && value !== "postgresql") throw new Error("DB must be sqlite or postgresql");
  return value;
}

function intEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function noteLoad(when: string): void {
  loads.push({ when, loadavg: os.loadavg() });
}

function fmtLoad(load: number[]): string {
  return load.map((l) => l.toFixed(2)).join(" / ");
}

function fmtStates(states: Record<string, number>): string {
  return Object.entries(states)
    .map(([state, count]) => `${state} ${count}`)
    .join(", ");
}

const CHILD_ROLES: Record<string, () => Promise<void>> = { "crash-child": crashChild, "cluster-worker": clusterWorker };
const role = (CHILD_ROLES[process.argv[2] ?? ""] ?? main)();
role.then(
  () => {
    if (!(process.argv[2]! in CHILD_ROLES)) process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
