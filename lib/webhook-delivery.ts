import { z } from "zod";

/**
 * Webhook deliveries as the API returns them (GET /api/sessions/{session}/webhooks/deliveries, the
 * dashboard, Socket.IO updates). Universal: no Node imports. Times are epoch milliseconds, like WAHA.
 * Secrets of the webhook (HMAC key, custom header values) are never part of these shapes.
 */

/**
 * - `pending`: waiting for its first attempt or for its next retry (`nextAttemptAt`)
 * - `in_flight`: claimed by the dispatcher, a request is being sent
 * - `delivered`: a 2xx arrived
 * - `dead`: retries exhausted, or a response that retrying cannot fix (e.g. 400, 401, 404)
 */
export const DELIVERY_STATES = ["pending", "in_flight", "delivered", "dead"] as const;
export const ZDeliveryStateSchema = z.enum(DELIVERY_STATES).meta({ id: "WebhookDeliveryState" });
export type TDeliveryState = z.infer<typeof ZDeliveryStateSchema>;

/** What one attempt led to: the row is delivered, will be retried, or is dead. */
export const ATTEMPT_OUTCOMES = ["delivered", "retry", "dead"] as const;
export const ZAttemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);
export type TAttemptOutcome = z.infer<typeof ZAttemptOutcomeSchema>;

/** At most this many bytes of a receiver's response body are kept per attempt. */
export const RESPONSE_EXCERPT_MAX_BYTES = 1024;

export const ZWebhookAttemptSchema = z
  .object({
    id: z.string(),
    cycle: z.number().int().describe("Attempt cycle: 1, then +1 for every redelivery"),
    number: z.number().int().describe("1-based attempt number within the cycle"),
    startedAt: z.number().describe("When the request was sent, ms"),
    latencyMs: z.number().int().describe("Until the response headers, an error or the timeout"),
    statusCode: z.number().int().nullable().describe("HTTP status, null when no response arrived"),
    error: z.string().nullable().describe("Network error, timeout or why the response counts as a failure"),
    responseExcerpt: z.string().nullable().describe(`First ${RESPONSE_EXCERPT_MAX_BYTES} bytes of the response body`),
    outcome: ZAttemptOutcomeSchema,
  })
  .meta({ id: "WebhookAttempt" });
export type TWebhookAttempt = z.infer<typeof ZWebhookAttemptSchema>;

export const ZWebhookSourceSchema = z
  .object({
    source: z.enum(["session", "global"]).describe("config.webhooks of the session, or the global webhook from env"),
    index: z.number().int().nullable().describe("Position in config.webhooks when the event was emitted; null for global"),
  })
  .meta({ id: "WebhookSource" });

export const ZWebhookDeliverySchema = z
  .object({
    id: z.string().describe("Delivery id; sent as X-Webhook-Request-Id, the same on every retry and redelivery"),
    eventId: z.string().describe("The envelope id (evt_...)"),
    session: z.string(),
    event: z.string().describe("Event name, e.g. message"),
    url: z.string(),
    webhook: ZWebhookSourceSchema,
    signed: z.boolean().describe("Whether X-Webhook-Hmac is sent"),
    state: ZDeliveryStateSchema,
    attempts: z.number().int().describe("Attempts made in the current cycle"),
    maxAttempts: z.number().int().describe("1 + retries.attempts of the webhook"),
    cycle: z.number().int(),
    nextAttemptAt: z.number().nullable().describe("When a pending delivery is sent next, ms; null otherwise"),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.number(),
    updatedAt: z.number(),
    finishedAt: z.number().nullable().describe("When it became delivered or dead, ms"),
  })
  .meta({ id: "WebhookDelivery" });
export type TWebhookDelivery = z.infer<typeof ZWebhookDeliverySchema>;

export const ZWebhookRequestSchema = z
  .object({
    url: z.string(),
    headers: z
      .record(z.string(), z.string())
      .describe("The headers of every attempt (X-Webhook-Hmac is the signature of the body); a custom header's value is [redacted]"),
  })
  .meta({ id: "WebhookRequest" });

