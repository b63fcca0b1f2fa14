import { ulidFactory } from "@/lib/ulid";
import type { TSessionHistoryEntry, TSessionHistoryQuery } from "@/lib/session-health";
import type { TSessionStatus } from "@/lib/session-status";
import type { Db } from "../db";

/**
 * The one module that reads and writes `SessionHistory` rows: each session's status changes with
 * their reasons, kept across server restarts, the newest `keep` per session. Rows go with their
 * session (foreign key, ON DELETE CASCADE); a change of a session that no longer exists is not stored.
 */

const ulid = ulidFactory();

export type NewHistoryEntry = Omit<TSessionHistoryEntry, "id" | "count" | "lastTimestamp"> & { session: string };

/** Stores one change and prunes the session's rows beyond `keep`. Its id; null when the session no longer exists. */
export async function appendHistory(db: Db, entry: NewHistoryEntry, keep: number): Promise<string | null> {
  const id = `hst_${ulid().toLowerCase()}`;
  try {
    await db.sessionHistory.create({
      data: {
        id,
        sessionName: entry.session,
        timestamp: new Date(entry.timestamp),
        status: entry.status,
        reason: entry.reason,
        failures: entry.failures,
        disconnect: entry.disconnect,
      },
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) return null;
    throw error;
  }
  // Everything older than the keep-th newest row; the (sessionName, id) index serves both parts.
  await db.$executeRaw`
    DELETE FROM "SessionHistory" WHERE "sessionName" = ${entry.session} AND "id" < (
      SELECT "id" FROM "SessionHistory" WHERE "sessionName" = ${entry.session} ORDER BY "id" DESC LIMIT 1 OFFSET ${keep - 1})`;
  return id;
}

/**
 * A QR refresh, counted in the SCAN_QR_CODE row `id` it repeats (lib/session-status.ts, `foldStatusChange`)
 * instead of a row of its own, so refreshes never prune a real transition. Nothing when that row is gone.
 */
export async function foldQrRefresh(db: Db, id: string, timestamp: number): Promise<void> {
  await db.sessionHistory.updateMany({ where: { id }, data: { count: { increment: 1 }, lastTimestamp: new Date(timestamp) } });
}

/** Newest first; `before` pages on from the last id of the previous page. */
export async function listHistory(db: Db, session: string, query: TSessionHistoryQuery): Promise<TSessionHistoryEntry[]> {
  const rows = await db.sessionHistory.findMany({
    where: { sessionName: session, ...(query.before === undefined ? {} : { id: { lt: query.before } }) },
    orderBy: { id: "desc" },
    take: query.limit,
  });
  return rows.map((row) => ({
    id: row.id,
    timestamp: row.timestamp.getTime(),
    status: row.status as TSessionStatus,
    reason: row.reason,
    failures: row.failures,
    disconnect: row.disconnect,
    ...(row.count > 1 && row.lastTimestamp && { count: row.count, lastTimestamp: row.lastTimestamp.getTime() }),
  }));
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2003";
}
