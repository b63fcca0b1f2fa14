import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { openDb, type Db } from "@/server/db";
import { migrateDatabase } from "@/server/db-migrate";

/**
 * A real SQLite database with every committed migration applied. The server's own migration runner
 * (server/db-migrate.ts) fills a template once per test file; each test gets its own copy (fast, isolated).
 */

let template: Promise<string> | null = null;

function templatePath(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-webhooks-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    const url = `file:${join(dir, "template.db")}`;
    const db = openDb(url);
    try {
      await migrateDatabase(db, url, pino({ level: "silent" }));
    } finally {
      await db.$disconnect();
    }
    return join(dir, "template.db");
  })();
  return template;
}

export interface TestDb {
  db: Db;
  url: string;
  /** A second client on the same file, like a restarted process would open. */
  reopen(): Db;
  close(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-webhooks-"));
  const path = join(dir, "test.db");
  copyFileSync(await templatePath(), path);
  const url = `file:${path}`;
  const clients: Db[] = [];
  const open = () => {
    const client = openDb(url);
    clients.push(client);
    return client;
  };
  const db = open();
  await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  return {
    db,
    url,
    reopen: open,
    async close() {
      await Promise.all(clients.map((client) => client.$disconnect()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