export const ZWebhookDeliveryDetailSchema = ZWebhookDeliverySchema.extend({
  attemptLog: z.array(ZWebhookAttemptSchema).describe("Every attempt, oldest first"),
  envelope: z.unknown().describe("The exact event envelope that is POSTed"),
  request: ZWebhookRequestSchema.describe("The request sent: its URL and headers, built from the webhook config frozen with the event"),
}).meta({ id: "WebhookDeliveryDetail" });
export type TWebhookDeliveryDetail = z.infer<typeof ZWebhookDeliveryDetailSchema>;

export const DELIVERY_LIST_MAX_LIMIT = 500;

/** Query string of GET /api/sessions/{session}/webhooks/deliveries (strings coerced). */
export const ZDeliveryListQuerySchema = z
  .object({
    state: ZDeliveryStateSchema.optional(),
    event: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(DELIVERY_LIST_MAX_LIMIT).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .meta({ id: "WebhookDeliveryListQuery" });
export type TDeliveryListQuery = z.infer<typeof ZDeliveryListQuerySchema>;

export const ZDeliveryListSchema = z
  .object({
    items: z.array(ZWebhookDeliverySchema).describe("Newest first"),
    total: z.number().int().describe("Rows matching the filter, ignoring limit and offset"),
  })
  .meta({ id: "WebhookDeliveryList" });
export type TDeliveryList = z.infer<typeof ZDeliveryListSchema>;

/** Which webhook a test event goes to: an index into config.webhooks, "global", or a configured URL. */
export const ZWebhookTargetRefSchema = z
  .union([z.number().int().min(0), z.literal("global"), z.url({ protocol: /^https?$/ })])
  .meta({ id: "WebhookTargetRef" });
export type TWebhookTargetRef = z.infer<typeof ZWebhookTargetRefSchema>;

export const ZWebhookTestRequestSchema = z.object({ webhook: ZWebhookTargetRefSchema.default(0) }).meta({ id: "WebhookTestRequest" });

/**
 * What the dispatcher reports to its listeners. Not a wire format: Socket.IO clients get only the
 * delivery, as `delivery.update` (lib/realtime-messages.ts).
 */
export const ZDeliveryUpdateSchema = z
  .object({
    delivery: ZWebhookDeliverySchema,
    attempt: ZWebhookAttemptSchema.nullable().describe("The attempt that caused the update, if any"),
  })
  .meta({ id: "WebhookDeliveryUpdate" });
export type TDeliveryUpdate = z.infer<typeof ZDeliveryUpdateSchema>;

const STATE_PROGRESS: Record<TDeliveryState, number> = { pending: 0, in_flight: 1, delivered: 2, dead: 2 };

/**
 * Of two snapshots of one delivery, the later one, judged by progress rather than by clock
 * (`updatedAt` does not move when a delivery is claimed or redelivered): a redelivery's cycle comes
 * after every state of the cycle before; within a cycle each attempt adds one; within an attempt the
 * state goes pending -> in_flight -> delivered or dead. A tie goes to `incoming`.
 */
export function laterDelivery(current: TWebhookDelivery, incoming: TWebhookDelivery): TWebhookDelivery {
  const progress = (d: TWebhookDelivery) => [d.cycle, d.attempts, STATE_PROGRESS[d.state]];
  const [a, b] = [progress(current), progress(incoming)];
  const first = a.findIndex((value, i) => value !== b[i]);
  return first !== -1 && a[first] > b[first] ? current : incoming;
}

/**
 * A fetched list, where a delivery the list already showed in a later state keeps that state: a push
 * can arrive while the request is on its way, and the older answer must not undo it.
 */
export function keepLaterDeliveries(shown: TDeliveryList | undefined, fetched: TDeliveryList): TDeliveryList {
  if (!shown) return fetched;
  const byId = new Map(shown.items.map((d) => [d.id, d]));
  return { ...fetched, items: fetched.items.map((d) => (byId.has(d.id) ? laterDelivery(byId.get(d.id)!, d) : d)) };
}
