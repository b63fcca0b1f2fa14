import { z } from "zod";

/** WAHA's event names (docs/webhooks.md, Configuring webhooks). */
export const EVENT_NAMES = [
  "session.status",
  "message",
  "message.reaction",
  "message.any",
  "message.ack",
  "message.ack.group",
  "message.waiting",
  "message.revoked",
  "message.edited",
  "state.change",
  "group.join",
  "group.leave",
  "group.v2.join",
  "group.v2.leave",
  "group.v2.update",
  "group.v2.participants",
  "presence.update",
  "poll.vote",
  "poll.vote.failed",
  "chat.archive",
  "call.received",
  "call.accepted",
  "call.rejected",
  "label.upsert",
  "label.deleted",
  "label.chat.added",
  "label.chat.deleted",
  "event.response",
  "event.response.failed",
  "engine.event",
] as const;

export const ZEventNameSchema = z.enum(EVENT_NAMES);
export type TEventName = z.infer<typeof ZEventNameSchema>;

/** `*` subscribes to everything except these two, which must be listed by name (as in WAHA). */
const NOT_IN_WILDCARD: readonly TEventName[] = ["engine.event", "state.change"];

export const ZEventSubscriptionSchema = z.union([ZEventNameSchema, z.literal("*")], {
  error: `must be one of ${EVENT_NAMES.join(", ")} or *`,
});
export type TEventSubscription = z.infer<typeof ZEventSubscriptionSchema>;

export function subscriptionMatches(subscriptions: readonly string[], event: TEventName): boolean {
  if (subscriptions.includes(event)) return true;
  return subscriptions.includes("*") && !NOT_IN_WILDCARD.includes(event);
}
