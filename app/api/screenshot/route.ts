import { z } from "zod";
import { apiRoute, readQuery } from "@/server/http/handler";
import { imageResponse } from "@/server/http/respond";
import { sessionsContext } from "@/server/sessions/context";
import { takeScreenshot } from "@/server/sessions/take-screenshot";

const ZScreenshotQuerySchema = z.object({ session: z.string().min(1).default("default") });

export const GET = apiRoute(async ({ request }) => {
  const { session } = readQuery(request, ZScreenshotQuerySchema);
  return imageResponse(request, await takeScreenshot(sessionsContext(), session), "image/png");
});
