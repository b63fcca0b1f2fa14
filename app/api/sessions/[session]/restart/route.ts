import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { restartSession } from "@/server/sessions/restart-session";

export const POST = apiRoute<{ session: string }>(async ({ params }) => json(await restartSession(sessionsContext(), params.session), 201));
