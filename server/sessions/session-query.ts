import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { TSessionListQuery } from "@/lib/session";
import type { Db } from "../db";
import { toStoredSession, type StoredSession } from "./session-store";

/**
 * The two hot reads (one session, also cached in memory; a filtered, paginated list) as SQL. Prisma's query compiler costs
 * ~0.4 ms a query here against ~0.07 ms for the same SQL, and these run on every GET. Prisma.sql keeps
 * the placeholders portable (SQLite now, PostgreSQL later); writes stay on the Prisma client API.
 */

type Row = {
  name: string;
  config: string;
  running: boolean | number;
  meId: string | null;
  mePushName: string | null;
  worker: string | null;
  lastActivityAt: Date | string | number | null;
  total?: bigint | number;
};

const COLUMNS = Prisma.sql`s."name", s."config", s."running", s."meId", s."mePushName", s."worker", s."lastActivityAt"`;
const NO_LIMIT = 2_147_483_647;

/** One stored session, from memory when no write happened since it was last read (db.ts). Frozen: do not modify. */
export async function findStoredSession(db: Db, name: string): Promise<StoredSession | null> {
  return db.$sessionReads().read(name, async () => {
    const rows = await db.$queryRaw<Row[]>`SELECT ${COLUMNS} FROM "Session" s WHERE s."name" = ${name}`;
    return rows.length ? fromRow(rows[0]) : null;
  });
}

export async function getStoredSessionOrThrow(db: Db, name: string): Promise<StoredSession> {
  const stored = await findStoredSession(db, name);
  if (!stored) throw new AppError("session_not_found", `Session '${name}' not found`);
  return stored;
}

export interface SessionFilter {
  /** Only these names (live statuses come from the EngineHost, not the database). */
  names?: { in: string[] } | { notIn: string[] };
  metadata?: TSessionListQuery["metadata"];
  q?: string;
  limit?: number;
  offset: number;
}

export async function selectStoredSessions(db: Db, filter: SessionFilter): Promise<{ items: StoredSession[]; total: number }> {
  const where = Prisma.join(conditions(filter), " AND ");
  const rows = await db.$queryRaw<Row[]>`
    SELECT ${COLUMNS}, COUNT(*) OVER () AS "total" FROM "Session" s
    WHERE ${where}
    ORDER BY s."name"
    LIMIT ${filter.limit ?? NO_LIMIT} OFFSET ${filter.offset}`;
  if (rows.length) return { items: rows.map(fromRow), total: Number(rows[0].total) };
  if (filter.offset === 0) return { items: [], total: 0 };
  // A page past the end has no row to carry the total.
  const [count] = await db.$queryRaw<{ total: bigint | number }[]>`SELECT COUNT(*) AS "total" FROM "Session" s WHERE ${where}`;
  return { items: [], total: Number(count.total) };
}

function conditions(filter: SessionFilter): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [Prisma.sql`1 = 1`];
  if (filter.names && "in" in filter.names) {
    parts.push(filter.names.in.length ? Prisma.sql`s."name" IN (${Prisma.join(filter.names.in)})` : Prisma.sql`1 = 0`);
  }
  if (filter.names && "notIn" in filter.names && filter.names.notIn.length) {
    parts.push(Prisma.sql`s."name" NOT IN (${Prisma.join(filter.names.notIn)})`);
  }
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM "SessionMetadata" m
      WHERE m."sessionName" = s."name" AND m."key" = ${key} AND m."value" = ${value})`);
  }
  const text = filter.q?.trim();
  if (text) {
    // LOWER(...) LIKE: case-insensitive on SQLite and PostgreSQL alike; \ escapes the user's % and _.
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (column: Prisma.Sql) => Prisma.sql`LOWER(${column}) LIKE ${pattern} ESCAPE '\\'`;
    parts.push(Prisma.sql`(${like(Prisma.sql`s."name"`)} OR ${like(Prisma.sql`s."meId"`)} OR ${like(Prisma.sql`s."mePushName"`)}
      OR EXISTS (SELECT 1 FROM "SessionMetadata" m WHERE m."sessionName" = s."name" AND ${like(Prisma.sql`m."value"`)}))`);
  }
  return parts;
}

function fromRow(row: Row): StoredSession {
  return toStoredSession({
    ...row,
    running: Boolean(row.running),
    lastActivityAt: row.lastActivityAt === null ? null : new Date(row.lastActivityAt),
  });
}
