import type { TDeliveryList, TDeliveryListQuery, TWebhookDeliveryDetail } from "@/lib/webhook-delivery";
import type { Db } from "@/server/db";
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
