import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Db } from "./db";
import { dbProvider } from "./db-url";

/**
 * The per-database part of the migration runner (server/db-migrate.ts): the `_prisma_migrations` DDL,
 * the lock that keeps two booting processes from applying one migration twice, and how a whole
 * migration.sql (several statements) is run inside a transaction.
 *
 * Running a script: the better-sqlite3 driver prepares one statement at a time, so the client's
 * `$executeRawUnsafe` rejects a migration.sql ("contains more than one statement"). Splitting the text
 * on `;` ourselves would break on a `;` inside a string, a comment or a trigger body. Instead each
 * database parses the script itself: SQLite through the adapter's `executeScript` (better-sqlite3's
 * `exec`, the call Prisma's migrate engine makes), PostgreSQL through `$executeRawUnsafe` without
 * parameters, which node-postgres sends as one simple-protocol query (several statements allowed), on
 * the transaction's own connection. (@prisma/adapter-pg's `executeScript` is not used: it splits on `;`
 * and sends each piece to the pool, outside any transaction.)
 */

export type MigrationParam = string | number | Date | null;

/** One locked transaction, as the runner sees it. */
export interface MigrationTx {
  query(sql: string, ...params: MigrationParam[]): Promise<Record<string, unknown>[]>;
  execute(sql: string, ...params: MigrationParam[]): Promise<void>;
  /** Runs a whole migration.sql, parsed by the database, and throws if it left the data inconsistent. */
  executeScript(script: string): Promise<void>;
}

