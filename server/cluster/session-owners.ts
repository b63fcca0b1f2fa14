import { Prisma } from "@/generated/prisma/client";
import type { TSessionResources } from "@/lib/session";
import type { TSessionStatus } from "@/lib/session-status";
import { queryPostgres, type Db } from "../db";
import type { OwnedStatus } from "../sessions/context";
import { DB_NOW, type WorkerIdentity } from "./workers";

/**
 * The one module that reads and writes `SessionOwner` rows (cluster mode, PostgreSQL only): who runs each
 * session, its fencing epoch, and the status its owner reports. An owner is live while its worker's
 * incarnation holds a lease (database clock). Claims and releases are compare-and-swap on the epoch, and
 * an owner's writes name the epoch it claimed, so a stale owner's write matches no row.
 */

/** An owner is live: its worker's lease runs and the incarnation that claimed is the one holding it. */
const liveOwner = (owner: Prisma.Sql) => Prisma.sql`EXISTS (SELECT 1 FROM "Worker" w WHERE w."id" = ${owner}."workerId"
  AND w."incarnation" = ${owner}."incarnation" AND w."leaseUntil" > ${DB_NOW})`;

export interface SessionRoute {
  /** The desired state: the operator wants it running. */
  running: boolean;
  /** The live owner and how long its lease still runs, or null while nobody runs it (stopped, or failing over). */
  owner: { workerId: string; url: string; epoch: number; leaseLeftMs: number } | null;
  /** While failing over: how long the dead owner's lease still runs. */
  leaseLeftMs: number;
}

/** Where commands for `name` run; null when there is no such session. */
export async function routeOf(db: Db, name: string): Promise<SessionRoute | null> {
  const rows = await db.$queryRaw<
    { running: boolean; workerId: string | null; epoch: number | null; url: string | null; live: boolean; leftMs: number | null }[]
  >`
    SELECT s."running", o."workerId", o."epoch", w."url",
      COALESCE(w."leaseUntil" > ${DB_NOW} AND w."incarnation" = o."incarnation", false) AS "live",
      GREATEST(EXTRACT(EPOCH FROM (w."leaseUntil" - ${DB_NOW})) * 1000, 0)::double precision AS "leftMs"
    FROM "Session" s
    LEFT JOIN "SessionOwner" o ON o."sessionName" = s."name"
    LEFT JOIN "Worker" w ON w."id" = o."workerId"
    WHERE s."name" = ${name}`;
  const row = rows[0];
  if (!row) return null;
  const owner =
    row.live && row.workerId && row.url
      ? { workerId: row.workerId, url: row.url, epoch: row.epoch ?? 0, leaseLeftMs: row.leftMs ?? 0 }
      : null;
  return { running: row.running, owner, leaseLeftMs: owner ? 0 : (row.leftMs ?? 0) };
}

interface OwnedRow {
  sessionName: string;
  workerId: string;
  status: TSessionStatus;
  memoryRss: number | null;
  memoryPss: number | null;
  cpu: number | null;
  processes: number | null;
  sampledAt: number | null;
}

/** The owner, its status and its figures while they count (only a live owner's rows are read). */
const OWNED_COLUMNS = Prisma.sql`o."sessionName", o."workerId", o."status",
  o."memoryRss"::double precision AS "memoryRss", o."memoryPss"::double precision AS "memoryPss", o."cpu", o."processes",
  (EXTRACT(EPOCH FROM o."sampledAt") * 1000)::double precision AS "sampledAt",
  COALESCE(o."resourcesUntil" > ${DB_NOW}, false) AS "fresh"`;

function toOwnedStatus(row: OwnedRow & { fresh: boolean }): OwnedStatus {
  const resources: TSessionResources | null =
    row.fresh && row.memoryRss !== null && row.memoryPss !== null && row.sampledAt !== null
      ? {
          memory: { rss: row.memoryRss, pss: row.memoryPss },
          cpu: row.cpu === null ? null : Math.round(row.cpu * 10) / 10,
          processes: row.processes ?? 0,
          sampledAt: Math.round(row.sampledAt),
        }
      : null;
  return { workerId: row.workerId, status: row.status, resources };
}

