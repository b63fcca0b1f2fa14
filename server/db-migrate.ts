import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Db } from "./db";
import { driverMessage, migrationDialect, type MigrationDialect, type MigrationTx } from "./db-migrate-dialects";

/** Each database's own history (docs/cluster.md): the same changes, in each one's SQL. */
export const MIGRATIONS_DIRS = {
  sqlite: path.join(process.cwd(), "prisma", "migrations"),
  postgresql: path.join(process.cwd(), "prisma", "postgresql", "migrations"),
} as const;
const HISTORY_SQL = "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at";

/** A committed migration: `<migrations dir>/<name>/migration.sql`. */
interface Migration {
  name: string;
  file: string;
  script: string;
  /** SHA-256 of the file's bytes, lowercase hex: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

/** The columns of a `_prisma_migrations` row that the runner reads. */
interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: unknown;
}

/** A refusal that already says what happened and what to do; any other error gets that context added. */
class MigrationError extends Error {
  override name = "MigrationError";
}

export interface MigrateOptions {
  /** The database's history in MIGRATIONS_DIRS unless a test passes a folder of its own. */
  migrationsDir?: string;
}

/**
 * Applies, in process, the committed migrations the database has not seen, each in its own locked
 * transaction, and records each in `_prisma_migrations` as `prisma migrate deploy` does (so the CLI
 * agrees afterwards). A boot with nothing pending costs one query. Refuses to start, saying what to
 * do, when a migration failed in an earlier run or was edited after it was applied.
 */
export async function migrateDatabase(db: Db, databaseUrl: string, logger: Logger, options: MigrateOptions = {}): Promise<void> {
  const dialect = migrationDialect(db, databaseUrl);
  const migrations = readMigrations(options.migrationsDir ?? MIGRATIONS_DIRS[dialect.provider], dialect.provider);
  const history = await readHistory(db);
  // No readable history (a new database): the locked path below decides, and reports any real error.
  const candidates = history ? pendingMigrations(history, migrations) : migrations;
  if (candidates.length === 0) return;
  const started = performance.now();
  const applied = await applyPending(dialect, candidates, migrations);
  if (applied.length > 0) {
    logger.info({ migrations: applied, ms: Math.round(performance.now() - started) }, "applied database migrations");
  }
}

/** Every `<name>/migration.sql` under `dir`, in name order (Prisma's order). */
function readMigrations(dir: string, provider: string): Migration[] {
  const lockFile = path.join(dir, "migration_lock.toml");
  if (fs.existsSync(lockFile)) {
    const locked = /^\s*provider\s*=\s*"([^"]*)"/m.exec(fs.readFileSync(lockFile, "utf8"))?.[1];
    if (locked && locked !== provider) {
      throw new MigrationError(
        `The migrations in ${shown(dir)} are for ${locked} (migration_lock.toml), but DATABASE_URL is a ${provider} database`,
      );
    }
  }
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.map((name) => {
    const file = path.join(dir, name, "migration.sql");
    if (!fs.existsSync(file)) throw new MigrationError(`${shown(file)} is missing: every folder in ${shown(dir)} is one migration`);
    const bytes = fs.readFileSync(file);
    return { name, file, script: bytes.toString("utf8"), checksum: sha256(bytes) };
  });
}

/**
 * The migrations still to apply, in order. Throws, saying what to do, on a migration that failed in an
 * earlier run (Prisma's P3009) or whose file changed after it was applied (what `prisma migrate status`
 * reports as edited).
 */
