import fs from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import type { Session, SessionHistory, SessionMetadata, WebhookAttempt, WebhookDelivery, WebhookEvent } from "@/generated/prisma/client";
import { importLogin } from "./cluster/login-snapshots";
import { lockDataDir } from "./data-dir-lock";
import { sqliteFile } from "./data-files";
import { openDb, type Db } from "./db";
import { migrateDatabase } from "./db-migrate";
import { driverMessage } from "./db-migrate-dialects";
import { dbProviderOf } from "./db-url";
import { packLogin } from "./engines/webjs/login-snapshot";
import { sessionProfile } from "./engines/webjs/session-profile";
import { redactLogLine } from "./log-redaction";

/**
 * `copy-data` (docs/cluster.md, "Moving an embedded install"): every row of an embedded install's SQLite
 * database into an empty PostgreSQL database, once, before the cluster's workers start on it. The command
 * (`npm run copy-data -- --from file:… --to postgresql://…`, copyDataCommand below) runs from
 * server/copy-data-main.ts, compiled beside the server by scripts/build.mjs.
 *
 * The one place that touches every table at once: the rows move whole, as they are, so the tables' own
 * modules (session-repository.ts, session-history.ts, webhooks/outbox.ts) have no part in it. The
 * cluster tables (Worker, SessionOwner) are not copied: they describe running workers, and an embedded
 * install has none. Each side's Prisma client converts its database's types (SQLite's 0/1 booleans and
 * its stored times) to booleans and Dates and back, so rows arrive identical. Each session's login, which
 * the embedded install keeps only in its Chromium profile, is saved as the session's first saved login
 * (docs/cluster.md, "Portable sessions"), so the workers start the sessions without a new QR.
 */

/** The copied tables, parents before children (the foreign keys are checked at each insert). */
export const COPIED_TABLES = ["Session", "SessionMetadata", "SessionHistory", "WebhookEvent", "WebhookDelivery", "WebhookAttempt"] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];

export interface CopyDataOptions {
  /** `file:<path>`: the embedded install's database; it must exist. */
  from: string;
  /** `postgresql://…`: an existing database, empty of Switchboard's rows (migrated here if needed). */
  to: string;
  logger: Logger;
  /** The embedded install's Chromium profiles (`<data folder>/sessions`); none: no login is brought along. */
  sessionsDir?: string | null;
  /** Rows per read and per insert. */
  batchSize?: number;
}

/** What was copied: rows per table, and the logins saved from the profiles. */
export type CopyDataCounts = Record<CopiedTable, number> & { logins: number };

/** A refusal that says what to do; the command exits 1 with its message. */
export class CopyDataError extends Error {
  override name = "CopyDataError";
}

const DEFAULT_BATCH = 1000;
/** The copy is one transaction on the target; Prisma ends an interactive one after 5 s unless told. */
const TRANSACTION_TIMEOUT_MS = 6 * 60 * 60_000;

/**
 * Copies every row of the six tables from `from` into `to` in ONE transaction on the target: the target
 * ends with all of them or, on any error, none. Both databases are migrated first (the server's runner,
 * as at a server's start). Refuses a target that holds any of Switchboard's rows, changing nothing.
 * While it runs, the source's folder is locked as a server locks its data folder (a running embedded
 * server refuses the copy; no server starts on it meanwhile). Returns the rows copied per table.
 */
export async function copyData(options: CopyDataOptions): Promise<CopyDataCounts> {
  const file = sqliteFile(options.from);
  if (!file) throw new CopyDataError(`not a SQLite file: ${options.from}`);
  const lock = await lockDataDir(path.dirname(file));
  const source = openDb(options.from);
  const target = openDb(options.to);
  try {
    try {
      await target.$queryRawUnsafe("SELECT 1");
    } catch (error) {
      throw new CopyDataError(`cannot reach the target database, nothing was copied: ${connectionProblem(error)}`);
    }
    await migrateDatabase(source, options.from, options.logger.child({ database: "source" }));
    await migrateDatabase(target, options.to, options.logger.child({ database: "target" }));
    const batch = options.batchSize ?? DEFAULT_BATCH;
    // Interactive on purpose: the one transaction must span every batch. It runs on PostgreSQL, whose client
    // gives it a connection of its own (the rule against them is about SQLite's one shared connection).
    return await target.$transaction(
      async (tx) => {
        // Nothing else writes these tables until the commit (a worker already started on this database, say).
        await tx.$executeRawUnsafe(`LOCK TABLE ${COPIED_TABLES.map((table) => `"${table}"`).join(", ")} IN EXCLUSIVE MODE`);
        await refuseRows(tx);
        const counts = await copyTables(source, tx, batch);
        return { ...counts, logins: options.sessionsDir ? await copyLogins(tx, options.sessionsDir) : 0 };
      },
      { maxWait: 30_000, timeout: TRANSACTION_TIMEOUT_MS },
    );
  } finally {
    await Promise.allSettled([source.$disconnect(), target.$disconnect()]);
    await lock.release();
  }
}

