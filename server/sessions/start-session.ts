import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { withSessionLifecycle } from "./session-lock";
import { getStoredSessionOrThrow, setDesiredState } from "./session-repository";
import { toSessionInfo } from "./session-info";

/** POST /api/sessions/{session}/start. Idempotent: a running session is left as it is. */
export async function startSession(ctx: SessionsContext, name: string): Promise<TSession> {
  return withSessionLifecycle(name, "start", async (superseded) => {
    const stored = await getStoredSessionOrThrow(ctx.db, name);
    // Cluster mode: owned first, so no sweep places it elsewhere once it is wanted running.
    const runsHere = !ctx.cluster || (await ctx.cluster.acquire(name));
    await setDesiredState(ctx.db, name, true, ctx.env.workerId);
    if (runsHere && !superseded()) await ctx.host.start(name, stored.config, "started via API");
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), { withEngineInfo: true });
  });
}
