import type { TSession } from "@/lib/session";
import { restartingFieldsChanged, type TSessionConfig } from "@/lib/session-config";
import { keepRedactedSecrets } from "@/lib/session-secrets";
import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { getStoredSessionOrThrow, saveConfig } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * PUT /api/sessions/{session}: replace the whole config. A running session restarts with it when a field
 * its browser reads changed; a change to metadata, webhooks or ignore only applies to its next events
 * (LIVE_CONFIG_FIELDS). A secret sent as the redaction placeholder keeps its stored value.
 */
export async function updateSession(ctx: SessionsContext, name: string, incoming: TSessionConfig): Promise<TSession> {
  return withSessionLock(name, async () => {
    const stored = (await getStoredSessionOrThrow(ctx.db, name)).config;
    const config = keepRedactedSecrets(incoming, stored);
    await saveConfig(ctx.db, name, config);
    if (ctx.host.snapshot(name).status !== "STOPPED") {
      // Compared with what it runs with, not with what was stored: they differ only if a save was lost midway.
      if (restartingFieldsChanged(ctx.host.config(name), config).length > 0) await ctx.host.restart(name, config, "config updated");
      else await ctx.host.applyConfig(name, config);
    }
    return toSessionInfo(ctx, await getStoredSessionOrThrow(ctx.db, name), { withEngineInfo: true });
  });
}
