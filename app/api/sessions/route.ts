import { TOTAL_COUNT_HEADER, ZSessionCreateRequestSchema, ZSessionListQuerySchema } from "@/lib/session";
import { apiRoute, json, readBody, readQuery } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { createSession } from "@/server/sessions/create-session";
import { listSessions } from "@/server/sessions/list-sessions";

export const GET = apiRoute(async ({ request, caller }) => {
  // A session key lists its own session only.
  const only = caller.kind === "session" ? caller.session : undefined;
  const { items, total } = await listSessions(sessionsContext(), readQuery(request, ZSessionListQuerySchema), { only });
  return json(items, 200, { [TOTAL_COUNT_HEADER]: String(total) });
});

export const POST = apiRoute(async ({ request }) => {
  const body = await readBody(request, ZSessionCreateRequestSchema);
  return json(await createSession(sessionsContext(), body), 201);
});
