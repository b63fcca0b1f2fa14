import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { getMe } from "@/server/sessions/get-me";

export const GET = apiRoute<{ session: string }>(async ({ params }) => json(await getMe(sessionsContext(), params.session)));
