import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { fetchMessageCapping } from "@/server/sessions/fetch-message-capping";

export const GET = apiRoute<{ session: string }>(async ({ params }) => json(await fetchMessageCapping(sessionsContext(), params.session)));
