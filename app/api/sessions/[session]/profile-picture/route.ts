import { apiRoute } from "@/server/http/handler";
import { imageResponse } from "@/server/http/respond";
import { sessionsContext } from "@/server/sessions/context";
import { getProfilePicture } from "@/server/sessions/get-profile-picture";

/** The account's picture changes rarely and the server keeps it 10 minutes: a browser may keep it as long. */
const CACHE_CONTROL = "private, max-age=600";

export const GET = apiRoute<{ session: string }>(async ({ request, params }) => {
  const picture = await getProfilePicture(sessionsContext(), params.session);
  return imageResponse(request, picture.bytes, picture.contentType, 200, CACHE_CONTROL);
});
