import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { startSession } from "@/server/sessions/start-session";

export const POST = apiRoute<{ session: string }>(async ({ params }) => json(await startSession(sessionsContext(), params.session), 201));
