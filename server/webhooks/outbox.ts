import { ulidFactory } from "@/lib/ulid";
import { Prisma, type WebhookAttempt, type WebhookDelivery } from "@/generated/prisma/client";
import type { TWebhookConfig } from "@/lib/session-config";
import type { TAttemptOutcome, TDeliveryState, TWebhookAttempt, TWebhookDelivery } from "@/lib/webhook-delivery";
// DB_NOW: leases are judged on the database's clock, in UTC as Prisma stores DateTime (server/cluster/workers.ts).
import { DB_NOW } from "@/server/cluster/workers";
import { queryPostgres, type Db } from "@/server/db";
import { resolveRetrySettings } from "./retry-policy";

/**
 * Every query on the webhook tables: the outbox (WebhookEvent + WebhookDelivery), the dispatcher's
 * claims and results, the delivery log (WebhookAttempt) and pruning. Batched: one transaction per
 * batch of events or results, never one query per delivery on the hot path.
 *
 * The three hot paths (writing the outbox, claiming, recording results) use SQL through Prisma's
 * tagged `$executeRaw`/`$queryRaw` (placeholders and Date values are bound by the adapter, identifiers
 * are quoted): Prisma 6's createMany/updateMany cost 4-5x more per row here, which alone would cap
 * delivery below 2,000/s. On PostgreSQL each of them is ONE statement (arrays bound as parameters and
 * expanded by `unnest`, data-modifying CTEs) run on its own, without BEGIN/COMMIT (a statement is atomic,
 * and every round trip to a server costs what a whole SQLite statement costs), on the pool under the
 * client (queryPostgres in server/db.ts: Prisma's raw queries cost several times their work in CPU
 * there). Everything else uses the client API.
 *
 * Cluster mode (PostgreSQL, docs/cluster.md): each row belongs to the worker in its `worker` column.
 * Result writes and releases change a row only while it is still this worker's and `in_flight` (a row
 * adopted meanwhile by another worker keeps its new owner's state), and adoption moves the rows of
 * workers without a live lease (the `Worker` table, read here, never written) to a live one.
 */

/** A webhook an event goes to: config.webhooks[index] of the session, or the global one from env. */
export interface TWebhookTarget {
  source: "session" | "global";
  index: number | null;
  config: TWebhookConfig;
}

/**
 * The fields of an event envelope the outbox stores in columns. Structural, so that the outbox does
 * not depend on the publisher (server/events imports server/webhooks, never the other way round).
 */
export interface TOutboxEnvelope {
  id: string;
  timestamp: number;
  event: string;
  session: string;
}

/** What the publisher hands over: an envelope, its exact bytes and the webhooks that want it. */
export interface TOutboxEntry {
  envelope: TOutboxEnvelope;
  body: string;
  targets: TWebhookTarget[];
  /** The W3C traceparent of the request that caused the event, sent with each of its deliveries. */
  traceparent?: string;
}

/**
 * What a delivery's request is built from, frozen when the event was emitted: the part of a WebhookConfig
 * it needs, and the trace of the request that caused it (so a retry or a redelivery sends the same one).
 */
export type TWebhookSnapshot = Pick<TWebhookConfig, "url" | "hmac" | "retries" | "customHeaders"> & { traceparent?: string };

export type TDeliveryRow = WebhookDelivery;
export type TDueDeliveryRow = WebhookDelivery & { envelope: { body: string; timestamp: Date } };

const ulid = ulidFactory();

/**
 * Runs one write as a transaction of its own. SQLite: a (batch) transaction, because with the
 * better-sqlite3 adapter every query shares one connection and only transactions take the adapter's
 * lock: a bare write issued while another caller's interactive transaction is open runs inside it and
 * is lost if that transaction rolls back. PostgreSQL: the statement alone, which is its own transaction
 * on a pooled connection (a batch transaction there adds two round trips and the client's transaction
 * bookkeeping, which has no time limit while it waits for a connection).
 */
async function write<T>(db: Db, operation: Prisma.PrismaPromise<T>): Promise<T> {
  if (db.$provider() === "postgresql") return await operation;
  const [result] = await db.$transaction([operation]);
  return result as T;
}

export function newId(prefix: "dlv" | "att", now: number): string {
  return `${prefix}_${ulid(now).toLowerCase()}`;
}

export function snapshotOf(config: TWebhookConfig): TWebhookSnapshot {
  return {
    url: config.url,
    ...(config.hmac ? { hmac: config.hmac } : {}),
    ...(config.retries ? { retries: config.retries } : {}),
    ...(config.customHeaders ? { customHeaders: config.customHeaders } : {}),
  };
}

export function parseSnapshot(row: Pick<TDeliveryRow, "webhook" | "url">): TWebhookSnapshot {
  try {
    return JSON.parse(row.webhook) as TWebhookSnapshot;
  } catch {
    return { url: row.url };
  }
}

