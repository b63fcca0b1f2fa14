import { ZSessionStartRequestSchema } from "@/lib/session";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { upsertAndStartSession } from "@/server/sessions/deprecated";

/** Deprecated: create or update, then start. */
export const POST = apiRoute(async ({ request }) => {
  const body = await readBody(request, ZSessionStartRequestSchema);
  return json(await upsertAndStartSession(sessionsContext(), body.name, body.config ?? {}), 201);
});
