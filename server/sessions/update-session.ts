import type { TSession } from "@/lib/session";
import type { TSessionConfig } from "@/lib/session-config";
import { keepRedactedSecrets } from "@/lib/session-secrets";
import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { getStoredSessionOrThrow, saveConfig } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * PUT /api/sessions/{session}: replace the whole config; a running session restarts with it.
 * A secret sent as the redaction placeholder keeps its stored value.
 */
export async function updateSession(ctx: SessionsContext, name: string, incoming: TSessionConfig): Promise<TSession> {
  return withSessionLock(name, async () => {
    const config = keepRedactedSecrets(incoming, (await getStoredSessionOrThrow(ctx.db, name)).config);
    await saveConfig(ctx.db, name, config);
    if (ctx.host.snapshot(name).status !== "STOPPED") await ctx.host.restart(name, config, "config updated");
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), { withEngineInfo: true });
  });
}
