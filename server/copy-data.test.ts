import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TWebhookConfig } from "@/lib/session-config";
import { createPostgresDatabase, postgresSkipReason, type PostgresDatabase } from "@/test/support/postgres";
import { createTestDb, type TestDb } from "@/test/support/test-db";
import { copyData, copyDataCommand, COPIED_TABLES, parseCopyDataArgs } from "./copy-data";
import { lockDataDir } from "./data-dir-lock";
import { openDb, type Db } from "./db";
import { readSnapshot } from "./engines/webjs/login-snapshot";
import { sessionProfile } from "./engines/webjs/session-profile";
import { appendHistory, foldQrRefresh } from "./sessions/session-history";
import { insertSession, saveAccount, saveHealth } from "./sessions/session-repository";
import { recordAttempts, writeOutbox } from "./webhooks/outbox";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const silent = pino({ level: "silent" });

/** What a command printed. */
function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, output: { out: (line: string) => lines.out.push(line), err: (line: string) => lines.err.push(line) } };
}

/** An embedded install's rows, written by the modules the server writes them with. */
async function fill(db: Db, prefix: string): Promise<void> {
  const now = Date.UTC(2026, 11, 4, 10, 30, 15, 123);
  const hook = { url: "http://127.0.0.1:9/hook", events: ["session.status"], hmac: { key: "k" } } as TWebhookConfig;
  const alpha = `${prefix}-alpha`;
  await insertSession(db, {
    name: alpha,
    config: { metadata: { team: "ops", région: "Zürich ✓", empty: "" }, webhooks: [hook] },
    running: true,
    worker: "w1",
  });
  await insertSession(db, { name: `${prefix}-beta`, config: { metadata: { team: "sales" } }, running: false, worker: null });
  await insertSession(db, { name: `${prefix}-gamma`, config: {}, running: false, worker: null });
  await saveAccount(db, alpha, {
    id: "15550001111@c.us",
    lid: "27015550001111@lid",
    jid: "15550001111:3@s.whatsapp.net",
    pushName: "Ålice",
  });
  await saveHealth(db, alpha, {
    lastFailure: { reason: "the page crashed", timestamp: now - 5000 },
    lastDisconnect: { reason: "CONFLICT", timestamp: now - 4000 },
  });
  const statuses = ["STARTING", "SCAN_QR_CODE", "WORKING", "FAILED", "STARTING"] as const;
  for (const [i, status] of statuses.entries()) {
    const entry = {
      session: alpha,
      timestamp: now + i,
      status,
      reason: i === 1 ? null : `step ${i}`,
      failures: i,
      disconnect: i === 3 ? "LOGOUT" : null,
    };
    const id = await appendHistory(db, entry, 100);
    // A second QR, counted in its row: the folded count and last time are copied too.
    if (status === "SCAN_QR_CODE") await foldQrRefresh(db, id!, now + 1);
  }
  const deliveries = await writeOutbox(
    db,
    [1, 2, 3].map((i) => ({
      envelope: { id: `evt_${prefix}_${i}`, timestamp: now + i, event: "session.status", session: alpha },
      body: JSON.stringify({ n: i, text: "ünïcode ✓" }),
      targets: [
        { source: "session" as const, index: 0, config: hook },
        { source: "global" as const, index: null, config: { url: "http://127.0.0.1:9/global", events: ["*"] } as TWebhookConfig },
      ],
    })),
    { workerId: "w1", now },
  );
  const attempt = (n: number, outcome: "delivered" | "retry" | "dead", statusCode: number | null) => ({
    id: `att_${prefix}_${n}`,
    cycle: 1,
    number: 1,
    startedAt: now + 100 + n,
    latencyMs: 12 + n,
    statusCode,
    error: statusCode === 200 ? null : "refused",
    responseExcerpt: statusCode === null ? null : "ok",
    outcome,
  });
  // Claimed, as the dispatcher claims a row before sending it: a result is written only to a row in flight.
  await db.webhookDelivery.updateMany({ where: { id: { in: deliveries.slice(0, 3).map((d) => d.id) } }, data: { state: "in_flight" } });
  await recordAttempts(
    db,
    [
      { deliveryId: deliveries[0]!.id, attempt: attempt(1, "delivered", 200), state: "delivered", retryDelayMs: null, lastError: null },
      { deliveryId: deliveries[1]!.id, attempt: attempt(2, "retry", 500), state: "pending", retryDelayMs: 2000, lastError: "HTTP 500" },
      { deliveryId: deliveries[2]!.id, attempt: attempt(3, "dead", null), state: "dead", retryDelayMs: null, lastError: "refused" },
    ],
    { workerId: "w1", now: now + 200 },
  );
}

