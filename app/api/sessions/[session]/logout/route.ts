import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { logoutSession } from "@/server/sessions/logout-session";

export const POST = apiRoute<{ session: string }>(async ({ params }) => json(await logoutSession(sessionsContext(), params.session), 201));
