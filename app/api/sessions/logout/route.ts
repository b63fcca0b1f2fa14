import { ZSessionLogoutRequestSchema } from "@/lib/session";
import { requireSessionAction } from "@/server/http/authorize";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { deleteSession } from "@/server/sessions/delete-session";

/** Deprecated: log out and delete. */
export const POST = apiRoute(async ({ request, caller }) => {
  const body = await readBody(request, ZSessionLogoutRequestSchema);
  requireSessionAction(caller, body.name, "control");
  requireSessionAction(caller, body.name, "delete");
  await deleteSession(sessionsContext(), body.name);
  return json(null, 201);
});
