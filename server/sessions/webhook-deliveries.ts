import type { TDeliveryList, TDeliveryListQuery, TWebhookDelivery, TWebhookDeliveryDetail, TWebhookTargetRef } from "@/lib/webhook-delivery";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/** The delivery log of a session's webhooks: GET .../webhooks/deliveries. */
export async function listWebhookDeliveries(ctx: SessionsContext, session: string, query: TDeliveryListQuery): Promise<TDeliveryList> {
  await getStoredSessionOrThrow(ctx.db, session);
  return ctx.deliveries.listDeliveries({ session, ...query });
}

/** One delivery with its attempts and the envelope it carries. */
export function getWebhookDelivery(ctx: SessionsContext, session: string, id: string): Promise<TWebhookDeliveryDetail> {
  return ctx.deliveries.getDelivery(id, { session });
}

/** Send a stored delivery again (same body and request id, a new attempt cycle). */
export function redeliverWebhook(ctx: SessionsContext, session: string, id: string): Promise<TWebhookDelivery> {
  return ctx.deliveries.redeliver(id, { session });
}

/** A synthetic event through the same durable pipeline, to check a receiver end to end. */
export async function sendWebhookTestEvent(ctx: SessionsContext, session: string, webhook: TWebhookTargetRef): Promise<TWebhookDelivery> {
  await getStoredSessionOrThrow(ctx.db, session);
  return ctx.deliveries.sendTestEvent(session, webhook);
}
