import { AppError } from "@/lib/errors";
import type { TSessionDto } from "@/lib/session";
import type { TSessionConfig } from "@/lib/session-config";
import { keepRedactedSecrets, redactSecrets } from "@/lib/session-secrets";
import type { SessionsContext } from "./context";
import { deleteSession } from "./delete-session";
import { withSessionLock } from "./session-lock";
import { findStoredSession, insertSession, saveConfig } from "./session-repository";
import { stopSession } from "./stop-session";

/** The deprecated body-named routes (POST /api/sessions/start|stop|logout), kept for old clients. */

/**
 * POST /api/sessions/start: create or replace the config, then start. 422 if it is already running.
 * A secret sent as the redaction placeholder keeps its stored value, as with PUT.
 */
export async function upsertAndStartSession(ctx: SessionsContext, name: string, incoming: TSessionConfig): Promise<TSessionDto> {
  return withSessionLock(name, async () => {
    if (ctx.host.snapshot(name).status !== "STOPPED") {
      throw new AppError("session_already_started", `Session '${name}' is already started.`);
    }
    const stored = await findStoredSession(ctx.db, name);
    const config = keepRedactedSecrets(incoming, stored?.config ?? null);
    if (stored) {
      await saveConfig(ctx.db, name, config, { running: true, worker: ctx.env.workerId });
    } else {
      await insertSession(ctx.db, { name, config, running: true, worker: ctx.env.workerId });
    }
    if (ctx.cluster && !(await ctx.cluster.acquire(name))) return { name, status: "STARTING", config: redactSecrets(config) };
    const snapshot = await ctx.host.start(name, config, "started via API");
    return { name, status: snapshot.status, config: redactSecrets(config) };
  });
}

/** POST /api/sessions/stop: stop, or with `logout: true` stop, log out and delete. */
export async function stopSessionDeprecated(ctx: SessionsContext, name: string, logout: boolean): Promise<void> {
  if (logout) await deleteSession(ctx, name);
  else await stopSession(ctx, name);
}
