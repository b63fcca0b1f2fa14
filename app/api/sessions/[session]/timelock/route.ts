import { apiRoute, json } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { fetchReachoutTimelock } from "@/server/sessions/fetch-reachout-timelock";

export const GET = apiRoute<{ session: string }>(async ({ params }) =>
  json(await fetchReachoutTimelock(sessionsContext(), params.session)),
);
