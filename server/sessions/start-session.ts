import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { withSessionLifecycle } from "./session-lock";
import { getStoredSessionOrThrow, setDesiredState } from "./session-repository";
import { toSessionInfo } from "./session-info";

/** POST /api/sessions/{session}/start. Idempotent: a running session is left as it is. */
export async function startSession(ctx: SessionsContext, name: string): Promise<TSession> {
  return withSessionLifecycle(name, "start", async (superseded) => {
    const stored = await getStoredSessionOrThrow(ctx.db, name);
    await setDesiredState(ctx.db, name, true, ctx.env.workerId);
    if (!superseded()) await ctx.host.start(name, stored.config, "started via API");
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), { withEngineInfo: true });
  });
}
