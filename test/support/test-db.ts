import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDb, type Db } from "@/server/db";

/**
 * A real SQLite database with every committed migration applied. `prisma migrate deploy`
 * runs once per test file into a template; each test gets its own copy (fast, isolated).
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let template: string | null = null;

function templatePath(): string {
  if (template) return template;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-webhooks-"));
  const path = join(dir, "template.db");
  execFileSync(join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${path}` },
    stdio: "pipe",
  });
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  template = path;
  return path;
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
  copyFileSync(templatePath(), path);
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