/** Rows per multi-row INSERT: 16 columns x 500 stays far below every SQLite/PostgreSQL parameter limit. */
const INSERT_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Builds the rows of a batch of outbox entries. `claim(url)` decides per delivery whether the caller
 * will send it right away (the row is written `in_flight`) or it waits for a claim (`pending`).
 */
export function buildOutboxRows(
  entries: TOutboxEntry[],
  options: { workerId: string; now: number; claim?: (url: string) => boolean },
): { events: TOutboxEntry[]; deliveries: TDeliveryRow[] } {
  const now = new Date(options.now);
  const events: TOutboxEntry[] = [];
  const deliveries: TDeliveryRow[] = [];
  for (const entry of entries) {
    if (entry.targets.length === 0) continue;
    events.push(entry);
    for (const target of entry.targets) {
      const url = target.config.url;
      deliveries.push({
        id: newId("dlv", options.now),
        eventId: entry.envelope.id,
        session: entry.envelope.session,
        event: entry.envelope.event,
        url,
        source: target.source,
        webhookIndex: target.index,
        webhook: JSON.stringify({ ...snapshotOf(target.config), ...(entry.traceparent ? { traceparent: entry.traceparent } : {}) }),
        worker: options.workerId,
        state: options.claim?.(url) ? "in_flight" : "pending",
        attempts: 0,
        cycle: 1,
        nextAttemptAt: now,
        lastStatusCode: null,
        lastError: null,
        finishedAt: null,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  return { events, deliveries };
}

/** Writes events and their delivery rows in ONE transaction (nothing is sent before it commits). */
export async function insertOutboxRows(db: Db, rows: { events: TOutboxEntry[]; deliveries: TDeliveryRow[] }): Promise<void> {
  if (rows.events.length === 0) return;
  if (db.$provider() === "postgresql") return insertOutboxRowsPostgres(db, rows);
  const statements = [
    ...chunks(rows.events, INSERT_CHUNK).map(
      (part) =>
        db.$executeRaw`INSERT INTO "WebhookEvent" ("id", "session", "event", "body", "timestamp") VALUES ${Prisma.join(
          part.map(
            ({ envelope, body }) =>
              Prisma.sql`(${envelope.id}, ${envelope.session}, ${envelope.event}, ${body}, ${new Date(envelope.timestamp)})`,
          ),
        )}`,
    ),
    ...chunks(rows.deliveries, INSERT_CHUNK).map(
      (part) =>
        db.$executeRaw`INSERT INTO "WebhookDelivery" ("id", "eventId", "session", "event", "url", "source", "webhookIndex", "webhook", "worker", "state", "attempts", "cycle", "nextAttemptAt", "createdAt", "updatedAt") VALUES ${Prisma.join(
          part.map(
            (d) =>
              Prisma.sql`(${d.id}, ${d.eventId}, ${d.session}, ${d.event}, ${d.url}, ${d.source}, ${d.webhookIndex}, ${d.webhook}, ${d.worker}, ${d.state}, ${d.attempts}, ${d.cycle}, ${d.nextAttemptAt}, ${d.createdAt}, ${d.updatedAt})`,
          ),
        )}`,
    ),
  ];
  await db.$transaction(statements);
}

/**
 * insertOutboxRows on PostgreSQL: one statement, each column a bound array. A multi-row VALUES list costs
 * Prisma's client a few microseconds per parameter, 20 per delivery: most of the write's time.
 */
async function insertOutboxRowsPostgres(db: Db, rows: { events: TOutboxEntry[]; deliveries: TDeliveryRow[] }): Promise<void> {
  const events = (pick: (entry: TOutboxEntry) => unknown) => rows.events.map(pick);
  const deliveries = (pick: (row: TDeliveryRow) => unknown) => rows.deliveries.map(pick);
  await queryPostgres(
    db,
    Prisma.sql`
    WITH "event" AS (
      INSERT INTO "WebhookEvent" ("id", "session", "event", "body", "timestamp")
      SELECT * FROM unnest(
        ${events((e) => e.envelope.id)}::text[], ${events((e) => e.envelope.session)}::text[], ${events((e) => e.envelope.event)}::text[],
        ${events((e) => e.body)}::text[], ${events((e) => new Date(e.envelope.timestamp))}::timestamp(3)[]
      )
    )
    INSERT INTO "WebhookDelivery" ("id", "eventId", "session", "event", "url", "source", "webhookIndex", "webhook", "worker", "state", "attempts", "cycle", "nextAttemptAt", "createdAt", "updatedAt")
    SELECT * FROM unnest(
      ${deliveries((d) => d.id)}::text[], ${deliveries((d) => d.eventId)}::text[], ${deliveries((d) => d.session)}::text[],
      ${deliveries((d) => d.event)}::text[], ${deliveries((d) => d.url)}::text[], ${deliveries((d) => d.source)}::text[],
      ${deliveries((d) => d.webhookIndex)}::int[], ${deliveries((d) => d.webhook)}::text[], ${deliveries((d) => d.worker)}::text[],
      ${deliveries((d) => d.state)}::text[], ${deliveries((d) => d.attempts)}::int[], ${deliveries((d) => d.cycle)}::int[],
      ${deliveries((d) => d.nextAttemptAt)}::timestamp(3)[], ${deliveries((d) => d.createdAt)}::timestamp(3)[], ${deliveries((d) => d.updatedAt)}::timestamp(3)[]
    )`,
  );
}

/** Writes events and their delivery rows (all pending) in one transaction; returns the delivery rows. */
export async function writeOutbox(db: Db, entries: TOutboxEntry[], options: { workerId: string; now: number }): Promise<TDeliveryRow[]> {
  const rows = buildOutboxRows(entries, options);
  await insertOutboxRows(db, rows);
  return rows.deliveries;
}

/**
 * Target URLs with rows of `workerId` in `state` (pending by default), due or not. A loose index scan:
 * one seek on (worker, state, url, nextAttemptAt) per distinct URL, however many rows a target has
 * waiting, so a target with a large backlog costs the claim nothing while it is full.
 */
export async function findPendingUrls(db: Db, workerId: string, state: "pending" | "in_flight" = "pending"): Promise<string[]> {
  const rows = await db.$queryRaw<{ url: string }[]>`
    WITH RECURSIVE "target"("url") AS (
      SELECT MIN("url") FROM "WebhookDelivery" WHERE "worker" = ${workerId} AND "state" = ${state}
      UNION ALL
      SELECT (SELECT MIN("url") FROM "WebhookDelivery" WHERE "worker" = ${workerId} AND "state" = ${state} AND "url" > "target"."url")
      FROM "target" WHERE "target"."url" IS NOT NULL
    )
    SELECT "url" FROM "target" WHERE "url" IS NOT NULL`;
  return rows.map((row) => row.url);
}

/** Rows of `workerId` waiting (pending) or being sent (in_flight), per target URL: the outbox's depth (metrics). */
export async function countOutboxByUrl(
  db: Db,
  workerId: string,
): Promise<{ url: string; state: "pending" | "in_flight"; count: number }[]> {
  const rows = await db.$queryRaw<{ url: string; state: "pending" | "in_flight"; count: bigint | number }[]>`
    SELECT "url", "state", COUNT(*) AS "count" FROM "WebhookDelivery"
    WHERE "worker" = ${workerId} AND "state" IN ('pending', 'in_flight') GROUP BY "url", "state"`;
  return rows.map((row) => ({ url: row.url, state: row.state, count: Number(row.count) }));
}

/**
 * Claims due pending rows of this worker: per target URL at most `take.get(url)` rows, oldest due
 * first, marked in_flight in one transaction. Returns them with their envelope bytes.
 *
 * Never one row to two claims: SQLite has a single writer, and its UPDATE repeats the owner and the
 * state in the outer WHERE. On PostgreSQL the rows are locked as they are picked (see
 * claimDueDeliveriesPostgres; server/webhooks/outbox-claim.test.ts races two claims).
 */
export async function claimDueDeliveries(
  db: Db,
  options: { workerId: string; now: number; take: Map<string, number> },
): Promise<TDueDeliveryRow[]> {
  if (options.take.size === 0) return [];
  if (db.$provider() === "postgresql") return claimDueDeliveriesPostgres(db, options);
  const now = new Date(options.now);
  const statements = [...options.take].map(
    ([url, take]) => db.$queryRaw<TDeliveryRow[]>`
      UPDATE "WebhookDelivery" SET "state" = 'in_flight'
      WHERE "id" IN (
        SELECT "id" FROM "WebhookDelivery"
        WHERE "worker" = ${options.workerId} AND "state" = 'pending' AND "url" = ${url} AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt" LIMIT ${take}
      ) AND "worker" = ${options.workerId} AND "state" = 'pending'
      RETURNING *`,
  );
  const claimed = (await db.$transaction(statements)).flat();
  if (claimed.length === 0) return [];
  const eventIds = [...new Set(claimed.map((row) => row.eventId))];
  const envelopes = new Map<string, { body: string; timestamp: Date }>();
  for (const ids of chunks(eventIds, INSERT_CHUNK)) {
    const events = await db.$queryRaw<{ id: string; body: string; timestamp: Date }[]>`
      SELECT "id", "body", "timestamp" FROM "WebhookEvent" WHERE "id" IN (${Prisma.join(ids)})`;
    for (const { id, body, timestamp } of events) envelopes.set(id, { body, timestamp });
  }
  // The foreign key guarantees every envelope exists.
  return claimed.map((row) => ({ ...row, envelope: envelopes.get(row.eventId)! }));
}

/**
 * The PostgreSQL claim: one statement for every target and the envelopes, a single round trip.
 * - The due rows are picked per target (a LATERAL subquery over the (url, take) pairs) in a MATERIALIZED
 *   CTE with `FOR UPDATE SKIP LOCKED`, so the locking subquery runs once; as a plain `IN (SELECT … FOR
 *   UPDATE)` PostgreSQL may run it again per outer row, each run skipping the rows this statement already
 *   changed, so LIMIT stops limiting.
 * - Under READ COMMITTED, a row another claim changed and committed is checked again, in its newest
 *   version, against the subquery's WHERE before it is locked; a row another claim holds is skipped. So
 *   every id the CTE returns is locked by this statement and is this worker's, pending and due, and the
 *   UPDATE needs no re-check (under the old `IN (SELECT …)` without a lock, the outer WHERE had to
 *   repeat them: docs/cluster.md).
 * - The UPDATE finds the rows by primary key only (`= ANY(ARRAY(…))`, evaluated once). With the owner
 *   and state repeated, or joined to the CTE, the planner, which expects one row of each while
 *   autovacuum has not analysed the table since a backlog built up, scanned every pending row of the
 *   worker against each claimed id: 40-500 ms for a claim of 256 out of 5,000 rows instead of 8 ms.
 */
async function claimDueDeliveriesPostgres(
  db: Db,
  options: { workerId: string; now: number; take: Map<string, number> },
): Promise<TDueDeliveryRow[]> {
  const { workerId } = options;
  const rows = await queryPostgres<TDeliveryRow & { envelopeBody: string; envelopeTimestamp: Date }>(
    db,
    Prisma.sql`
    WITH "due" AS MATERIALIZED (
      SELECT "row"."id"
      FROM unnest(${[...options.take.keys()]}::text[], ${[...options.take.values()]}::int[]) AS "target"("url", "take")
      CROSS JOIN LATERAL (
        SELECT "id" FROM "WebhookDelivery"
        WHERE "worker" = ${workerId} AND "state" = 'pending' AND "url" = "target"."url" AND "nextAttemptAt" <= ${new Date(options.now)}
        ORDER BY "nextAttemptAt" LIMIT "target"."take" FOR UPDATE SKIP LOCKED
      ) AS "row"
    ), "claimed" AS (
      UPDATE "WebhookDelivery" SET "state" = 'in_flight' WHERE "id" = ANY(ARRAY(SELECT "id" FROM "due"))
      RETURNING *
    )
    SELECT "claimed".*, "event"."body" AS "envelopeBody", "event"."timestamp" AS "envelopeTimestamp"
    FROM "claimed" JOIN "WebhookEvent" AS "event" ON "event"."id" = "claimed"."eventId"`,
  );
  return rows.map(({ envelopeBody, envelopeTimestamp, ...row }) => ({
    ...row,
    envelope: { body: envelopeBody, timestamp: envelopeTimestamp },
  }));
}

/**
 * Puts claimed rows back to pending without counting an attempt (shutdown). Only rows still this worker's:
 * one another worker adopted (and may be sending) keeps its state.
 */
export async function releaseDeliveries(db: Db, workerId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await write(
    db,
    db.webhookDelivery.updateMany({ where: { id: { in: ids }, worker: workerId, state: "in_flight" }, data: { state: "pending" } }),
  );
  return count;
}

/** Boot: rows a dead process of this worker left in_flight are pending again (their attempt never finished). */
export async function recoverInFlight(db: Db, workerId: string): Promise<number> {
  const { count } = await write(
    db,
    db.webhookDelivery.updateMany({ where: { worker: workerId, state: "in_flight" }, data: { state: "pending" } }),
  );
  return count;
}

/** A worker whose lease holds (cluster mode): its `Worker.leaseUntil` is after the database's clock. */
export interface TLiveWorker {
  id: string;
  draining: boolean;
}

export async function findLiveWorkers(db: Db): Promise<TLiveWorker[]> {
  return db.$queryRaw<TLiveWorker[]>`SELECT "id", "draining" FROM "Worker" WHERE "leaseUntil" > ${DB_NOW} ORDER BY "id"`;
}

/**
 * Cluster mode (PostgreSQL only): the owners (`WebhookDelivery.worker`) of pending or in_flight rows
 * that have no live `Worker` row: their lease lapsed, or they never registered (rows from before cluster
 * mode). A loose index scan over the distinct owners, one seek each, whatever the number of rows.
 */
export async function findOrphanOwners(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ worker: string }[]>`
    WITH RECURSIVE "owner"("worker") AS (
      SELECT MIN("worker") FROM "WebhookDelivery"
      UNION ALL
      SELECT (SELECT MIN("worker") FROM "WebhookDelivery" WHERE "worker" > "owner"."worker") FROM "owner" WHERE "owner"."worker" IS NOT NULL
    )
    SELECT "owner"."worker" FROM "owner"
    WHERE "owner"."worker" IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "Worker" WHERE "Worker"."id" = "owner"."worker" AND "Worker"."leaseUntil" > ${DB_NOW})
      AND (
        EXISTS (SELECT 1 FROM "WebhookDelivery" WHERE "worker" = "owner"."worker" AND "state" = 'pending')
        OR EXISTS (SELECT 1 FROM "WebhookDelivery" WHERE "worker" = "owner"."worker" AND "state" = 'in_flight')
      )`;
  return rows.map((row) => row.worker);
}

/** The target URLs of the pending and in_flight rows of `owners`. */
export async function findOwnedUrls(db: Db, owners: string[]): Promise<string[]> {
  const urls = new Set<string>();
  for (const owner of owners) {
    for (const state of ["pending", "in_flight"] as const) for (const url of await findPendingUrls(db, owner, state)) urls.add(url);
  }
  return [...urls].sort();
}

/**
 * Cluster mode (PostgreSQL only): moves at most `limit` pending or in_flight rows of the dead `owners`,
 * for the target `urls`, to `workerId`, as pending (due when they were due: an in_flight row at once).
 * Each row keeps its id, so the receiver gets the same X-Webhook-Request-Id again. Returns their ids.
 *
 * A row moves once: it is locked as it is picked (`FOR UPDATE SKIP LOCKED`; a row another adopter or a
 * claim holds is skipped, one changed meanwhile is checked again in its newest version), only while its
 * owner still has no live lease and this worker's lease holds; the UPDATE then finds it by primary key.
 */
export async function adoptDeliveries(
  db: Db,
  options: { workerId: string; owners: string[]; urls: string[]; now: number; limit: number },
): Promise<string[]> {
  const { workerId } = options;
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH "orphan" AS MATERIALIZED (
      SELECT "id" FROM "WebhookDelivery" AS "delivery"
      WHERE "worker" = ANY(${options.owners}::text[]) AND "worker" <> ${workerId} AND "state" IN ('pending', 'in_flight')
        AND "url" = ANY(${options.urls}::text[])
        AND NOT EXISTS (SELECT 1 FROM "Worker" WHERE "Worker"."id" = "delivery"."worker" AND "Worker"."leaseUntil" > ${DB_NOW})
        AND EXISTS (SELECT 1 FROM "Worker" WHERE "Worker"."id" = ${workerId} AND "Worker"."leaseUntil" > ${DB_NOW})
      LIMIT ${options.limit} FOR UPDATE SKIP LOCKED
    )
    UPDATE "WebhookDelivery" SET "worker" = ${workerId}, "state" = 'pending', "updatedAt" = ${new Date(options.now)}
    WHERE "id" = ANY(ARRAY(SELECT "id" FROM "orphan"))
    RETURNING "id"`;
  return rows.map((row) => row.id);
}

/** The earliest retry of this worker that is not due yet, to arm one timer instead of polling. */
export async function findNextDueAt(db: Db, workerId: string, after: number): Promise<number | null> {
  const row = await db.webhookDelivery.findFirst({
    where: { worker: workerId, state: "pending", nextAttemptAt: { gt: new Date(after) } },
    orderBy: { nextAttemptAt: "asc" },
    select: { nextAttemptAt: true },
  });
  return row ? row.nextAttemptAt.getTime() : null;
}

/** The outcome of one HTTP attempt, ready to be stored. */
export interface TAttemptRecord {
  deliveryId: string;
  attempt: TWebhookAttempt;
  /** The delivery's state after the attempt. */
  state: Extract<TDeliveryState, "pending" | "delivered" | "dead">;
  /** pending: the next attempt is this long after the result is stored; null otherwise. */
  retryDelayMs: number | null;
  lastError: string | null;
}

/**
 * Stores a batch of attempt results: every attempt goes into the log, and each delivery takes its
 * result only while it is still this worker's and `in_flight`. A result that arrives after another
 * worker adopted the row (this worker's lease had lapsed) is logged, but the row keeps its new owner's
 * state. Returns the ids of the deliveries that took their result.
 *
 * SQLite: one transaction, all attempt rows with one INSERT and the deliveries with one UPDATE per group
 * of identical outcomes (state, attempt number, status code, error, retry delay), so a dead receiver's
 * retries cost a statement or two per batch, not one each. PostgreSQL: one statement for all of it.
 */
export async function recordAttempts(db: Db, records: TAttemptRecord[], options: { workerId: string; now: number }): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  if (db.$provider() === "postgresql") return recordAttemptsPostgres(db, records, options);
  const { workerId, now } = options;
  const finishedAt = new Date(now);
  const inserts = chunks(records, INSERT_CHUNK).map(
    (part) =>
      db.$executeRaw`INSERT INTO "WebhookAttempt" ("id", "deliveryId", "cycle", "number", "startedAt", "latencyMs", "statusCode", "error", "responseExcerpt", "outcome") VALUES ${Prisma.join(
        part.map(
          ({ deliveryId, attempt: a }) =>
            Prisma.sql`(${a.id}, ${deliveryId}, ${a.cycle}, ${a.number}, ${new Date(a.startedAt)}, ${a.latencyMs}, ${a.statusCode}, ${a.error}, ${a.responseExcerpt}, ${a.outcome})`,
        ),
      )}`,
  );
  const groups = new Map<string, { first: TAttemptRecord; ids: string[] }>();
  for (const record of records) {
    const key = JSON.stringify([record.state, record.attempt.number, record.attempt.statusCode, record.lastError, record.retryDelayMs]);
    const group = groups.get(key) ?? { first: record, ids: [] };
    group.ids.push(record.deliveryId);
    groups.set(key, group);
  }
  const updates = [...groups.values()].flatMap(({ first, ids }) => {
    const schedule =
      first.state === "pending"
        ? Prisma.sql`"nextAttemptAt" = ${new Date(now + (first.retryDelayMs ?? 0))}`
        : Prisma.sql`"finishedAt" = ${finishedAt}`;
    return chunks(ids, INSERT_CHUNK).map(
      (part) =>
        db.$queryRaw<
          { id: string }[]
        >`UPDATE "WebhookDelivery" SET "state" = ${first.state}, "attempts" = ${first.attempt.number}, "lastStatusCode" = ${first.attempt.statusCode}, "lastError" = ${first.lastError}, ${schedule}, "updatedAt" = ${finishedAt} WHERE "id" IN (${Prisma.join(part)}) AND "worker" = ${workerId} AND "state" = 'in_flight' RETURNING "id"`,
    );
  });
  const results = await db.$transaction([...inserts, ...updates]);
  const updated = results.slice(inserts.length) as { id: string }[][];
  return new Set(updated.flat().map((row) => row.id));
}

/** recordAttempts on PostgreSQL: the attempts' INSERT and the deliveries' UPDATE in one statement, each row's values as arrays. */
async function recordAttemptsPostgres(db: Db, records: TAttemptRecord[], options: { workerId: string; now: number }): Promise<Set<string>> {
  const { workerId, now } = options;
  const column = <T>(pick: (record: TAttemptRecord) => T) => records.map(pick);
  const deliveryIds = column((r) => r.deliveryId);
  const rows = await queryPostgres<{ id: string }>(
    db,
    Prisma.sql`
    WITH "attempt" AS (
      INSERT INTO "WebhookAttempt" ("id", "deliveryId", "cycle", "number", "startedAt", "latencyMs", "statusCode", "error", "responseExcerpt", "outcome")
      SELECT * FROM unnest(
        ${column((r) => r.attempt.id)}::text[], ${deliveryIds}::text[], ${column((r) => r.attempt.cycle)}::int[],
        ${column((r) => r.attempt.number)}::int[], ${column((r) => new Date(r.attempt.startedAt))}::timestamp(3)[],
        ${column((r) => r.attempt.latencyMs)}::int[], ${column((r) => r.attempt.statusCode)}::int[], ${column((r) => r.attempt.error)}::text[],
        ${column((r) => r.attempt.responseExcerpt)}::text[], ${column((r) => r.attempt.outcome)}::text[]
      )
    )
    UPDATE "WebhookDelivery" AS "delivery" SET
      "state" = "result"."state", "attempts" = "result"."attempts", "lastStatusCode" = "result"."statusCode",
      "lastError" = "result"."lastError", "nextAttemptAt" = COALESCE("result"."nextAttemptAt", "delivery"."nextAttemptAt"),
      "finishedAt" = "result"."finishedAt", "updatedAt" = ${new Date(now)}
    FROM unnest(
      ${deliveryIds}::text[], ${column((r) => r.state)}::text[], ${column((r) => r.attempt.number)}::int[],
      ${column((r) => r.attempt.statusCode)}::int[], ${column((r) => r.lastError)}::text[],
      ${column((r) => (r.state === "pending" ? new Date(now + (r.retryDelayMs ?? 0)) : null))}::timestamp(3)[],
      ${column((r) => (r.state === "pending" ? null : new Date(now)))}::timestamp(3)[]
    ) AS "result"("id", "state", "attempts", "statusCode", "lastError", "nextAttemptAt", "finishedAt")
    WHERE "delivery"."id" = "result"."id" AND "delivery"."worker" = ${workerId} AND "delivery"."state" = 'in_flight'
    RETURNING "delivery"."id"`,
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * Makes a delivery pending now. delivered/dead: a new cycle (attempts 0, cycle + 1). pending: only
 * moves its next attempt to now. in_flight: unchanged. The row moves to `workerId` (so a row of a
 * worker that is gone can be redelivered by this one). Returns the row after the change, or null
 * when there is no such row (of `session`, when given).
 *
 * One read and one conditional write: the write applies only if the row is still in the state that
 * was read, and the row is read again only when something else changed it in between.
 */
export async function requeueDelivery(
  db: Db,
  id: string,
  options: { workerId: string; now: number; session?: string },
): Promise<TDeliveryRow | null> {
  const row = await db.webhookDelivery.findUnique({ where: { id } });
  if (!row || (options.session !== undefined && row.session !== options.session)) return null;
  if (row.state === "in_flight") return row;
  const now = new Date(options.now);
  const changes =
    row.state === "pending"
      ? { nextAttemptAt: now, worker: options.workerId, updatedAt: now }
      : {
          state: "pending",
          attempts: 0,
          cycle: row.cycle + 1,
          nextAttemptAt: now,
          finishedAt: null,
          lastStatusCode: null,
          lastError: null,
          worker: options.workerId,
          updatedAt: now,
        };
  const { count } = await write(db, db.webhookDelivery.updateMany({ where: { id, state: row.state }, data: changes }));
  if (count === 0) return db.webhookDelivery.findUnique({ where: { id } });
  return { ...row, ...changes };
}

export interface TRetention {
  /** Delivered and dead rows older than this (since they finished) are deleted. */
  maxAgeMs: number;
  /** At most this many delivered + dead rows are kept (newest kept). */
  maxRows: number;
}

export type TPruneOptions = TRetention & { now: number; chunkSize: number; between: <T>(work: () => Promise<T>) => Promise<T> };

/** What a prune run did; `busy`: it ended early because another worker was pruning (PostgreSQL). */
export interface TPruned {
  expired: number;
  deliveries: number;
  events: number;
  busy?: true;
}

/**
 * Marks pending deliveries overdue by more than maxAgeMs dead (a receiver down that long: see the
 * dispatcher's circuit breaker), deletes finished deliveries by age and count, with their attempts,
 * then events no delivery needs. Works in chunks of `chunkSize` rows; `between` runs between chunks so other work interleaves
 * (better-sqlite3 is synchronous: one huge DELETE would stall the process).
 */
export async function pruneDeliveries(db: Db, options: TPruneOptions): Promise<TPruned> {
  if (db.$provider() === "postgresql") return prunePostgres(db, options);
  const { between, chunkSize } = options;
  let deliveries = 0;
  let events = 0;

  const now = new Date(options.now);
  const { count: expired } = await between(() =>
    write(
      db,
      db.webhookDelivery.updateMany({
        where: { state: "pending", nextAttemptAt: { lt: new Date(options.now - options.maxAgeMs) } },
        data: {
          state: "dead",
          lastError: `expired: not delivered within ${Math.round(options.maxAgeMs / 3_600_000)} h of being due`,
          finishedAt: now,
          updatedAt: now,
        },
      }),
    ),
  );

  const deleteChunks = async (where: Prisma.WebhookDeliveryWhereInput) => {
    for (;;) {
      const count = await between(async () => {
        const ids = (await db.webhookDelivery.findMany({ where, select: { id: true }, take: chunkSize })).map((r) => r.id);
        if (ids.length === 0) return 0;
        await db.$transaction([
          db.webhookAttempt.deleteMany({ where: { deliveryId: { in: ids } } }),
          db.webhookDelivery.deleteMany({ where: { id: { in: ids } } }),
        ]);
        return ids.length;
      });
      deliveries += count;
      if (count < chunkSize) return;
    }
  };

  await deleteChunks({ finishedAt: { lt: new Date(options.now - options.maxAgeMs) } });

  // The newest finished row beyond maxRows (ties on finishedAt broken by id), and everything older.
  const cutoff = await between(() =>
    db.webhookDelivery.findFirst({
      where: { finishedAt: { not: null } },
      orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
      skip: options.maxRows,
      select: { finishedAt: true, id: true },
    }),
  );
  if (cutoff?.finishedAt) {
    await deleteChunks({
      OR: [{ finishedAt: { lt: cutoff.finishedAt } }, { finishedAt: cutoff.finishedAt, id: { lte: cutoff.id } }],
    });
  }

  for (;;) {
    const { count } = await between(() => write(db, db.webhookEvent.deleteMany({ where: { deliveries: { none: {} } }, limit: chunkSize })));
    events += count;
    if (count < chunkSize) break;
  }
  return { expired, deliveries, events };
}

/**
 * Pruning on PostgreSQL, where every worker prunes the one shared outbox: each statement that changes
 * rows first takes a transaction-level advisory lock (held until the statement ends) and does nothing
 * when another worker holds it; the run then ends, reporting `busy`. So two workers never prune at the
 * same time, and no session-level lock is needed (Prisma's pool cannot keep one on a connection).
 * Attempts go with their deliveries through the foreign key's ON DELETE CASCADE.
 */
async function prunePostgres(db: Db, options: TPruneOptions): Promise<TPruned> {
  const { between, chunkSize } = options;
  const done: TPruned = { expired: 0, deliveries: 0, events: 0 };
  /** Runs one row-changing statement whose WHERE includes `"gate"."held"`; null when another worker holds the lock. */
  const gated = async (work: Prisma.Sql): Promise<number | null> => {
    const [row] = await between(
      () => db.$queryRaw<{ held: boolean; count: number }[]>`
        WITH "gate" AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(hashtext('switchboard:webhook-prune')) AS "held"),
        "work" AS (${work})
        SELECT (SELECT "held" FROM "gate") AS "held", (SELECT count(*) FROM "work")::int AS "count"`,
    );
    return row!.held ? row!.count : null;
  };
  const busy = (): TPruned => ({ ...done, busy: true });
  const now = new Date(options.now);
  const maxAge = new Date(options.now - options.maxAgeMs);

  const expired = await gated(Prisma.sql`
    UPDATE "WebhookDelivery" SET "state" = 'dead', "finishedAt" = ${now}, "updatedAt" = ${now},
      "lastError" = ${`expired: not delivered within ${Math.round(options.maxAgeMs / 3_600_000)} h of being due`}
    WHERE (SELECT "held" FROM "gate") AND "state" = 'pending' AND "nextAttemptAt" < ${maxAge}
    RETURNING 1`);
  if (expired === null) return busy();
  done.expired = expired;

  const deleteChunks = async (where: Prisma.Sql): Promise<boolean> => {
    for (;;) {
      const count = await gated(Prisma.sql`
        DELETE FROM "WebhookDelivery" WHERE "id" IN (
          SELECT "id" FROM "WebhookDelivery" WHERE (SELECT "held" FROM "gate") AND ${where} LIMIT ${chunkSize}
        ) RETURNING 1`);
      if (count === null) return false;
      done.deliveries += count;
      if (count < chunkSize) return true;
    }
  };
  if (!(await deleteChunks(Prisma.sql`"finishedAt" < ${maxAge}`))) return busy();

  // The newest finished row beyond maxRows (ties on finishedAt broken by id), and everything older.
  const [cutoff] = await between(
    () => db.$queryRaw<{ finishedAt: Date; id: string }[]>`
      SELECT "finishedAt", "id" FROM "WebhookDelivery" WHERE "finishedAt" IS NOT NULL
      ORDER BY "finishedAt" DESC, "id" DESC OFFSET ${options.maxRows} LIMIT 1`,
  );
  if (cutoff) {
    const older = Prisma.sql`("finishedAt" < ${cutoff.finishedAt} OR ("finishedAt" = ${cutoff.finishedAt} AND "id" <= ${cutoff.id}))`;
    if (!(await deleteChunks(older))) return busy();
  }

  for (;;) {
    const count = await gated(Prisma.sql`
      DELETE FROM "WebhookEvent" WHERE "id" IN (
        SELECT "id" FROM "WebhookEvent" AS "event" WHERE (SELECT "held" FROM "gate")
          AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" WHERE "WebhookDelivery"."eventId" = "event"."id")
        LIMIT ${chunkSize}
      ) RETURNING 1`);
    if (count === null) return busy();
    done.events += count;
    if (count < chunkSize) return done;
  }
}

export function toDeliveryDto(row: TDeliveryRow): TWebhookDelivery {
  const snapshot = parseSnapshot(row);
  return {
    id: row.id,
    eventId: row.eventId,
    session: row.session,
    event: row.event,
    url: row.url,
    webhook: { source: row.source === "global" ? "global" : "session", index: row.webhookIndex },
    signed: Boolean(snapshot.hmac?.key),
    state: row.state as TDeliveryState,
    attempts: row.attempts,
    maxAttempts: resolveRetrySettings(snapshot.retries).retries + 1,
    cycle: row.cycle,
    nextAttemptAt: row.state === "pending" ? row.nextAttemptAt.getTime() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    finishedAt: row.finishedAt ? row.finishedAt.getTime() : null,
  };
}

export function toAttemptDto(row: WebhookAttempt): TWebhookAttempt {
  return {
    id: row.id,
    cycle: row.cycle,
    number: row.number,
    startedAt: row.startedAt.getTime(),
    latencyMs: row.latencyMs,
    statusCode: row.statusCode,
    error: row.error,
    responseExcerpt: row.responseExcerpt,
    outcome: row.outcome as TAttemptOutcome,
  };
}
