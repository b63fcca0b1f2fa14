import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { withSessionLifecycle } from "./session-lock";
import { getStoredSessionOrThrow, setDesiredState } from "./session-repository";
import { toSessionInfo } from "./session-info";

/** POST /api/sessions/{session}/restart: stop if running, then start. Works from STOPPED too. */
export async function restartSession(ctx: SessionsContext, name: string): Promise<TSession> {
  return withSessionLifecycle(name, "restart", async (superseded) => {
    const stored = await getStoredSessionOrThrow(ctx.db, name);
    const runsHere = !ctx.cluster || (await ctx.cluster.acquire(name));
    await setDesiredState(ctx.db, name, true, ctx.env.workerId);
    if (runsHere && !superseded()) await ctx.host.restart(name, stored.config, "restarted via API");
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), { withEngineInfo: true });
  });
}
