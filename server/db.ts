import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "@/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/generated/prisma-postgresql/client";
import { dbProvider } from "./db-url";
import { ReadCache } from "./read-cache";
import { remember } from "./remember";

export type Db = ReturnType<typeof openDb>;

/** PostgreSQL: how long a query waits for a pooled connection (a new one, or one of the pool's ten freed). */
const CONNECTION_WAIT_MS = 15_000;
/**
 * PostgreSQL: how long a pooled connection may sit idle before it is closed. node-postgres closes them after
 * 10 s by default, so a worker whose load comes in bursts opened and closed connections all the time: each a
 * new server process and its first queries paid for again, the latency of whichever query waited for it.
 */
const IDLE_CONNECTION_MS = 10 * 60_000;

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
 * client drops it, before and after the write, so no caller can forget to. `db.$keyReads()` holds the API keys
 * (keys/api-key-rows.ts), dropped the same way by every write to ApiKey, and to Session (a deleted session's
 * keys go with it).
 */
export function openDb(url: string) {
  const sessionReads = new ReadCache();
  const keyReads = new ReadCache();
  const dropping =
    (...caches: ReadCache[]) =>
    async ({ operation, args, query }: { operation: string; args: unknown; query: (args: unknown) => Promise<unknown> }) => {
      if (!WRITES.has(operation)) return query(args);
      for (const cache of caches) cache.invalidate();
      try {
        return await query(args);
      } finally {
        for (const cache of caches) cache.invalidate();
      }
    };
  // Both clients come from one model (scripts/gen-pg-schema.mjs), so their model types are the same; the
  // PostgreSQL one is typed as the SQLite one here, the one place the two meet (server/db-schema.test.ts checks it).
  const provider = dbProvider(url);
  // PostgreSQL: the client's pool is ours, so the outbox's hot paths can use it directly (queryPostgres).
  // $disconnect() ends it once the client has connected; an idle connection's error (a database restart)
  // only drops that connection, and idle connections never hold the process open. A connection that
  // cannot be had within CONNECTION_WAIT_MS fails its query (node-postgres would wait forever), so a
  // database that does not answer shows as errors in the log, not as a worker that silently hangs.
  const pool =
    provider === "postgresql"
      ? new pg.Pool({
          connectionString: url,
          allowExitOnIdle: true,
          keepAlive: true,
          connectionTimeoutMillis: CONNECTION_WAIT_MS,
          idleTimeoutMillis: IDLE_CONNECTION_MS,
        })
      : null;
  pool?.on("error", () => undefined);
  const client =
    provider === "sqlite"
      ? new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) })
      : (new PostgresPrismaClient({ adapter: new PrismaPg(pool!, { disposeExternalPool: true }) }) as unknown as PrismaClient);
  return client.$extends({
    client: { $sessionReads: () => sessionReads, $keyReads: () => keyReads, $provider: () => provider, $pgPool: () => pool },
    query: {
      session: { $allOperations: dropping(sessionReads, keyReads) },
      sessionMetadata: { $allOperations: dropping(sessionReads) },
      apiKey: { $allOperations: dropping(keyReads) },
    },
  });
}

/** Opens the database once per process. */
export function connectDb(url: string): Db {
  return remember("db", () => openDb(url));
}

/** PostgreSQL's `timestamp` (without time zone), in which Prisma stores DateTime as UTC. */
const TIMESTAMP_OID = 1114;

function toPostgresValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return Array.isArray(value) ? value.map(toPostgresValue) : value;
}

/**
 * PostgreSQL only: runs `query` (a `Prisma.sql` template) on the client's own pool, past the client.
 * Prisma's raw queries cost its client a few microseconds per bound value and per kilobyte (every query
 * and its values pass through its query compiler): writing a batch of outbox rows cost 120 µs of CPU
 * per delivery that way, 16 µs this way. Used only for hot paths that touch no table the read cache
 * covers: the webhook outbox's, and the owners' statuses and the delivery-trouble counts read for every
 * page of sessions. Dates go in and come out as Prisma stores them: UTC in `timestamp(3)` (an ISO
 * string's `Z` is ignored by a `timestamp` column; node-postgres alone would use local time).
 */
export async function queryPostgres<T>(db: Db, query: Prisma.Sql): Promise<T[]> {
  const pool = db.$pgPool();
  if (!pool) throw new Error("queryPostgres needs a PostgreSQL database");
  const result = await pool.query({
    text: query.text,
    values: query.values.map(toPostgresValue),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === TIMESTAMP_OID
          ? (text: string) => new Date(`${text.replace(" ", "T")}Z`)
          : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  return result.rows as T[];
}
