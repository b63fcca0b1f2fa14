import { AppError } from "@/lib/errors";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { SessionsContext } from "./context";

/**
 * POST /api/sessions/{session}/webhooks/deliveries/{id}/redeliver: the stored request again (same
 * body, same X-Webhook-Request-Id, the webhook config of the time it was emitted). delivered/dead
 * start a new attempt cycle; a pending row is tried now; an in_flight row is left alone. Through the
 * dispatcher, which reads the row once and wakes itself; a delivery of another session is not found.
 */
export async function redeliverWebhookDelivery(
  ctx: Pick<SessionsContext, "dispatcher">,
  session: string,
  id: string,
): Promise<TWebhookDelivery> {
  const delivery = await ctx.dispatcher.requeue(id, { session });
  if (!delivery) throw new AppError("not_found", `Webhook delivery '${id}' not found`);
  return delivery;
}
