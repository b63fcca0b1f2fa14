import { ZSessionHistoryQuerySchema } from "@/lib/session-health";
import { apiRoute, json, readQuery } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { getSessionHistory } from "@/server/sessions/get-session-history";

export const GET = apiRoute<{ session: string }>(async ({ request, params }) =>
  json(await getSessionHistory(sessionsContext(), params.session, readQuery(request, ZSessionHistoryQuerySchema))),
);
