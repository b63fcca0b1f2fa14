import { ZPairingCodeRequestSchema, type TPairingCode } from "@/lib/session";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { sessionsContext } from "@/server/sessions/context";
import { requestPairingCode } from "@/server/sessions/request-pairing-code";

export const POST = apiRoute<{ session: string }>(async ({ request, params }) => {
  const { phoneNumber } = await readBody(request, ZPairingCodeRequestSchema);
  const body: TPairingCode = { code: await requestPairingCode(sessionsContext(), params.session, phoneNumber) };
  return json(body, 201);
});
