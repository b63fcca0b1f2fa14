import { ZSessionLogoutRequestSchema } from "@/lib/session";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { deleteSession } from "@/server/sessions/delete-session";

/** Deprecated: log out and delete. */
export const POST = apiRoute(async ({ request }) => {
  const body = await readBody(request, ZSessionLogoutRequestSchema);
  await deleteSession(sessionsContext(), body.name);
  return json(null, 201);
});
