import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Logger } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPostgresDatabase, postgresSkipReason } from "@/test/support/postgres";
import { openDb, type Db } from "./db";
import { migrateDatabase } from "./db-migrate";

/**
 * The migration runner on PostgreSQL (its SQLite side: server/db-migrate.test.ts): the committed
 * prisma/postgresql/migrations history, Prisma's advisory lock, DDL rolled back with its transaction.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMITTED = path.join(ROOT, "prisma", "postgresql", "migrations");
const NAMES = fs
  .readdirSync(COMMITTED, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A new database, and a copy of the committed PostgreSQL migrations that a test may add to or edit. */
async function setup() {
  const database = await createPostgresDatabase();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-migrate-pg-"));
  const migrationsDir = path.join(root, "migrations");
  fs.cpSync(COMMITTED, migrationsDir, { recursive: true });
  const clients: Db[] = [];
  const open = () => {
    const client = openDb(database.url);
    clients.push(client);
    return client;
  };
  cleanups.push(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    await database.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const db = open();
  const logger = { info: vi.fn() };
  const migrationFile = (name: string) => path.join(migrationsDir, name, "migration.sql");
  return {
    url: database.url,
    db,
    logger,
    migrationsDir,
    migrationFile,
    migrate: (client: Db = open()) => migrateDatabase(client, database.url, logger as unknown as Logger, { migrationsDir }),
    addMigration(name: string, sql: string) {
      fs.mkdirSync(path.join(migrationsDir, name));
      fs.writeFileSync(migrationFile(name), sql);
    },
    history: () =>
      db.$queryRawUnsafe<{ id: string; checksum: string; migration_name: string; started_at: Date; finished_at: Date | null }[]>(
        "SELECT id, checksum, migration_name, started_at, finished_at, logs, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at, migration_name",
      ),
    applied: async () =>
      (await db.$queryRawUnsafe<{ name: string }[]>("SELECT migration_name AS name FROM _prisma_migrations")).map((row) => row.name).sort(),
    tables: async () =>
      (
        await db.$queryRawUnsafe<{ name: string }[]>(
          "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
        )
      ).map((row) => row.name),
  };
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe.skipIf(postgresSkipReason() !== null)("migrateDatabase on PostgreSQL", () => {
  it("gives a new database every migration of prisma/postgresql/migrations, recorded as Prisma records them", async () => {
    const t = await setup();
    const before = Date.now();
    await t.migrate();

    const rows = await t.history();
    expect(rows.map((row) => row.migration_name)).toEqual(NAMES);
    for (const row of rows) {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(sha256(t.migrationFile(row.migration_name)));
      // timestamptz read back as the instant written (no time-zone shift).
      expect(Math.abs(row.started_at.getTime() - before)).toBeLessThan(60_000);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(await t.tables()).toEqual(
      expect.arrayContaining(["Session", "SessionMetadata", "SessionHistory", "WebhookEvent", "WebhookDelivery", "WebhookAttempt"]),
    );
    expect(t.logger.info.mock.calls[0][0]).toMatchObject({ migrations: NAMES });
  });

  it("applies nothing on the next boot, opening no transaction", async () => {
    const t = await setup();
    await t.migrate();
    t.logger.info.mockClear();
    const client = openDb(t.url);
    const transactions = vi.spyOn(client, "$transaction");
    try {
      await t.migrate(client);
    } finally {
      await client.$disconnect();
    }
    expect(transactions).not.toHaveBeenCalled();
    expect(t.logger.info).not.toHaveBeenCalled();
  });

  it("rolls back a failing migration (DDL included), records nothing, and applies it once fixed", async () => {
    const t = await setup();
    await t.migrate();
    t.addMigration("99990101000000_broken", `CREATE TABLE "Half" ("id" TEXT);\nINSERT INTO "Missing" VALUES (1);\n`);

    await expect(t.migrate()).rejects.toThrow(/^Migration 99990101000000_broken failed, so it was rolled back .*"Missing" does not exist/);
    expect(await t.tables()).not.toContain("Half");
    expect(await t.applied()).toEqual(NAMES);

    fs.writeFileSync(t.migrationFile("99990101000000_broken"), `CREATE TABLE "Half" ("id" TEXT);\n-- a ; in a comment\n`);
    await t.migrate();
    expect(await t.tables()).toContain("Half");
    expect(await t.applied()).toEqual([...NAMES, "99990101000000_broken"]);
  });

  it("refuses to start when the file of an applied migration was changed", async () => {
    const t = await setup();
    await t.migrate();
    fs.appendFileSync(t.migrationFile(NAMES[0]), "-- an afterthought\n");
    await expect(t.migrate()).rejects.toThrow(`Migration ${NAMES[0]} was changed after it was applied`);
  });

  it("refuses a database that has tables but no migration history", async () => {
    const t = await setup();
    await t.db.$executeRawUnsafe(`CREATE TABLE "Other" ("id" TEXT)`);
    await expect(t.migrate()).rejects.toThrow("The database already has tables (Other) but no _prisma_migrations table");
  });

  it("refuses the SQLite history", async () => {
    const t = await setup();
    const logger = { info: vi.fn() } as unknown as Logger;
    await expect(migrateDatabase(t.db, t.url, logger, { migrationsDir: path.join(ROOT, "prisma", "migrations") })).rejects.toThrow(
      /are for sqlite \(migration_lock\.toml\), but DATABASE_URL is a postgresql database/,
    );
  });

  it("applies each migration once when several processes boot together on a new database", async () => {
    const t = await setup();
    const startAt = String(Date.now() + 3_000);
    const boots = await Promise.all(
      [1, 2, 3].map(() =>
        promisify(execFile)(process.execPath, ["--import", "tsx", "test/support/migrate-child.ts"], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: t.url, MIGRATIONS_DIR: t.migrationsDir, START_AT: startAt },
        }),
      ),
    );
    const appliedByBoots = boots.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect(appliedByBoots.sort()).toEqual(NAMES);
    expect(await t.applied()).toEqual(NAMES);
  }, 60_000);
});