/** The driver's words, or where nothing answered (the adapter reports that as a kind with no message). */
function connectionProblem(error: unknown): string {
  type Unreachable = { meta?: { driverAdapterError?: { cause?: { kind?: unknown; host?: unknown; port?: unknown } } } };
  const cause = (error as Unreachable | null)?.meta?.driverAdapterError?.cause;
  if (cause?.kind === "DatabaseNotReachable")
    return `nothing answers at ${String(cause.host)}${cause.port ? `:${String(cause.port)}` : ""}`;
  return driverMessage(error);
}

/** What the transaction callback is given: the client's model API on the transaction's connection. */
type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function countRows(db: Tx): Promise<Record<CopiedTable, number>> {
  return {
    Session: await db.session.count(),
    SessionMetadata: await db.sessionMetadata.count(),
    SessionHistory: await db.sessionHistory.count(),
    WebhookEvent: await db.webhookEvent.count(),
    WebhookDelivery: await db.webhookDelivery.count(),
    WebhookAttempt: await db.webhookAttempt.count(),
  };
}

async function refuseRows(target: Tx): Promise<void> {
  const counts = await countRows(target);
  const held = COPIED_TABLES.filter((table) => counts[table] > 0);
  if (held.length === 0) return;
  throw new CopyDataError(
    `the target database already holds Switchboard data (${held.map((table) => `${table}: ${counts[table]} rows`).join(", ")}); ` +
      "copy-data fills an empty database only, so nothing was copied. Point --to at a new database, or empty this one first.",
  );
}

/** Keyset pages of a table in primary-key order: each read starts after the last row of the previous one. */
async function copyPages<Row>(read: (after: Row | null) => Promise<Row[]>, write: (rows: Row[]) => Promise<unknown>): Promise<number> {
  let copied = 0;
  let after: Row | null = null;
  for (;;) {
    const rows = await read(after);
    if (rows.length === 0) return copied;
    await write(rows);
    copied += rows.length;
    after = rows.at(-1)!;
  }
}

async function copyTables(source: Db, target: Tx, take: number): Promise<Record<CopiedTable, number>> {
  // Prisma's cursor: the row with this key, skipped, then the next `take` in the same order.
  const page = <Cursor>(cursor: Cursor | undefined) => (cursor ? { cursor, skip: 1, take } : { take });
  return {
    Session: await copyPages(
      (after: Session | null) => source.session.findMany({ orderBy: { name: "asc" }, ...page(after ? { name: after.name } : undefined) }),
      (data) => target.session.createMany({ data }),
    ),
    SessionMetadata: await copyPages(
      (after: SessionMetadata | null) =>
        source.sessionMetadata.findMany({
          orderBy: [{ sessionName: "asc" }, { key: "asc" }],
          ...page(after ? { sessionName_key: { sessionName: after.sessionName, key: after.key } } : undefined),
        }),
      (data) => target.sessionMetadata.createMany({ data }),
    ),
    SessionHistory: await copyPages(
      (after: SessionHistory | null) =>
        source.sessionHistory.findMany({ orderBy: { id: "asc" }, ...page(after ? { id: after.id } : undefined) }),
      (data) => target.sessionHistory.createMany({ data }),
    ),
    WebhookEvent: await copyPages(
      (after: WebhookEvent | null) =>
        source.webhookEvent.findMany({ orderBy: { id: "asc" }, ...page(after ? { id: after.id } : undefined) }),
      (data) => target.webhookEvent.createMany({ data }),
    ),
    WebhookDelivery: await copyPages(
      (after: WebhookDelivery | null) =>
        source.webhookDelivery.findMany({ orderBy: { id: "asc" }, ...page(after ? { id: after.id } : undefined) }),
      (data) => target.webhookDelivery.createMany({ data }),
    ),
    WebhookAttempt: await copyPages(
      (after: WebhookAttempt | null) =>
        source.webhookAttempt.findMany({ orderBy: { id: "asc" }, ...page(after ? { id: after.id } : undefined) }),
      (data) => target.webhookAttempt.createMany({ data }),
    ),
  };
}

/** Saves the login of each copied session that has one in `sessionsDir`; the number saved. */
async function copyLogins(target: Tx, sessionsDir: string): Promise<number> {
  let saved = 0;
  for (const { name } of await target.session.findMany({ select: { name: true }, orderBy: { name: "asc" } })) {
    const startedAt = performance.now();
    const packed = await packLogin(sessionProfile(sessionsDir, name).profileDir, Number.POSITIVE_INFINITY);
    if (packed.files === 0) continue;
    await importLogin(target, name, { ...packed, packMs: performance.now() - startedAt });
    saved++;
  }
  return saved;
}

