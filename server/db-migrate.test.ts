import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Logger } from "pino";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDb, type Db } from "./db";
import { checksumMatches, migrateDatabase } from "./db-migrate";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMITTED = path.join(ROOT, "prisma", "migrations");
const NAMES = fs
  .readdirSync(COMMITTED, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// How the Prisma CLI's rows store a time (the adapter's iso8601 format).
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

interface Row {
  id: string;
  checksum: string;
  finished_at: string | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: string | null;
  started_at: string;
  applied_steps_count: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A new database file, and a copy of the committed migrations that a test may add to or edit. */
function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-migrate-"));
  const migrationsDir = path.join(root, "migrations");
  fs.cpSync(COMMITTED, migrationsDir, { recursive: true });
  const url = `file:${path.join(root, "switchboard.db")}`;
  const clients: Db[] = [];
  const open = () => {
    const client = openDb(url);
    clients.push(client);
    return client;
  };
  cleanups.push(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    fs.rmSync(root, { recursive: true, force: true });
  });
  const db = open();
  const logger = { info: vi.fn() };
  const migrationFile = (name: string) => path.join(migrationsDir, name, "migration.sql");
  return {
    url,
    db,
    logger,
    migrationsDir,
    migrationFile,
    /** One boot's migration step, on a client of its own as server.ts opens one. */
    migrate: (client: Db = open()) => migrateDatabase(client, url, logger as unknown as Logger, { migrationsDir }),
    addMigration(name: string, sql: string) {
      fs.mkdirSync(path.join(migrationsDir, name));
      fs.writeFileSync(migrationFile(name), sql);
    },
    history: () =>
      db.$queryRawUnsafe<Row[]>(
        `SELECT id, checksum, CAST(finished_at AS TEXT) AS finished_at, migration_name, logs, CAST(rolled_back_at AS TEXT) AS rolled_back_at,
                CAST(started_at AS TEXT) AS started_at, CAST(applied_steps_count AS TEXT) AS applied_steps_count
         FROM _prisma_migrations ORDER BY started_at, migration_name`,
      ),
    applied: async () =>
      (await db.$queryRawUnsafe<{ name: string }[]>("SELECT migration_name AS name FROM _prisma_migrations")).map((row) => row.name).sort(),
    tables: async () =>
      (await db.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((row) => row.name),
    schema: () => db.$queryRawUnsafe<{ sql: string }[]>("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"),
  };
}

function prismaCli(args: string[], url: string): string {
  return execFileSync(path.join(ROOT, "node_modules", ".bin", "prisma"), args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
    stdio: "pipe",
  });
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("migrateDatabase", () => {
  it("gives a new database every migration, recorded in _prisma_migrations as Prisma records them", async () => {
    const t = setup();
    await t.migrate();

    const rows = await t.history();
    expect(rows.map((row) => row.migration_name)).toEqual(NAMES);
    for (const row of rows) {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(sha256(t.migrationFile(row.migration_name)));
      expect(row.started_at).toMatch(ISO_UTC);
      expect(row.finished_at).toMatch(ISO_UTC);
      expect(row.finished_at! >= row.started_at).toBe(true);
      expect([row.logs, row.rolled_back_at, row.applied_steps_count]).toEqual([null, null, "1"]);
    }
    expect(await t.tables()).toEqual(expect.arrayContaining(["Session", "SessionMetadata", "WebhookEvent", "WebhookDelivery"]));
    expect(t.logger.info).toHaveBeenCalledTimes(1);
    expect(t.logger.info.mock.calls[0][0]).toMatchObject({ migrations: NAMES });
  });

  it("applies nothing on the next boot, asking the database one query on the client's own connection", async () => {
    const t = setup();
    await t.migrate();
    const before = await t.history();
    t.logger.info.mockClear();

    const connections = vi.spyOn(PrismaBetterSQLite3.prototype, "connect");
    const client = openDb(t.url);
    const queries = vi.spyOn(client, "$queryRawUnsafe");
    const transactions = vi.spyOn(client, "$transaction");
    let connected: number;
    try {
      await t.migrate(client);
    } finally {
      connected = connections.mock.calls.length;
      connections.mockRestore();
      await client.$disconnect();
    }
    expect(queries).toHaveBeenCalledTimes(1);
    expect(transactions).not.toHaveBeenCalled();
    expect(connected).toBe(1); // the client's own; no migration connection
    expect(t.logger.info).not.toHaveBeenCalled();
    expect(await t.history()).toEqual(before);
  });

  it("applies a new migration on top, keeping the rows of a table it redefines (and their children)", async () => {
    const t = setup();
    t.addMigration(
      "99990101000000_parent_child",
      `CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY);
CREATE TABLE "Child" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "parentId" TEXT NOT NULL,
    CONSTRAINT "Child_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
`,
    );
    await t.migrate();
    await t.db.$executeRawUnsafe(`INSERT INTO "Parent" ("id") VALUES ('p1')`);
    await t.db.$executeRawUnsafe(`INSERT INTO "Child" ("id", "parentId") VALUES ('c1', 'p1')`);

    // What `prisma migrate dev` writes for a new required column on SQLite: copy, DROP TABLE, rename.
    t.addMigration(
      "99990102000000_parent_label",
      `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Parent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "label" TEXT NOT NULL DEFAULT 'none; not a statement end'
);
INSERT INTO "new_Parent" ("id") SELECT "id" FROM "Parent";
DROP TABLE "Parent";
ALTER TABLE "new_Parent" RENAME TO "Parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`,
    );
    t.logger.info.mockClear();
    await t.migrate();

    expect(t.logger.info.mock.calls[0][0]).toMatchObject({ migrations: ["99990102000000_parent_label"] });
    expect(await t.applied()).toEqual([...NAMES, "99990101000000_parent_child", "99990102000000_parent_label"]);
    expect(await t.db.$queryRawUnsafe(`SELECT "id", "label" FROM "Parent"`)).toEqual([{ id: "p1", label: "none; not a statement end" }]);
    expect(await t.db.$queryRawUnsafe(`SELECT "id", "parentId" FROM "Child"`)).toEqual([{ id: "c1", parentId: "p1" }]);
  });

  it("rolls back a migration that fails, records nothing, refuses to start naming it, and applies it once fixed", async () => {
    const t = setup();
    await t.migrate();
    t.addMigration("99990101000000_broken", `CREATE TABLE "Half" ("id" TEXT);\nINSERT INTO "Missing" VALUES (1);\n`);

    await expect(t.migrate()).rejects.toThrow(
      /^Migration 99990101000000_broken failed, so it was rolled back .*: no such table: Missing\./,
    );
    expect(await t.tables()).not.toContain("Half");
    expect(await t.applied()).toEqual(NAMES);

    fs.writeFileSync(t.migrationFile("99990101000000_broken"), `CREATE TABLE "Half" ("id" TEXT);\n`);
    await t.migrate();
    expect(await t.tables()).toContain("Half");
    expect(await t.applied()).toEqual([...NAMES, "99990101000000_broken"]);
  });

  it("refuses to start while a migration that failed in an earlier run is unresolved, and retries it once rolled back", async () => {
    const t = setup();
    await t.migrate();
    t.addMigration("99990101000000_half", `CREATE TABLE "Half" ("id" TEXT);\n`);
    t.addMigration("99990102000000_next", `CREATE TABLE "Next" ("id" TEXT);\n`);
    // As `prisma migrate deploy` leaves a failure: finished_at and rolled_back_at empty, the error in logs.
    await t.db.$executeRawUnsafe(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES ('f0f0f0f0-0000-4000-8000-000000000000', ?, '99990101000000_half', 'table "Half" already exists', '2026-01-01T00:00:00.000+00:00', 0)`,
      sha256(t.migrationFile("99990101000000_half")),
    );

    const refusal = t.migrate();
    await expect(refusal).rejects.toThrow("Migration 99990101000000_half failed in an earlier run and may be partly applied");
    await expect(refusal).rejects.toThrow('Its error: table "Half" already exists');
    await expect(refusal).rejects.toThrow("npx prisma migrate resolve --rolled-back 99990101000000_half");
    expect(await t.tables()).not.toContain("Next");

    // `prisma migrate resolve --rolled-back` sets rolled_back_at: the migration counts as not applied.
    await t.db.$executeRawUnsafe(
      `UPDATE _prisma_migrations SET rolled_back_at = '2026-01-02T00:00:00.000+00:00' WHERE migration_name = '99990101000000_half'`,
    );
    await t.migrate();
    expect(await t.tables()).toEqual(expect.arrayContaining(["Half", "Next"]));
  });

  it("refuses to start when the file of an applied migration was changed", async () => {
    const t = setup();
    await t.migrate();
    fs.appendFileSync(t.migrationFile(NAMES[0]), "-- an afterthought\n");

    const refusal = t.migrate();
    await expect(refusal).rejects.toThrow(`Migration ${NAMES[0]} was changed after it was applied`);
    await expect(refusal).rejects.toThrow(path.join(NAMES[0], "migration.sql"));
  });

  it("accepts an applied migration whose line endings were converted (git on Windows), as Prisma does", async () => {
    const t = setup();
    await t.migrate();
    const file = t.migrationFile(NAMES[0]);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll("\n", "\r\n"));
    await expect(t.migrate()).resolves.toBeUndefined();
  });

  it("refuses a database that has tables but no migration history", async () => {
    const t = setup();
    await t.db.$executeRawUnsafe(`CREATE TABLE "Other" ("id" TEXT)`);
    await expect(t.migrate()).rejects.toThrow("The database already has tables (Other) but no _prisma_migrations table");
    expect(await t.tables()).toEqual(["Other"]);
  });

  it("refuses migrations written for another database", async () => {
    const t = setup();
    fs.writeFileSync(path.join(t.migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
    await expect(t.migrate()).rejects.toThrow(/are for postgresql \(migration_lock\.toml\), but DATABASE_URL is a sqlite database/);
  });

  it("applies each migration once when several processes boot together on a new database", async () => {
    const t = setup();
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

  it("agrees with the Prisma CLI both ways: each accepts the other's database as up to date", async () => {
    const ours = setup();
    await ours.migrate();
    expect(prismaCli(["migrate", "status"], ours.url)).toContain("Database schema is up to date!");
    expect(prismaCli(["migrate", "deploy"], ours.url)).toContain("No pending migrations to apply.");

    const theirs = setup();
    prismaCli(["migrate", "deploy"], theirs.url);
    const before = await theirs.history();
    await theirs.migrate();
    expect(theirs.logger.info).not.toHaveBeenCalled();
    expect(await theirs.history()).toEqual(before);
    expect(await ours.schema()).toEqual(await theirs.schema());
  }, 60_000);
});

describe("checksumMatches", () => {
  const hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // SHA-256 of "hello"

  it("matches the SHA-256 hex of the script, and nothing else", () => {
    expect(checksumMatches("hello", hello)).toBe(true);
    expect(checksumMatches("hello\n", hello)).toBe(false);
  });

  it("matches rows written by old Prisma versions, whose hex digits lack zero padding", () => {
    expect(checksumMatches("hello", "2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824")).toBe(true);
  });
});
