import { ZApiKeyRequestSchema } from "@/lib/api-keys";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { deleteApiKey, keysContext, updateApiKey } from "@/server/keys/manage-keys";

type Params = { id: string };

export const PUT = apiRoute<Params>(async ({ request, params }) =>
  json(await updateApiKey(keysContext(), params.id, await readBody(request, ZApiKeyRequestSchema, { requireKnownField: true }))),
);

export const DELETE = apiRoute<Params>(async ({ params }) => {
  await deleteApiKey(keysContext(), params.id);
  return json(null, 200);
});
