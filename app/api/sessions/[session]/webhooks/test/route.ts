import { ZWebhookTestRequestSchema } from "@/lib/webhook-delivery";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { listWebhookTestTargets, sendWebhookTestEvent } from "@/server/sessions/send-webhook-test-event";

export const GET = apiRoute<{ session: string }>(async ({ params }) =>
  json(await listWebhookTestTargets(sessionsContext(), params.session)),
);

export const POST = apiRoute<{ session: string }>(async ({ request, params }) => {
  const { webhook } = await readBody(request, ZWebhookTestRequestSchema);
  return json(await sendWebhookTestEvent(sessionsContext(), params.session, webhook), 201);
});
