import QRCode from "qrcode";
import { ZQrQuerySchema, type TQrValue } from "@/lib/session";
import { apiRoute, json, readQuery } from "@/server/http/handler";
import { imageResponse } from "@/server/http/respond";
import { sessionsContext } from "@/server/sessions/context";
import { getQrValue } from "@/server/sessions/get-qr";

export const GET = apiRoute<{ session: string }>(async ({ request, params }) => {
  const { format } = readQuery(request, ZQrQuerySchema);
  const value = await getQrValue(sessionsContext(), params.session);
  if (format === "raw") return json({ value } satisfies TQrValue);
  return imageResponse(request, await QRCode.toBuffer(value, { type: "png" }), "image/png");
});
