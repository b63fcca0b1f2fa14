import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Logger } from "pino";
import type { Db } from "./db";

const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

/**
 * Apply committed migrations at boot with `prisma migrate deploy` (never `migrate dev`/`db push`:
 * they hang here). Asking the database first keeps the common boot, with nothing pending, fast.
 */
export async function migrateDatabase(db: Db, databaseUrl: string, logger: Logger): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length === 0) return;
  logger.info({ pending }, "applying database migrations");
  const prisma = path.join(process.cwd(), "node_modules", ".bin", "prisma");
  await promisify(execFile)(prisma, ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

async function pendingMigrations(db: Db): Promise<string[]> {
  const committed = fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  try {
    const applied = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const names = new Set(applied.map((row) => row.migration_name));
    return committed.filter((name) => !names.has(name));
  } catch {
    return committed; // no migrations table yet: a new database
  }
}
