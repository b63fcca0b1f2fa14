import { generateSessionName, type TSession, type TSessionCreateRequest } from "@/lib/session";
import { keepRedactedSecrets } from "@/lib/session-secrets";
import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { getStoredSessionOrThrow, insertSession } from "./session-repository";
import { toSessionInfo } from "./session-info";

/** POST /api/sessions: store the config, then start unless `start: false`. An existing name is a 422. */
export async function createSession(ctx: SessionsContext, request: TSessionCreateRequest): Promise<TSession> {
  const name = request.name || generateSessionName();
  // Nothing is stored yet, so a redaction placeholder stands for nothing: refused, never stored.
  const config = keepRedactedSecrets(request.config ?? {}, null);
  return withSessionLock(name, async () => {
    await insertSession(ctx.db, { name, config, running: request.start, worker: request.start ? ctx.env.workerId : null });
    // Cluster mode: if another worker's sweep placed it first, it runs there.
    if (request.start && (!ctx.cluster || (await ctx.cluster.acquire(name)))) await ctx.host.start(name, config, "created");
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name));
  });
}
