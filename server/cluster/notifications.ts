import { z } from "zod";
import { ZSessionStatusSchema } from "@/lib/session-status";

/**
 * What the triggers of the PostgreSQL-only migration 20261204000000_cluster_notify send, one schema per
 * channel. A payload is a signal to re-read, never the state itself: NOTIFY is lost while a worker is
 * not listening, so whoever consumes these also re-reads after each reconnect (PgListener's `connected`).
 */

export const CACHE_CHANNEL = "sb_cache";
export const OWNER_CHANNEL = "sb_owner";
export const WORKER_CHANNEL = "sb_worker";

/** sb_cache: the table a committed transaction wrote (Session, SessionMetadata or ApiKey), once per transaction and table. */
export const ZCacheNotificationSchema = z.enum(["Session", "SessionMetadata", "ApiKey"]);

/**
 * sb_owner: a SessionOwner row was inserted, or changed its owner, epoch or status; or it was deleted
 * (with its session). `workerId` is null while nobody runs the session.
 */
export const ZOwnerNotificationSchema = z.union([
  z.object({ session: z.string().min(1), deleted: z.literal(true) }),
  z.object({
    session: z.string().min(1),
    workerId: z.string().nullable(),
    epoch: z.number().int(),
    status: ZSessionStatusSchema,
  }),
]);
export type TOwnerNotification = z.infer<typeof ZOwnerNotificationSchema>;

/** sb_worker: the id of a Worker row inserted, deleted, or changed in draining, url, capacity or incarnation (never a heartbeat). */
export const ZWorkerNotificationSchema = z.string().min(1);
export type TWorkerNotification = z.infer<typeof ZWorkerNotificationSchema>;

export type TNotificationCheck<T> = { ok: true; value: T } | { ok: false; issues: string[] };

export function parseOwnerNotification(payload: string): TNotificationCheck<TOwnerNotification> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, issues: ["(payload): not JSON"] };
  }
  return check(ZOwnerNotificationSchema, json);
}

export function parseWorkerNotification(payload: string): TNotificationCheck<TWorkerNotification> {
  return check(ZWorkerNotificationSchema, payload);
}

function check<T>(schema: z.ZodType<T>, value: unknown): TNotificationCheck<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`) };
}
