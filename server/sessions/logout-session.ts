import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { getStoredSessionOrThrow, saveAccount } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * POST /api/sessions/{session}/logout: unlink the device, wipe auth data (the config stays), and
 * start again from scratch (a fresh QR) if it was running.
 */
export async function logoutSession(ctx: SessionsContext, name: string): Promise<TSession> {
  return withSessionLock(name, async () => {
    const stored = await getStoredSessionOrThrow(ctx.db, name);
    await ctx.host.logout(name, stored.config, "logged out via API");
    await saveAccount(ctx.db, name, null);
    return toSessionInfo(ctx, { ...stored, me: null }, { withEngineInfo: true });
  });
}
