import type { TSession } from "@/lib/session";
import type { SessionsContext } from "./context";
import { withSessionLifecycle } from "./session-lock";
import { findStoredSession, setDesiredState } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * POST /api/sessions/{session}/stop. Idempotent; does not log out or delete anything.
 * An unknown name gives null (an empty 201), as WAHA 2026 does.
 */
export async function stopSession(ctx: SessionsContext, name: string): Promise<TSession | null> {
  return withSessionLifecycle(name, "stop", async (superseded) => {
    const stored = await findStoredSession(ctx.db, name);
    if (!stored) return null;
    await setDesiredState(ctx.db, name, false, null);
    if (!superseded()) await ctx.host.stop(name, "stopped via API");
    await ctx.cluster?.release(name);
    return toSessionInfo(ctx, { ...stored, running: false, worker: null });
  });
}