/** The live owner, reported status and figures of each of `names` that has one. */
export async function ownedStatusesOf(db: Db, names: readonly string[]): Promise<Map<string, OwnedStatus>> {
  if (names.length === 0) return new Map();
  // Every page of GET /api/sessions asks this: on the pool, past Prisma's query compiler, the names bound
  // as one array (queryPostgres; a page of 100 cost Prisma's client more CPU than the rest of the request).
  const rows = await queryPostgres<OwnedRow & { fresh: boolean }>(
    db,
    Prisma.sql`SELECT ${OWNED_COLUMNS} FROM "SessionOwner" o
    WHERE o."sessionName" = ANY(${[...names]}::text[]) AND ${liveOwner(Prisma.sql`o`)}`,
  );
  return new Map(rows.map((row) => [row.sessionName, toOwnedStatus(row)]));
}

/** Every session with a live owner, its status and figures: the cluster's "running" set. */
export async function allOwnedStatuses(db: Db): Promise<Map<string, OwnedStatus>> {
  const rows = await queryPostgres<OwnedRow & { fresh: boolean }>(
    db,
    Prisma.sql`SELECT ${OWNED_COLUMNS} FROM "SessionOwner" o
    WHERE o."workerId" IS NOT NULL AND ${liveOwner(Prisma.sql`o`)}`,
  );
  return new Map(rows.map((row) => [row.sessionName, toOwnedStatus(row)]));
}

/**
 * Takes `name` for `me` unless a live worker owns it, and only while `me`'s own lease has `marginMs` to
 * run and it is not draining. Returns the new epoch, or null when another worker won or owns it.
 */
export async function claimSession(db: Db, name: string, me: WorkerIdentity, marginMs: number): Promise<number | null> {
  return (await claimSessions(db, [name], me, marginMs)).get(name) ?? null;
}

/**
 * claimSession for many sessions in two statements (a failover claims hundreds at once): returns the
 * new epoch of each session won; the others stay with whoever owns them.
 */
export async function claimSessions(db: Db, names: readonly string[], me: WorkerIdentity, marginMs: number): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const list = Prisma.join(names);
  await db.$executeRaw`INSERT INTO "SessionOwner" ("sessionName") SELECT "name" FROM "Session" WHERE "name" IN (${list}) ON CONFLICT DO NOTHING`;
  const rows = await db.$queryRaw<{ sessionName: string; epoch: number }[]>`
    UPDATE "SessionOwner" o SET "workerId" = ${me.id}, "incarnation" = ${me.incarnation}, "epoch" = o."epoch" + 1,
      "claimedAt" = ${DB_NOW}, "status" = 'STARTING', "statusAt" = ${DB_NOW}, "resourcesUntil" = NULL
    WHERE o."sessionName" IN (${list}) AND NOT ${liveOwner(Prisma.sql`o`)}
      AND EXISTS (SELECT 1 FROM "Worker" m WHERE m."id" = ${me.id} AND m."incarnation" = ${me.incarnation} AND NOT m."draining"
        AND m."leaseUntil" > ${DB_NOW} + ${marginMs}::double precision * interval '1 millisecond')
    RETURNING o."sessionName", o."epoch"`;
  return new Map(rows.map((row) => [row.sessionName, row.epoch]));
}

