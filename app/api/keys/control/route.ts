import { ZScopedApiKeyRequestSchema } from "@/lib/api-keys";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { keysContext, scopedApiKey } from "@/server/keys/manage-keys";

/** Creates the session's control-only key, or gets the one it has (with the key, every time). */
export const POST = apiRoute(async ({ request }) => {
  const { session } = await readBody(request, ZScopedApiKeyRequestSchema);
  return json(await scopedApiKey(keysContext(), session, "control"), 201);
});
