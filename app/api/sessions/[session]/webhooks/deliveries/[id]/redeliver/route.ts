import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { redeliverWebhookDelivery } from "@/server/sessions/redeliver-webhook-delivery";

export const POST = apiRoute<{ session: string; id: string }>(async ({ params }) =>
  json(await redeliverWebhookDelivery(sessionsContext(), params.session, params.id), 201),
);
