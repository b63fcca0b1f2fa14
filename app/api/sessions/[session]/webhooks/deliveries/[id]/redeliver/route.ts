import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { redeliverWebhook } from "@/server/sessions/webhook-deliveries";

export const POST = apiRoute<{ session: string; id: string }>(async ({ params }) =>
  json(await redeliverWebhook(sessionsContext(), params.session, params.id), 201),
);
