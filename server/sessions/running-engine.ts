import { AppError } from "@/lib/errors";
import type { Engine } from "../engines/engine";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/** The live engine of a session, or a 404 that says how to get one (WAHA's wording). */
export async function getRunningEngine(ctx: SessionsContext, name: string): Promise<Engine> {
  await getStoredSessionOrThrow(ctx.db, name);
  const engine = ctx.host.engine(name);
  if (!engine) {
    throw new AppError(
      "session_not_found",
      `We didn't find a session with name '${name}'.\nPlease start it first by using POST /api/sessions/${name}/start request`,
    );
  }
  return engine;
}