/** Gives `name` up (stopped, drained): nobody owns it, and the epoch moves on. False when `me` no longer held it. */
export async function releaseSession(db: Db, name: string, me: WorkerIdentity, epoch: number, status: TSessionStatus): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "SessionOwner" SET "workerId" = NULL, "incarnation" = NULL, "epoch" = "epoch" + 1, "status" = ${status}, "statusAt" = ${DB_NOW},
      "resourcesUntil" = NULL
    WHERE "sessionName" = ${name} AND "epoch" = ${epoch} AND "workerId" = ${me.id} AND "incarnation" = ${me.incarnation}`;
  return count === 1;
}

/** The owner's status report, fenced: false when `me` no longer owns `name` at `epoch`. */
export async function reportStatus(db: Db, name: string, me: WorkerIdentity, epoch: number, status: TSessionStatus): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "SessionOwner" SET "status" = ${status}, "statusAt" = ${DB_NOW}
    WHERE "sessionName" = ${name} AND "epoch" = ${epoch} AND "workerId" = ${me.id} AND "incarnation" = ${me.incarnation}`;
  return count === 1;
}

/** One owned session's figures for reportResources: null while it has no browser (or none was read). */
export interface OwnedResources {
  name: string;
  epoch: number;
  sample: { rssBytes: number; pssBytes: number; cpuPercent: number | null; processes: number; timestamp: number } | null;
}

/**
 * The owner's figures of its sessions, one statement for all of them, fenced like the status reports: only
 * rows `me` owns at the epoch named are written. They count for `validMs` (database clock), after which
 * readers show none; a session whose owner dies shows none at once (its row is not a live owner's), and a
 * claim or a release drops them (they were of the last owner's browser).
 * Returns how many rows were written. The sb_owner trigger does not fire on these columns.
 */
export async function reportResources(db: Db, me: WorkerIdentity, sessions: readonly OwnedResources[], validMs: number): Promise<number> {
  if (sessions.length === 0) return 0;
  const values = sessions.map(
    ({ name, epoch, sample }) =>
      Prisma.sql`(${name}, ${epoch}::int, ${sample?.rssBytes ?? null}::bigint, ${sample?.pssBytes ?? null}::bigint,
        ${sample?.cpuPercent ?? null}::double precision, ${sample?.processes ?? null}::int,
        ${sample ? new Date(sample.timestamp) : null}::timestamptz)`,
  );
  return db.$executeRaw`
    UPDATE "SessionOwner" o SET "memoryRss" = v.rss, "memoryPss" = v.pss, "cpu" = v.cpu, "processes" = v.processes,
      "sampledAt" = v.sampled AT TIME ZONE 'UTC',
      "resourcesUntil" = ${DB_NOW} + ${validMs}::double precision * interval '1 millisecond'
    FROM (VALUES ${Prisma.join(values)}) AS v(name, epoch, rss, pss, cpu, processes, sampled)
    WHERE o."sessionName" = v.name AND o."epoch" = v.epoch AND o."workerId" = ${me.id} AND o."incarnation" = ${me.incarnation}`;
}

/** The sessions `me` owns, with their epochs: what the database says this process may run. */
export async function ownedBy(db: Db, me: WorkerIdentity, names?: readonly string[]): Promise<Map<string, number>> {
  const only = names ? Prisma.sql`AND "sessionName" = ANY(${[...names]}::text[])` : Prisma.empty;
  const rows = await db.$queryRaw<{ sessionName: string; epoch: number }[]>`
    SELECT "sessionName", "epoch" FROM "SessionOwner" WHERE "workerId" = ${me.id} AND "incarnation" = ${me.incarnation} ${only}`;
  return new Map(rows.map((row) => [row.sessionName, row.epoch]));
}

export interface Orphan {
  name: string;
  /** The worker that ran it last (a dead owner, or the one that released it), if known. */
  lastWorker: string | null;
}

/** Sessions that should run and have no live owner: what a sweep places. */
export async function findOrphans(db: Db, limit = 1000): Promise<Orphan[]> {
  return db.$queryRaw<Orphan[]>`
    SELECT s."name", COALESCE(o."workerId", s."worker") AS "lastWorker"
    FROM "Session" s LEFT JOIN "SessionOwner" o ON o."sessionName" = s."name"
    WHERE s."running" AND (o."sessionName" IS NULL OR NOT ${liveOwner(Prisma.sql`o`)})
    ORDER BY s."name" LIMIT ${limit}`;
}
