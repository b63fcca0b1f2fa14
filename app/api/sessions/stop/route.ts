import { ZSessionStopRequestSchema } from "@/lib/session";
import { requireSessionAction } from "@/server/http/authorize";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { stopSessionDeprecated } from "@/server/sessions/deprecated";

/** Deprecated: stop; with `logout: true` also log out and delete. */
export const POST = apiRoute(async ({ request, caller }) => {
  const body = await readBody(request, ZSessionStopRequestSchema);
  requireSessionAction(caller, body.name, "control");
  if (body.logout) requireSessionAction(caller, body.name, "delete");
  await stopSessionDeprecated(sessionsContext(), body.name, body.logout);
  return json(null, 201);
});
