import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { openDb, type Db } from "@/server/db";
import { migrateDatabase } from "@/server/db-migrate";
import type { DbProvider } from "@/server/db-url";
import { createPostgresDatabase, postgresSkipReason } from "./postgres";

/**
 * A real database with every committed migration applied: SQLite (the default) or PostgreSQL (the run's
 * throwaway cluster, test/support/postgres.ts). The server's own migration runner (server/db-migrate.ts)
 * fills a template once per test file; each test gets its own copy (a file copy, or CREATE DATABASE …
 * TEMPLATE): fast and isolated.
 */

/** The dialects a test file runs its database tests on: SQLite always, PostgreSQL when this run has a cluster. */
export const TEST_DIALECTS: DbProvider[] = postgresSkipReason() === null ? ["sqlite", "postgresql"] : ["sqlite"];

const templates = new Map<DbProvider, Promise<string>>();

async function migrateTemplate(url: string): Promise<void> {
  const db = openDb(url);
  try {
    await migrateDatabase(db, url, pino({ level: "silent" }));
  } finally {
    await db.$disconnect();
  }
}

/** SQLite: the template file's path. PostgreSQL: the template database's name. */
function template(dialect: DbProvider): Promise<string> {
  let made = templates.get(dialect);
  if (!made) {
    made =
      dialect === "sqlite"
        ? (async () => {
            const dir = mkdtempSync(join(tmpdir(), "switchboard-webhooks-"));
            process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
            await migrateTemplate(`file:${join(dir, "template.db")}`);
            return join(dir, "template.db");
          })()
        : (async () => {
            // Dropped with the cluster at the end of the run.
            const database = await createPostgresDatabase();
            await migrateTemplate(database.url);
            return database.name;
          })();
    templates.set(dialect, made);
  }
  return made;
}

export interface TestDb {
  db: Db;
  url: string;
  dialect: DbProvider;
  /** A second client on the same database, like a restarted process (or another worker) would open. */
  reopen(): Db;
  close(): Promise<void>;
}

export async function createTestDb(dialect: DbProvider = "sqlite"): Promise<TestDb> {
  let url: string;
  let remove: () => Promise<void>;
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-webhooks-"));
    const path = join(dir, "test.db");
    copyFileSync(await template(dialect), path);
    url = `file:${path}`;
    remove = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await createPostgresDatabase(await template(dialect));
    url = database.url;
    remove = database.drop;
  }
  const clients: Db[] = [];
  const open = () => {
    const client = openDb(url);
    clients.push(client);
    return client;
  };
  const db = open();
  if (dialect === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  return {
    db,
    url,
    dialect,
    reopen: open,
    async close() {
      await Promise.all(clients.map((client) => client.$disconnect()));
      await remove();
    },
  };
}