// ---- the command ---------------------------------------------------------------------------------

const USAGE =
  "Usage: npm run copy-data -- --from file:<path to switchboard.db> --to postgresql://<user>:<password>@<host>/<database> [--sessions <dir>]";

export const COPY_DATA_HELP = `${USAGE}

Copies an embedded install (SQLite) into an empty PostgreSQL database, in one transaction: sessions with
their metadata and history, webhook events, deliveries and attempts, and each session's login from its
Chromium profile (in --sessions, by default the "sessions" folder beside the database), so the cluster's
workers start the sessions without a new QR. Both databases are migrated first.
Stop the server that uses the SQLite database before copying.
Exit codes: 0 copied, 1 refused or failed (nothing copied), 2 bad arguments.`;

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

type ParsedArgs = { help: true } | { error: string } | { from: string; to: string; sessionsDir: string | null };

/** `--from`, `--to`, `--sessions` (as `--name value` or `--name=value`) and `--help`; anything else is an error naming it. */
export function parseCopyDataArgs(argv: string[]): ParsedArgs {
  const values: { from?: string; to?: string; sessions?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { help: true };
    const option = /^--(from|to|sessions)(?:=(.*))?$/s.exec(arg);
    if (!option) return { error: `unknown argument ${arg} (only --from, --to and --sessions are accepted)` };
    const name = option[1] as "from" | "to" | "sessions";
    const value = option[2] ?? argv[++i];
    if (value === undefined || value === "" || value.startsWith("--")) return { error: `--${name} needs a value` };
    if (values[name] !== undefined) return { error: `--${name} is given twice` };
    values[name] = value;
  }
  const { from, to } = values;
  if (from === undefined) return { error: "--from is missing: the SQLite database to copy, as file:<path>" };
  const file = sqliteFile(from);
  if (dbProviderOf(from) !== "sqlite" || !file) return { error: `--from must be a SQLite database as file:<path> (got ${from})` };
  if (!fs.existsSync(file)) return { error: `--from names no database: ${file} does not exist` };
  if (to === undefined) return { error: "--to is missing: the PostgreSQL database to fill, as postgresql://…" };
  if (dbProviderOf(to) !== "postgresql") return { error: `--to must be a PostgreSQL database as postgresql://… (got ${to})` };
  if (values.sessions !== undefined && !fs.statSync(values.sessions, { throwIfNoEntry: false })?.isDirectory()) {
    return { error: `--sessions names no folder: ${values.sessions}` };
  }
  // The embedded layout: the profiles beside the database, in the data folder.
  const besideDatabase = path.join(path.dirname(file), "sessions");
  const sessionsDir = values.sessions ?? (fs.existsSync(besideDatabase) ? besideDatabase : null);
  return { from, to, sessionsDir };
}

/** Runs the command; resolves with its exit code. Every line printed passes the log's credential redaction. */
export async function copyDataCommand(argv: string[], output: CommandOutput): Promise<number> {
  const out = (line: string) => output.out(redactLogLine(line));
  const err = (line: string) => output.err(redactLogLine(line));
  const args = parseCopyDataArgs(argv);
  // The help text as it is: its example URL would look like a credential to the redaction.
  if ("help" in args) {
    output.out(COPY_DATA_HELP);
    return 0;
  }
  if ("error" in args) {
    err(`copy-data: ${args.error}`);
    output.err(USAGE);
    return 2;
  }
  // The migration runner's log lines, as text.
  const logger = pino(
    { level: "info" },
    {
      write: (line: string) => {
        const { msg, migrations, database } = JSON.parse(line) as { msg: string; migrations?: string[]; database?: string };
        out(`${database ? `${database} database: ` : ""}${msg}${migrations ? `: ${migrations.join(", ")}` : ""}`);
      },
    },
  );
  out(`Copying ${args.from} into ${args.to}`);
  let counts: CopyDataCounts;
  try {
    counts = await copyData({ from: args.from, to: args.to, sessionsDir: args.sessionsDir, logger });
  } catch (error) {
    err(`copy-data: ${error instanceof CopyDataError ? error.message : `failed, nothing was copied: ${driverMessage(error)}`}`);
    return 1;
  }
  const width = Math.max(...COPIED_TABLES.map((table) => table.length));
  for (const table of COPIED_TABLES) out(`  ${table.padEnd(width)}  ${String(counts[table]).padStart(9)} rows`);
  out(
    args.sessionsDir
      ? `  ${"logins".padEnd(width)}  ${String(counts.logins).padStart(9)} saved from the profiles in ${args.sessionsDir}`
      : "  no profiles folder beside the database (--sessions): no login was brought along; each session asks for a QR once",
  );
  out("Done. Point every worker's DATABASE_URL at the PostgreSQL database (docs/cluster.md).");
  return 0;
}
