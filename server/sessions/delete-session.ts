import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { removeSession } from "./session-repository";

/** DELETE /api/sessions/{session}: unlink, stop, wipe auth data and config. Idempotent. */
export async function deleteSession(ctx: SessionsContext, name: string): Promise<void> {
  await withSessionLock(name, async () => {
    await ctx.host.remove(name);
    await removeSession(ctx.db, name);
    ctx.cluster?.forget(name);
  });
}
