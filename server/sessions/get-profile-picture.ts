import { AppError } from "@/lib/errors";
import type { TProfilePicture } from "../engines/engine";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/**
 * GET /api/sessions/{session}/profile-picture: the logged-in account's profile picture, fetched by this
 * server (the host keeps it a while, EngineHost.profilePicture) so a page never loads it from WhatsApp.
 * 404 when the session is not logged in or the account has no picture; an engine that cannot get it is
 * an engine error.
 */
export async function getProfilePicture(ctx: SessionsContext, name: string): Promise<TProfilePicture> {
  await getStoredSessionOrThrow(ctx.db, name);
  let picture: TProfilePicture | null;
  try {
    picture = await ctx.host.profilePicture(name);
  } catch (error) {
    throw new AppError("engine_error", `Could not get the profile picture: ${(error as Error).message}`);
  }
  if (!picture) throw new AppError("not_found", `Session '${name}' has no profile picture (it is not logged in, or the account has none)`);
  return picture;
}
