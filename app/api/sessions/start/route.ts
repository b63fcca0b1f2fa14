import { ZSessionStartRequestSchema } from "@/lib/session";
import { requireSessionAction } from "@/server/http/authorize";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { upsertAndStartSession } from "@/server/sessions/deprecated";

/** Deprecated: create or update, then start. */
export const POST = apiRoute(async ({ request, caller }) => {
  const body = await readBody(request, ZSessionStartRequestSchema);
  requireSessionAction(caller, body.name, "control");
  // It creates the session or replaces its config: a session key also needs `setting` (it cannot create).
  requireSessionAction(caller, body.name, "setting");
  return json(await upsertAndStartSession(sessionsContext(), body.name, body.config ?? {}), 201);
});
