import { Prisma } from "@/generated/prisma/client";
import type { Db } from "../db";

/**
 * The one module that reads and writes `Worker` rows (cluster mode, PostgreSQL only). Every lease time
 * is the database's clock (`DB_NOW`), never a worker's: wall clocks of different machines may disagree.
 * Timestamps are stored as UTC, as Prisma stores them.
 */

export const DB_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
const after = (ms: number) => Prisma.sql`(${DB_NOW} + ${ms}::double precision * interval '1 millisecond')`;

export type TWorkerState = "alive" | "draining" | "gone";

export interface WorkerView {
  id: string;
  url: string;
  state: TWorkerState;
  /** Sessions it owns now. */
  sessions: number;
  capacity: number | null;
  leaseUntil: Date;
  /** How long its lease still runs, by the database's clock, when this was read (0 once lapsed). */
  leaseLeftMs: number;
  heartbeatAt: Date;
  startedAt: Date;
}

export interface WorkerIdentity {
  id: string;
  incarnation: string;
}

/**
 * Takes the id for this process, or returns false while a live process holds it (its lease has not
 * lapsed). A restarted worker is a new incarnation: nothing the old one owned counts as its own.
 */
export async function registerWorker(
  db: Db,
  worker: WorkerIdentity & { url: string; capacity: number | null; settings: Record<string, string>; leaseMs: number },
): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "Worker" ("id", "incarnation", "url", "capacity", "draining", "settings", "leaseUntil", "heartbeatAt", "startedAt")
    VALUES (${worker.id}, ${worker.incarnation}, ${worker.url}, ${worker.capacity}, false, ${JSON.stringify(worker.settings)},
            ${after(worker.leaseMs)}, ${DB_NOW}, ${DB_NOW})
    ON CONFLICT ("id") DO UPDATE SET "incarnation" = EXCLUDED."incarnation", "url" = EXCLUDED."url", "capacity" = EXCLUDED."capacity",
      "draining" = false, "settings" = EXCLUDED."settings", "leaseUntil" = EXCLUDED."leaseUntil",
      "heartbeatAt" = EXCLUDED."heartbeatAt", "startedAt" = EXCLUDED."startedAt"
    WHERE "Worker"."leaseUntil" <= ${DB_NOW}
    RETURNING "id"`;
  return rows.length === 1;
}

/** When the holder of `id` last renewed its lease, and whether the lease still runs (null: no such worker). */
export async function leaseOf(db: Db, id: string): Promise<{ heartbeatAt: Date; live: boolean; leftMs: number } | null> {
  const rows = await db.$queryRaw<{ heartbeatAt: Date; live: boolean; leftMs: number }[]>`
    SELECT "heartbeatAt", "leaseUntil" > ${DB_NOW} AS "live",
      GREATEST(EXTRACT(EPOCH FROM ("leaseUntil" - ${DB_NOW})) * 1000, 0)::double precision AS "leftMs"
    FROM "Worker" WHERE "id" = ${id}`;
  return rows[0] ?? null;
}

/**
 * Extends a running lease; never revives a lapsed one (peers may already have taken its sessions), so
 * false means this incarnation is over.
 */
export async function renewLease(db: Db, worker: WorkerIdentity & { leaseMs: number }): Promise<{ renewed: boolean }> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Worker" SET "leaseUntil" = ${after(worker.leaseMs)}, "heartbeatAt" = ${DB_NOW}
    WHERE "id" = ${worker.id} AND "incarnation" = ${worker.incarnation} AND "leaseUntil" > ${DB_NOW}
    RETURNING "id"`;
  return { renewed: rows.length === 1 };
}

export async function markDraining(db: Db, worker: WorkerIdentity): Promise<void> {
  await db.$executeRaw`UPDATE "Worker" SET "draining" = true WHERE "id" = ${worker.id} AND "incarnation" = ${worker.incarnation}`;
}

/** Ends the lease now (a clean shutdown): peers adopt what is left without waiting for it to lapse. */
export async function endLease(db: Db, worker: WorkerIdentity): Promise<void> {
  await db.$executeRaw`
    UPDATE "Worker" SET "leaseUntil" = ${DB_NOW}, "draining" = true WHERE "id" = ${worker.id} AND "incarnation" = ${worker.incarnation}`;
}

/** Every worker ever registered, with its state as the database clock sees it now. */
export async function listWorkers(db: Db): Promise<WorkerView[]> {
  const rows = await db.$queryRaw<(Omit<WorkerView, "state"> & { live: boolean; draining: boolean })[]>`
    SELECT w."id", w."url", w."capacity", w."draining", w."leaseUntil", w."heartbeatAt", w."startedAt", w."leaseUntil" > ${DB_NOW} AS "live",
      GREATEST(EXTRACT(EPOCH FROM (w."leaseUntil" - ${DB_NOW})) * 1000, 0)::double precision AS "leaseLeftMs",
      (SELECT count(*) FROM "SessionOwner" o WHERE o."workerId" = w."id" AND o."incarnation" = w."incarnation")::int AS "sessions"
    FROM "Worker" w ORDER BY w."id"`;
  return rows.map(({ live, draining, ...row }) => ({ ...row, state: !live ? "gone" : draining ? "draining" : "alive" }));
}

/** The shared-settings hashes of every live worker but `exceptId`. */
export async function liveWorkerSettings(db: Db, exceptId: string): Promise<{ id: string; settings: Record<string, string> }[]> {
  const rows = await db.$queryRaw<{ id: string; settings: string }[]>`
    SELECT "id", "settings" FROM "Worker" WHERE "leaseUntil" > ${DB_NOW} AND "id" <> ${exceptId}`;
  return rows.map((row) => ({ id: row.id, settings: parseSettings(row.settings) }));
}

function parseSettings(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
