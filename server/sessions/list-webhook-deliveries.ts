import type { TDeliveryList, TDeliveryListQuery } from "@/lib/webhook-delivery";
import { listDeliveries } from "../webhooks/delivery-log";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/** GET /api/sessions/{session}/webhooks/deliveries: newest first, with the total matching the filter. */
export async function listWebhookDeliveries(
  ctx: Pick<SessionsContext, "db">,
  session: string,
  query: Partial<TDeliveryListQuery>,
): Promise<TDeliveryList> {
  await getStoredSessionOrThrow(ctx.db, session);
  return listDeliveries(ctx.db, { ...query, session });
}
