import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { getSessionResources } from "@/server/sessions/get-session-resources";

export const GET = apiRoute<{ session: string }>(async ({ params }) => json(await getSessionResources(sessionsContext(), params.session)));
