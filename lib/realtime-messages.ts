import { z } from "zod";
import { ZSessionStatusDataSchema } from "./account-restrictions";
import { ZEventEnvelopeSchema } from "./event-envelope";
import { ZMeSchema, ZPresenceSchema, ZSessionNameSchema } from "./session";
import { ZSessionHealthSchema } from "./session-health";
import { ZSessionStatusSchema, ZStatusChangeSchema } from "./session-status";
import { ZWebhookDeliverySchema } from "./webhook-delivery";

/**
 * The Socket.IO messages (same port, path /socket.io), one schema each. The server validates every
 * message before it sends it and every request it receives; the dashboard validates every message it
 * receives. A message that fails is dropped and logged on the side that found it, never used.
 *
 * A client `subscribe`s to one session, or to `*` for all, and then receives that session's messages.
 * Sent with an acknowledgement callback, subscribe and unsubscribe are answered once they took effect.
 */

/** Subscribes to (or unsubscribes from) every session at once. */
export const ALL_SESSIONS = "*";

// ---------- client -> server ----------

export const ZSubscriptionRequestSchema = z.object({
  session: z.union([z.literal(ALL_SESSIONS), ZSessionNameSchema]).describe("A session name, or * for every session"),
});
export type TSubscriptionRequest = z.infer<typeof ZSubscriptionRequestSchema>;

/** What the server answers a subscribe or unsubscribe sent with an acknowledgement callback. */
export type TSubscriptionReply = { ok: true } | { ok: false; issues: string[] };

export const CLIENT_MESSAGES = {
  subscribe: ZSubscriptionRequestSchema,
  unsubscribe: ZSubscriptionRequestSchema,
} as const;

// ---------- server -> client ----------

/**
 * A status change (or WORKING re-issued for a restriction), with the recent history, the account (null
 * until logged in), WAHA's `data` and the health block, so failures in a row show as they happen.
 */
export const ZSessionStatusMessageSchema = z.object({
  session: z.string(),
  status: ZSessionStatusSchema,
  statuses: z.array(ZStatusChangeSchema).describe("Recent status changes with their reasons, oldest first"),
  me: ZMeSchema.nullable(),
  data: ZSessionStatusDataSchema.nullable().describe("What belongs to the status (the restrictions of a WORKING), null for most"),
  health: ZSessionHealthSchema,
  timestamp: z.number().describe("When the server sent it, ms"),
});

/**
 * What a probe or a reading of WhatsApp Web found, between status changes: the health block (last
 * probe), the account with its restrictions, the presence and the WhatsApp Web version. Every probe goes
 * to the session's subscribers; `*` subscribers get it only when something besides the probe times changed.
 */
export const ZSessionHealthMessageSchema = z.object({
  session: z.string(),
  health: ZSessionHealthSchema,
  me: ZMeSchema.nullable(),
  presence: ZPresenceSchema.nullable(),
  webVersion: z.string().nullable().describe("The WhatsApp Web version the page runs, null until read"),
  timestamp: z.number(),
});

/** A new QR value to render, or null once the code on screen must not be scanned any more. */
export const ZSessionQrMessageSchema = z.object({
  session: z.string(),
  value: z.string().nullable(),
  timestamp: z.number(),
});

/** A raw event of the engine's library (whatsapp-web.js), as it happened. */
export const ZEngineEventMessageSchema = z.object({
  session: z.string(),
  event: z.string().describe("The library's event name, e.g. qr, authenticated, ready"),
  data: z.unknown(),
  timestamp: z.number(),
});

/** A webhook delivery was created or changed (an attempt, a retry, a redelivery). */
export const ZDeliveryUpdateMessageSchema = z.object({
  session: z.string(),
  delivery: ZWebhookDeliverySchema,
});

export const SERVER_MESSAGES = {
  "session.status": ZSessionStatusMessageSchema,
  "session.health": ZSessionHealthMessageSchema,
  "session.qr": ZSessionQrMessageSchema,
  "engine.event": ZEngineEventMessageSchema,
  /** Every event envelope of the session, the same its webhooks get. */
  event: ZEventEnvelopeSchema,
  "delivery.update": ZDeliveryUpdateMessageSchema,
} as const;

export type TServerMessageName = keyof typeof SERVER_MESSAGES;
export type TServerMessage<TName extends TServerMessageName> = z.infer<(typeof SERVER_MESSAGES)[TName]>;

export type TMessageCheck<T> = { ok: true; message: T } | { ok: false; issues: string[] };

/** Checks a message against its schema: the parsed message, or each issue as `path: problem`. */
export function checkMessage<T>(schema: z.ZodType<T>, payload: unknown): TMessageCheck<T> {
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, message: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.join(".") || "(message)"}: ${issue.message}`) };
}

/** checkMessage with the schema of a server message, typed by its name. */
export function checkServerMessage<TName extends TServerMessageName>(name: TName, payload: unknown): TMessageCheck<TServerMessage<TName>> {
  return checkMessage<unknown>(SERVER_MESSAGES[name], payload) as TMessageCheck<TServerMessage<TName>>;
}
