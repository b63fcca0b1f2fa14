import { ZSessionGetQuerySchema, ZSessionUpdateRequestSchema } from "@/lib/session";
import { requireSessionAction } from "@/server/http/authorize";
import { apiRoute, json, readBody, readQuery } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { deleteSession } from "@/server/sessions/delete-session";
import { getSession } from "@/server/sessions/get-session";
import { updateSession } from "@/server/sessions/update-session";

type Params = { session: string };

export const GET = apiRoute<Params>(async ({ request, params, caller }) => {
  const { revealSecrets } = readQuery(request, ZSessionGetQuerySchema);
  // The config's secrets in clear are the config's business: a session key needs `setting` too.
  if (revealSecrets) requireSessionAction(caller, params.session, "setting");
  return json(await getSession(sessionsContext(), params.session, { revealSecrets }));
});

export const PUT = apiRoute<Params>(async ({ request, params }) => {
  // The config replaces the stored one: a body of typos alone must not store an empty config.
  const { config } = await readBody(request, ZSessionUpdateRequestSchema, { requireKnownField: true });
  return json(await updateSession(sessionsContext(), params.session, config ?? {}));
});

export const DELETE = apiRoute<Params>(async ({ params }) => {
  await deleteSession(sessionsContext(), params.session);
  return json(null, 200);
});
