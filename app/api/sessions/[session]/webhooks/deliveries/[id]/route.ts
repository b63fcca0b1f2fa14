import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { getWebhookDelivery } from "@/server/sessions/get-webhook-delivery";

export const GET = apiRoute<{ session: string; id: string }>(async ({ params }) =>
  json(await getWebhookDelivery(sessionsContext(), params.session, params.id)),
);