function pendingMigrations(history: HistoryRow[], migrations: Migration[]): Migration[] {
  const failed = history.find((row) => row.finished_at == null && row.rolled_back_at == null);
  if (failed) {
    const name = failed.migration_name;
    const logs = typeof failed.logs === "string" && failed.logs ? ` Its error: ${failed.logs.trim()}` : "";
    throw new MigrationError(
      `Migration ${name} failed in an earlier run and may be partly applied, so the server does not start.${logs} ` +
        `Finish or undo its changes by hand, then record the outcome with \`npx prisma migrate resolve --applied ${name}\` ` +
        `or \`npx prisma migrate resolve --rolled-back ${name}\`, and start again.`,
    );
  }
  const applied = new Map(history.filter((row) => row.rolled_back_at == null).map((row) => [row.migration_name, row]));
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row && !checksumMatches(migration.script, row.checksum)) {
      throw new MigrationError(
        `Migration ${migration.name} was changed after it was applied: ${shown(migration.file)} no longer matches the checksum ` +
          `recorded in _prisma_migrations, so the server does not start. Restore the file as it was applied ` +
          `and put the change in a new migration.`,
      );
    }
  }
  return migrations.filter((migration) => !applied.has(migration.name));
}

/**
 * As Prisma's migrate engine compares: the file as it is or with its line endings
 * converted either way (git may have changed them), and old rows whose hex digits lack zero padding.
 */
export function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const hex = checksum.length === 64 ? digest.toString("hex") : [...digest].map((byte) => byte.toString(16)).join("");
    return hex === checksum;
  });
}

async function readHistory(db: Db): Promise<HistoryRow[] | null> {
  try {
    return await db.$queryRawUnsafe<HistoryRow[]>(HISTORY_SQL);
  } catch {
    return null;
  }
}

async function applyPending(dialect: MigrationDialect, candidates: Migration[], migrations: Migration[]): Promise<string[]> {
  const connection = await dialect.connect();
  const applied: string[] = [];
  try {
    for (const migration of candidates) {
      const didApply = await connection.inLockedTransaction(async (tx) => {
        // Read again under the lock: another process may have applied it meanwhile.
        const history = await lockedHistory(tx, dialect);
        if (!pendingMigrations(history, migrations).includes(migration)) return false;
        await applyMigration(tx, dialect, migration);
        return true;
      });
      if (didApply) applied.push(migration.name);
    }
  } catch (error) {
    if ((error as Error).name === "MigrationError") throw error;
    // The lock or the connection: for example another process holding the database for too long.
    throw new MigrationError(`Could not apply the database migrations, so the server does not start: ${driverMessage(error)}`);
  } finally {
    await connection.close();
  }
  return applied;
}

/** The history, creating `_prisma_migrations` in an empty database; refuses a database with tables but no history (Prisma's P3005). */
async function lockedHistory(tx: MigrationTx, dialect: MigrationDialect): Promise<HistoryRow[]> {
  const tables = (await tx.query(dialect.listTables)).map((row) => String(row.name));
  if (tables.includes("_prisma_migrations")) return (await tx.query(HISTORY_SQL)) as unknown as HistoryRow[];
  if (tables.length > 0) {
    throw new MigrationError(
      `The database already has tables (${tables.join(", ")}) but no _prisma_migrations table, so it was not made by these ` +
        `migrations and the server does not change it. Point DATABASE_URL at a new database, or record the migrations its ` +
        `schema already has with \`npx prisma migrate resolve --applied <name>\`.`,
    );
  }
  await tx.execute(dialect.createMigrationsTable);
  return [];
}

async function applyMigration(tx: MigrationTx, dialect: MigrationDialect, migration: Migration): Promise<void> {
  const startedAt = new Date();
  try {
    await tx.executeScript(migration.script);
  } catch (error) {
    throw new MigrationError(
      `Migration ${migration.name} failed, so it was rolled back and the server does not start: ${driverMessage(error)}. ` +
        `Nothing of it was applied: fix ${shown(migration.file)} and start again.`,
    );
  }
  await tx.execute(dialect.insertMigration, randomUUID(), migration.checksum, startedAt, new Date(), migration.name);
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A path as an operator would type it from the working folder. */
function shown(file: string): string {
  return path.relative(process.cwd(), file) || ".";
}