export interface MigrationConnection {
  /**
   * Runs `work` in one transaction that holds the migration lock, so no other process migrates
   * meanwhile; commits when `work` resolves, rolls back when it throws.
   */
  inLockedTransaction<T>(work: (tx: MigrationTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface MigrationDialect {
  /** As `migration_lock.toml` names it. */
  provider: "sqlite" | "postgresql";
  /** `_prisma_migrations` exactly as Prisma's migrate engine creates it. */
  createMigrationsTable: string;
  /** The database's own tables (column `name`), to refuse a non-empty database without a history. */
  listTables: string;
  /** Parameters: id, checksum, started_at, finished_at, migration_name. */
  insertMigration: string;
  connect(): Promise<MigrationConnection>;
}

export function migrationDialect(db: Db, databaseUrl: string): MigrationDialect {
  return dbProvider(databaseUrl) === "sqlite" ? sqliteDialect(databaseUrl) : postgresDialect(db);
}

// How long one migration's transaction may take, waiting for another process's included.
const LOCK_WAIT_MS = 5 * 60_000;

/** The database's own words: the adapter's error message is only a kind ("TableDoesNotExist"). */
export function driverMessage(error: unknown): string {
  type Cause = { cause?: { originalMessage?: unknown } };
  // An adapter's own error, or (through the client, as on PostgreSQL) a P2010 carrying it in `meta`.
  const adapterError = (error as (Cause & { meta?: { driverAdapterError?: Cause } }) | null) ?? {};
  const cause = adapterError.cause ?? adapterError.meta?.driverAdapterError?.cause;
  if (typeof cause?.originalMessage === "string") return cause.originalMessage;
  return error instanceof Error ? error.message : String(error);
}

function sqliteDialect(databaseUrl: string): MigrationDialect {
  return {
    provider: "sqlite",
    createMigrationsTable: `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
    listTables: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    insertMigration: `INSERT INTO "_prisma_migrations" ("id", "checksum", "started_at", "finished_at", "migration_name", "applied_steps_count")
VALUES (?, ?, ?, ?, ?, 1)`,
    connect: () => connectSqlite(databaseUrl),
  };
}

/**
 * A connection of its own (the client does not expose its adapter's `executeScript`), opened only
 * when something is pending and closed after, so the PRAGMAs below never touch the client's.
 */
async function connectSqlite(databaseUrl: string): Promise<MigrationConnection> {
  const connection = await new PrismaBetterSQLite3({ url: databaseUrl, timeout: LOCK_WAIT_MS }).connect();
  type Query = Parameters<typeof connection.queryRaw>[0];
  const toQuery = (sql: string, params: MigrationParam[]): Query => ({
    sql,
    args: params,
    // A Date goes through the adapter's own datetime formatting, as the Prisma CLI's rows do.
    argTypes: params.map((param) => ({
      scalarType: param instanceof Date ? "datetime" : typeof param === "number" ? "int" : "string",
      arity: "scalar",
    })),
  });
  const query = async (sql: string, ...params: MigrationParam[]) => {
    const result = await connection.queryRaw(toQuery(sql, params));
    return result.rows.map((row) => Object.fromEntries(result.columnNames.map((column, i) => [column, row[i]])));
  };
  const tx: MigrationTx = {
    query,
    execute: async (sql, ...params) => void (await connection.executeRaw(toQuery(sql, params))),
    executeScript: async (script) => {
      await connection.executeScript(script);
      const orphans = await query("PRAGMA foreign_key_check");
      if (orphans.length > 0) {
        const tables = [...new Set(orphans.map((row) => String(row.table)))].join(", ");
        throw new Error(`it leaves ${orphans.length} row(s) whose foreign key points at no row (in ${tables})`);
      }
    },
  };
  return {
    async inLockedTransaction(work) {
      // Foreign keys off around the transaction (inside one the PRAGMA is ignored), as SQLite's
      // procedure for schema changes says: Prisma redefines a table by copy, DROP TABLE and rename, and
      // with foreign keys on that DROP would run the children's ON DELETE CASCADE. executeScript above
      // checks them before the commit instead.
      await connection.executeScript("PRAGMA foreign_keys = OFF");
      try {
        // IMMEDIATE: the write lock is taken now, so a second process waits here (busy timeout)
        // rather than both reading the history and then both writing.
        await connection.executeScript("BEGIN IMMEDIATE");
        try {
          const result = await work(tx);
          await connection.executeScript("COMMIT");
          return result;
        } catch (error) {
          try {
            await connection.executeScript("ROLLBACK");
          } catch {
            // Some errors end the transaction inside SQLite already; the original error is the one to report.
          }
          throw error;
        }
      } finally {
        await connection.executeScript("PRAGMA foreign_keys = ON");
      }
    },
    close: () => connection.dispose(),
  };
}

/**
 * Everything goes through the open client: an interactive transaction holds one pooled
 * connection, and the advisory lock is Prisma's own key, released with the transaction.
 */
function postgresDialect(db: Db): MigrationDialect {
  return {
    provider: "postgresql",
    createMigrationsTable: `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`,
    listTables:
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    insertMigration: `INSERT INTO _prisma_migrations (id, checksum, started_at, finished_at, migration_name, applied_steps_count)
VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, 1)`,
    connect: async () => ({
      inLockedTransaction: (work) =>
        db.$transaction(
          async (client) => {
            // executeRaw, not queryRaw: the function returns void, a column type the adapter cannot map.
            await client.$executeRawUnsafe("SELECT pg_advisory_xact_lock(72707369)");
            // Times as ISO text with their zone: @prisma/adapter-pg writes a Date as zone-less UTC digits,
            // which a timestamptz column reads in the session's time zone.
            const values = (params: MigrationParam[]) => params.map((param) => (param instanceof Date ? param.toISOString() : param));
            return work({
              query: (sql, ...params) => client.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...values(params)),
              execute: async (sql, ...params) => void (await client.$executeRawUnsafe(sql, ...values(params))),
              executeScript: async (script) => void (await client.$executeRawUnsafe(script)),
            });
          },
          { maxWait: LOCK_WAIT_MS, timeout: LOCK_WAIT_MS },
        ),
      close: async () => undefined,
    }),
  };
}
