import { AppError } from "@/lib/errors";
import type { TWebhookDeliveryDetail } from "@/lib/webhook-delivery";
import { findDeliveryDetail } from "../webhooks/delivery-log";
import { webhookUserAgent } from "../webhooks/webhook-request";
import type { SessionsContext } from "./context";

/**
 * GET /api/sessions/{session}/webhooks/deliveries/{id}: one delivery with every attempt, the
 * envelope it carries and the request's headers (custom header values redacted). A delivery of another session is not found, like one that does not exist;
 * the delivery row is the one lookup (its session column scopes it).
 */
export async function getWebhookDelivery(
  ctx: Pick<SessionsContext, "db" | "publisher">,
  session: string,
  id: string,
): Promise<TWebhookDeliveryDetail> {
  const detail = await findDeliveryDetail(ctx.db, id, session, webhookUserAgent(ctx.publisher.environment.version));
  if (!detail) throw new AppError("not_found", `Webhook delivery '${id}' not found`);
  return detail;
}
