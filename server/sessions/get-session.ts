import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";
import { toSessionInfo } from "./session-info";

/** GET /api/sessions/{session}; the config's secrets only with `revealSecrets`. */
export async function getSession(ctx: SessionsContext, name: string, options: { revealSecrets?: boolean } = {}): Promise<TSession> {
  return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), {
    withEngineInfo: true,
    withLogin: true,
    revealSecrets: options.revealSecrets,
  });
}