/** Every row of the copied tables, in primary-key order. */
async function dump(db: Db) {
  return {
    Session: await db.session.findMany({ orderBy: { name: "asc" } }),
    SessionMetadata: await db.sessionMetadata.findMany({ orderBy: [{ sessionName: "asc" }, { key: "asc" }] }),
    SessionHistory: await db.sessionHistory.findMany({ orderBy: { id: "asc" } }),
    WebhookEvent: await db.webhookEvent.findMany({ orderBy: { id: "asc" } }),
    WebhookDelivery: await db.webhookDelivery.findMany({ orderBy: { id: "asc" } }),
    WebhookAttempt: await db.webhookAttempt.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("copy-data arguments", () => {
  let source: TestDb;
  beforeEach(async () => {
    source = await createTestDb("sqlite");
  });
  afterEach(() => source.close());

  it("accepts --from and --to, spelled with a space or an =", () => {
    const to = "postgresql://u:p@127.0.0.1:5432/sb";
    expect(parseCopyDataArgs(["--from", source.url, "--to", to])).toEqual({ from: source.url, to, sessionsDir: null });
    expect(parseCopyDataArgs([`--from=${source.url}`, `--to=${to}`])).toEqual({ from: source.url, to, sessionsDir: null });
    expect(parseCopyDataArgs(["--help"])).toEqual({ help: true });
  });

  it("takes the profiles from the sessions folder beside the database, or from --sessions", () => {
    const to = "postgresql://u:p@127.0.0.1:5432/sb";
    const beside = path.join(path.dirname(source.url.slice("file:".length)), "sessions");
    fs.mkdirSync(beside);
    expect(parseCopyDataArgs(["--from", source.url, "--to", to])).toEqual({ from: source.url, to, sessionsDir: beside });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "sb-profiles-"));
    try {
      expect(parseCopyDataArgs(["--from", source.url, "--to", to, "--sessions", elsewhere])).toEqual({
        from: source.url,
        to,
        sessionsDir: elsewhere,
      });
    } finally {
      fs.rmSync(elsewhere, { recursive: true });
    }
    expect(parseCopyDataArgs(["--from", source.url, "--to", to, "--sessions", "/nonexistent"])).toEqual({
      error: "--sessions names no folder: /nonexistent",
    });
  });

  it.each([
    [[], /^--from is missing/],
    [["--to", "postgresql://h/db"], /^--from is missing/],
    [["--from"], /^--from needs a value/],
    [["--from", "--to", "postgresql://h/db"], /^--from needs a value/],
    [["--from", "/data/switchboard.db", "--to", "postgresql://h/db"], /^--from must be a SQLite database as file:<path>/],
    [["--from", "file:/nonexistent/switchboard.db", "--to", "postgresql://h/db"], /^--from names no database: \/nonexistent/],
    [["--from", "SOURCE"], /^--to is missing/],
    [["--from", "SOURCE", "--to", "mysql://h/db"], /^--to must be a PostgreSQL database/],
    [["--from", "SOURCE", "--from", "SOURCE"], /^--from is given twice/],
    [["--from", "SOURCE", "--force"], /^unknown argument --force/],
    [["extra"], /^unknown argument extra/],
  ])("%j is refused with exit code 2, naming the argument", async (argv, message) => {
    const args = argv.map((arg) => (arg === "SOURCE" ? source.url : arg));
    expect(parseCopyDataArgs(args)).toEqual({ error: expect.stringMatching(message) });
    const { lines, output } = capture();
    expect(await copyDataCommand(args, output)).toBe(2);
    expect(lines.err[0]).toMatch(/^copy-data: /);
    expect(lines.err[1]).toMatch(/^Usage: npm run copy-data/);
  });

  it("says so, with exit code 1, when the target does not answer", async () => {
    const { lines, output } = capture();
    expect(await copyDataCommand(["--from", source.url, "--to", "postgresql://u:secret-pw@127.0.0.1:1/sb"], output)).toBe(1);
    expect(lines.err).toEqual(["copy-data: cannot reach the target database, nothing was copied: nothing answers at 127.0.0.1:1"]);
    expect(lines.out.join("\n")).not.toContain("secret-pw");
  });

  it("npm run copy-data passes the arguments and the exit code through", async () => {
    const run = promisify(execFile)("npm", ["run", "--silent", "copy-data", "--", "--from", "file:/nonexistent.db"], { cwd: ROOT });
    const failure = (await run.then(
      () => null,
      (error: unknown) => error,
    )) as { code: number; stderr: string } | null;
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("copy-data: --from names no database: /nonexistent.db does not exist");
  }, 30_000);
});

