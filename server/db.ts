import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
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
 * A Prisma client on `url` (a Prisma URL such as `file:/data/switchboard.db`). `db.$sessionReads()`
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
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) }).$extends({
    client: { $sessionReads: () => sessionReads },
    query: { session: { $allOperations: dropOnWrite }, sessionMetadata: { $allOperations: dropOnWrite } },
  });
}

/** Opens the database once per process. */
export function connectDb(url: string): Db {
  return remember("db", () => openDb(url));
}
