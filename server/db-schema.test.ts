import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import type * as Sqlite from "@/generated/prisma/client";
import type * as Postgres from "@/generated/prisma-postgresql/client";
import { postgresTwin } from "@/scripts/gen-pg-schema.mjs";
import { createPostgresDatabase } from "@/test/support/postgres";
import { createTestDb, TEST_DIALECTS } from "@/test/support/test-db";
import type { DbProvider } from "./db-url";

/**
 * Drift check: for each database, the committed migration history, applied by the server's runner to an
 * empty database, must give exactly the tables, columns (type, null, default), indexes and constraints
 * that the model itself gives. The model's side is Prisma's own DDL for the schema
 * (`prisma migrate diff --from-empty --to-schema-datamodel`, offline), applied to a second empty
 * database; both are then read back from the catalog (sqlite_master and its pragmas, or PostgreSQL's
 * information_schema and pg_catalog) and compared. A model change without its migration in
 * prisma/migrations and prisma/postgresql/migrations fails here.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCHEMAS: Record<DbProvider, string> = { sqlite: "prisma/schema.prisma", postgresql: "prisma/postgresql/schema.prisma" };
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Prisma's DDL for the whole model. The CLI connects to `url` (driver adapter config) but changes nothing there. */
function modelDdl(dialect: DbProvider, url: string): string {
  return execFileSync(
    path.join(ROOT, "node_modules", ".bin", "prisma"),
    ["migrate", "diff", "--from-empty", "--to-schema-datamodel", SCHEMAS[dialect], "--script"],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      encoding: "utf8",
      stdio: "pipe",
    },
  );
}

type Catalog = Record<string, unknown>[];
const plain = (rows: Record<string, unknown>[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));

const SQLITE_CATALOG = [
  `SELECT m.name AS "table", p.name, p.type, p."notnull", p.dflt_value, p.pk FROM sqlite_master m, pragma_table_info(m.name) p
   WHERE m.type = 'table' AND m.name NOT IN ('_prisma_migrations') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1, 2`,
  `SELECT m.name AS "table", l.name AS "index", l."unique", l.origin, group_concat(i.name, ',') AS columns
   FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i
   WHERE m.type = 'table' AND m.name NOT IN ('_prisma_migrations') GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
  `SELECT m.name AS "table", f."table" AS "references", f."from", f."to", f.on_update, f.on_delete
   FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1, 2, 3`,
];

/**
 * Tables the model does not own: Prisma's history. The PostgreSQL-only migrations' triggers and functions
 * are not read by this catalog either (prisma/postgresql/migrations may hold what has no place in the model).
 */
const NOT_IN_MODEL = "('_prisma_migrations')";

const POSTGRES_CATALOG = [
  `SELECT table_name AS "table", column_name AS name, data_type, datetime_precision, is_nullable, column_default
   FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ${NOT_IN_MODEL} ORDER BY 1, 2`,
  `SELECT tablename AS "table", indexname AS "index", indexdef FROM pg_indexes
   WHERE schemaname = 'public' AND tablename NOT IN ${NOT_IN_MODEL} ORDER BY 1, 2`,
  `SELECT conrelid::regclass::text AS "table", conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
   WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ${NOT_IN_MODEL} ORDER BY 1, 2`,
];

async function sqliteCatalog(url: string, script?: string): Promise<Catalog[]> {
  const connection = await new PrismaBetterSQLite3({ url }).connect();
  try {
    if (script) await connection.executeScript(script);
    const out: Catalog[] = [];
    for (const sql of SQLITE_CATALOG) {
      const result = await connection.queryRaw({ sql, args: [], argTypes: [] });
      out.push(plain(result.rows.map((row) => Object.fromEntries(result.columnNames.map((column, i) => [column, row[i]])))));
    }
    return out;
  } finally {
    await connection.dispose();
  }
}

async function postgresCatalog(url: string, script?: string): Promise<Catalog[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (script) await client.query(script);
    const out: Catalog[] = [];
    for (const sql of POSTGRES_CATALOG) out.push(plain((await client.query(sql)).rows));
    return out;
  } finally {
    await client.end();
  }
}

async function emptyDatabase(dialect: DbProvider): Promise<string> {
  if (dialect === "postgresql") {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    return database.url;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-drift-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return `file:${path.join(dir, "model.db")}`;
}

describe.each(TEST_DIALECTS)("the %s migration history", (dialect) => {
  it("gives the tables, columns, indexes and constraints of the model", async () => {
    const migrated = await createTestDb(dialect);
    cleanups.push(() => migrated.close());
    await migrated.db.$disconnect();
    const fromModel = await emptyDatabase(dialect);
    const ddl = modelDdl(dialect, fromModel);
    const catalog = dialect === "sqlite" ? sqliteCatalog : postgresCatalog;

    const [fromHistory, expected] = [await catalog(migrated.url), await catalog(fromModel, ddl)];
    expect(expected[0].length).toBeGreaterThan(40); // the model's columns were read, not an empty database
    expect(fromHistory).toEqual(expected);
  }, 60_000);
});

describe("the PostgreSQL twin of the model", () => {
  it("is prisma/schema.prisma with only the provider and the client folder swapped (run scripts/gen-pg-schema.mjs)", () => {
    const source = fs.readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8");
    expect(fs.readFileSync(path.join(ROOT, "prisma", "postgresql", "schema.prisma"), "utf8")).toBe(postgresTwin(source));
  });

  it("generates the same model types in both clients (openDb types the PostgreSQL client as the SQLite one)", () => {
    expectTypeOf<Postgres.Session>().toEqualTypeOf<Sqlite.Session>();
    expectTypeOf<Postgres.SessionMetadata>().toEqualTypeOf<Sqlite.SessionMetadata>();
    expectTypeOf<Postgres.SessionHistory>().toEqualTypeOf<Sqlite.SessionHistory>();
    expectTypeOf<Postgres.WebhookEvent>().toEqualTypeOf<Sqlite.WebhookEvent>();
    expectTypeOf<Postgres.WebhookDelivery>().toEqualTypeOf<Sqlite.WebhookDelivery>();
    expectTypeOf<Postgres.WebhookAttempt>().toEqualTypeOf<Sqlite.WebhookAttempt>();
  });
});
