import { ZDeliveryListQuerySchema } from "@/lib/webhook-delivery";
import { apiRoute, json, readQuery } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { listWebhookDeliveries } from "@/server/sessions/list-webhook-deliveries";

export const GET = apiRoute<{ session: string }>(async ({ request, params }) =>
  json(await listWebhookDeliveries(sessionsContext(), params.session, readQuery(request, ZDeliveryListQuerySchema))),
);
