import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/generated/prisma-postgresql/client";
import { dbProvider } from "./db-url";
import { ReadCache } from "./read-cache";
import { remember } from "./remember";

export type Db = ReturnType<typeof openDb>;

const WRITES = new Set([
  "create",
  "createMany",
  "createManyAndReturn",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "upsert",
  "delete",
  "deleteMany",
]);

/**
 * A Prisma client on `url`: `file:/data/switchboard.db` (SQLite, the embedded default) or
 * `postgresql://user:pass@host/db` (PostgreSQL, the client generated from prisma/postgresql/schema.prisma). `db.$sessionReads()`
 * caches stored sessions (sessions/session-repository.ts); every write to Session or SessionMetadata through this
 * client drops it, before and after the write, so no caller can forget to.
 */
export function openDb(url: string) {
  const sessionReads = new ReadCache();
  const dropOnWrite = async ({
    operation,
    args,
    query,
  }: {
    operation: string;
    args: unknown;
    query: (args: unknown) => Promise<unknown>;
  }) => {
    if (!WRITES.has(operation)) return query(args);
    sessionReads.invalidate();
    try {
      return await query(args);
    } finally {
      sessionReads.invalidate();
    }
  };
  // Both clients come from one model (scripts/gen-pg-schema.mjs), so their model types are the same; the
  // PostgreSQL one is typed as the SQLite one here, the one place the two meet (server/db-schema.test.ts checks it).
  const provider = dbProvider(url);
  const client =
    provider === "sqlite"
      ? new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) })
      : (new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as PrismaClient);
  return client.$extends({
    client: { $sessionReads: () => sessionReads, $provider: () => provider },
    query: { session: { $allOperations: dropOnWrite }, sessionMetadata: { $allOperations: dropOnWrite } },
  });
}

/** Opens the database once per process. */
export function connectDb(url: string): Db {
  return remember("db", () => openDb(url));
}
