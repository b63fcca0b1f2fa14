import { ZApiKeyRequestSchema } from "@/lib/api-keys";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { createApiKey, keysContext, listKeys } from "@/server/keys/manage-keys";

/** Admins only (server/http/route-access.ts). Keys are listed masked. */
export const GET = apiRoute(async () => json(await listKeys(keysContext())));

/** The answer carries the key, the only time it is shown. */
export const POST = apiRoute(async ({ request }) =>
  json(await createApiKey(keysContext(), await readBody(request, ZApiKeyRequestSchema)), 201),
);
