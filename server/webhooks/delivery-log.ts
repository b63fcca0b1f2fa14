import type { TDeliveryList, TDeliveryListQuery, TWebhookDeliveryDetail } from "@/lib/webhook-delivery";
import { Prisma } from "@/generated/prisma/client";
import { queryPostgres, type Db } from "@/server/db";
import { toAttemptDto, toDeliveryDto } from "./outbox";
import { describeWebhookHeaders } from "./webhook-request";

/**
 * The delivery log as the API reads it: straight from the database, never through the dispatcher
 * (reads need no ordering with its writes). Writes to these tables are in outbox.ts.
 */

/** A session's deliveries, newest first. `total` counts every row matching the filter. */
export async function listDeliveries(db: Db, query: { session: string } & Partial<TDeliveryListQuery>): Promise<TDeliveryList> {
  const where = {
    session: query.session,
    ...(query.state ? { state: query.state } : {}),
    ...(query.event ? { event: query.event } : {}),
  };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({ where, orderBy: { id: "desc" }, skip: query.offset ?? 0, take: query.limit ?? 50 }),
    db.webhookDelivery.count({ where }),
  ]);
  return { items: rows.map(toDeliveryDto), total };
}

/** One delivery of `session` with every attempt and the envelope, in one read; null when there is none. */
export async function findDeliveryDetail(db: Db, id: string, session: string, userAgent: string): Promise<TWebhookDeliveryDetail | null> {
  const row = await db.webhookDelivery.findUnique({
    where: { id },
    include: {
      attemptLog: { orderBy: [{ cycle: "asc" }, { number: "asc" }] },
      envelope: { select: { body: true, timestamp: true } },
    },
  });
  if (!row || row.session !== session) return null;
  const { attemptLog, envelope, ...delivery } = row;
  return {
    ...toDeliveryDto(delivery),
    attemptLog: attemptLog.map(toAttemptDto),
    envelope: JSON.parse(envelope.body) as unknown,
    request: { url: row.url, headers: describeWebhookHeaders({ ...row, envelope }, userAgent) },
  };
}

/** How long a dead delivery keeps its session marked as failing in the sessions list. */
export const DEAD_DELIVERY_MARK_MS = 60 * 60 * 1000;

/**
 * Webhook trouble of each of `sessions` that has some, for the sessions list: deliveries waiting to be retried
 * after a failed attempt (an open circuit holds them back too) and deliveries that died within the last hour.
 * Read from the delivery log, whoever owns the sessions.
 */
export async function deliveryTroubleOf(db: Db, sessions: string[], now: number): Promise<Map<string, { retrying: number; dead: number }>> {
  const trouble = new Map<string, { retrying: number; dead: number }>();
  if (sessions.length === 0) return trouble;
  const deadSince = new Date(now - DEAD_DELIVERY_MARK_MS);
  if (db.$provider() === "postgresql") {
    // Every page of the sessions list reads this: on the pool (queryPostgres), the names as one array, both
    // counts in one statement, past Prisma's query compiler (docs/cluster.md, "Benchmark").
    const rows = await queryPostgres<{ session: string; retrying: number; dead: number }>(
      db,
      Prisma.sql`
        SELECT "session", COUNT(*) FILTER (WHERE "state" = 'pending')::int AS "retrying", COUNT(*) FILTER (WHERE "state" = 'dead')::int AS "dead"
        FROM (
          SELECT "session", "state" FROM "WebhookDelivery" WHERE "session" = ANY(${sessions}::text[]) AND "state" = 'pending' AND "attempts" > 0
          UNION ALL
          SELECT "session", "state" FROM "WebhookDelivery" WHERE "session" = ANY(${sessions}::text[]) AND "state" = 'dead' AND "finishedAt" >= ${deadSince}
        ) AS "failing"
        GROUP BY "session"`,
    );
    for (const row of rows) trouble.set(row.session, { retrying: row.retrying, dead: row.dead });
    return trouble;
  }
  // Two reads, each a range of the (session, state, finishedAt) index: one condition with an OR across the states
  // read every delivery of the page's sessions (GET /api/sessions fell from about 200 to 16 a second with 130
  // deliveries a session). The PostgreSQL statement above keeps them apart the same way (UNION ALL).
  const [retrying, dead] = await Promise.all([
    db.webhookDelivery.groupBy({
      by: ["session"],
      where: { session: { in: sessions }, state: "pending", attempts: { gt: 0 } },
      _count: { _all: true },
    }),
    db.webhookDelivery.groupBy({
      by: ["session"],
      where: { session: { in: sessions }, state: "dead", finishedAt: { gte: deadSince } },
      _count: { _all: true },
    }),
  ]);
  const entry = (session: string) => trouble.get(session) ?? trouble.set(session, { retrying: 0, dead: 0 }).get(session)!;
  for (const group of retrying) entry(group.session).retrying += group._count._all;
  for (const group of dead) entry(group.session).dead += group._count._all;
  return trouble;
}
