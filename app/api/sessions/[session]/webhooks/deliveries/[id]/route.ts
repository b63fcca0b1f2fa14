import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { getWebhookDelivery } from "@/server/sessions/webhook-deliveries";

export const GET = apiRoute<{ session: string; id: string }>(async ({ params }) =>
  json(await getWebhookDelivery(sessionsContext(), params.session, params.id)),
);