describe.skipIf(postgresSkipReason() !== null)("copy-data into PostgreSQL", () => {
  let source: TestDb;
  let target: PostgresDatabase;
  const open: Db[] = [];
  const client = (url: string) => {
    const db = openDb(url);
    open.push(db);
    return db;
  };

  beforeEach(async () => {
    source = await createTestDb("sqlite");
    target = await createPostgresDatabase();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.$disconnect()));
    await source.close();
    await target.drop();
  });

  it("migrates an empty database and copies every row identical, in batches", async () => {
    await fill(source.db, "a");
    const counts = await copyData({ from: source.url, to: target.url, logger: silent, batchSize: 2 });
    expect(counts).toEqual({
      Session: 3,
      SessionMetadata: 4,
      SessionHistory: 5,
      WebhookEvent: 3,
      WebhookDelivery: 6,
      WebhookAttempt: 3,
      logins: 0,
    });

    const copied = await dump(client(target.url));
    const original = await dump(source.db);
    expect(copied).toEqual(original);
    // The types converted, not just the text: booleans, Dates to the millisecond, nulls, numbers.
    const alpha = copied.Session.find((row) => row.name === "a-alpha")!;
    expect(alpha.running).toBe(true);
    expect(alpha.lastFailureAt).toEqual(new Date(Date.UTC(2026, 11, 4, 10, 30, 10, 123)));
    expect(copied.WebhookDelivery.map((row) => row.state).sort()).toEqual([
      "dead",
      "delivered",
      "pending",
      "pending",
      "pending",
      "pending",
    ]);
    // The cluster tables stay empty: an embedded install has no workers.
    const pg = client(target.url);
    expect([await pg.worker.count(), await pg.sessionOwner.count()]).toEqual([0, 0]);
  });

  it("saves each session's login from its profile, so the workers start it without a QR", async () => {
    await fill(source.db, "a");
    const sessionsDir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-profiles-"));
    try {
      const creds = path.join(sessionProfile(sessionsDir, "a-alpha").profileDir, "Default", "Local Storage", "leveldb");
      fs.mkdirSync(creds, { recursive: true });
      fs.writeFileSync(path.join(creds, "000003.log"), "linked");
      // A profile without a login (a session that never logged in) brings nothing.
      fs.mkdirSync(path.join(sessionProfile(sessionsDir, "a-beta").profileDir, "Default", "Cache"), { recursive: true });

      const counts = await copyData({ from: source.url, to: target.url, sessionsDir, logger: silent });
      expect(counts.logins).toBe(1);
      const rows = await client(target.url).authSnapshot.findMany();
      expect(rows.map((row) => [row.sessionName, row.generation, row.workerId, row.files])).toEqual([["a-alpha", 1, "copy-data", 1]]);
      const files = await readSnapshot({ data: Buffer.from(rows[0].data), sha256: rows[0].sha256 });
      expect(files.map((file) => [file.path, file.data.toString()])).toEqual([["Default/Local Storage/leveldb/000003.log", "linked"]]);
    } finally {
      fs.rmSync(sessionsDir, { recursive: true });
    }
  });

  it("refuses a target that holds Switchboard data, changing nothing, with exit code 1", async () => {
    await fill(source.db, "a");
    await copyData({ from: source.url, to: target.url, logger: silent });
    const before = await dump(client(target.url));

    const second = await createTestDb("sqlite");
    try {
      await fill(second.db, "b");
      const { lines, output } = capture();
      expect(await copyDataCommand(["--from", second.url, "--to", target.url], output)).toBe(1);
      expect(lines.err.join("\n")).toMatch(
        /^copy-data: the target database already holds Switchboard data \(Session: 3 rows, SessionMetadata: 4 rows, .*\); copy-data fills an empty database only, so nothing was copied/,
      );
    } finally {
      await second.close();
    }
    expect(await dump(client(target.url))).toEqual(before);
  });

  it("prints the rows copied per table, and never the password of the target", async () => {
    await fill(source.db, "a");
    const { lines, output } = capture();
    expect(await copyDataCommand(["--from", source.url, "--to", target.url], output)).toBe(0);
    const printed = lines.out.join("\n");
    for (const [table, rows] of Object.entries({ Session: 3, SessionMetadata: 4, WebhookAttempt: 3 })) {
      expect(printed).toMatch(new RegExp(`^  ${table} +${rows} rows$`, "m"));
    }
    expect(printed).toContain("applied database migrations");
    expect(COPIED_TABLES.every((table) => printed.includes(table))).toBe(true);
    const password = new URL(target.url).password;
    expect(password.length).toBeGreaterThan(8);
    expect(printed).not.toContain(password);
  });

  it("refuses while a server holds the source's data folder", async () => {
    const lock = await lockDataDir(path.dirname(source.url.slice("file:".length)));
    try {
      const { lines, output } = capture();
      expect(await copyDataCommand(["--from", source.url, "--to", target.url], output)).toBe(1);
      expect(lines.err.join("\n")).toMatch(/in use by another Switchboard process/);
    } finally {
      await lock.release();
    }
    expect(fs.existsSync(source.url.slice("file:".length))).toBe(true);
  });
});
