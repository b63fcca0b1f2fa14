import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { stopSession } from "@/server/sessions/stop-session";

export const POST = apiRoute<{ session: string }>(async ({ params }) => json(await stopSession(sessionsContext(), params.session), 201));
