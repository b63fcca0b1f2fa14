import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { ensureSession, findStoredSession, selectStoredSessions, setDesiredState } from "./session-repository";

/**
 * Boot: start what should be running. WHATSAPP_RESTART_ALL_SESSIONS starts every stored session;
 * otherwise (WAHA_WORKER_RESTART_SESSIONS, default on) those that were running on this worker;
 * then the names in WHATSAPP_START_SESSION (created with an empty config if missing).
 * Starts are paced by WAHA_AUTO_START_DELAY_SECONDS. Auth data on disk means no new QR.
 */
export async function restoreSessions(ctx: SessionsContext, signal?: AbortSignal): Promise<string[]> {
  const { restore, workerId } = ctx.env;
  // Cluster mode: the sweeps of all workers place every session that should run (server/cluster/cluster-node.ts).
  if (ctx.cluster) {
    for (const name of restore.named) {
      await ensureSession(ctx.db, name, workerId);
      await setDesiredState(ctx.db, name, true, workerId, { asActivity: false });
    }
    return [];
  }
  const { items } = await selectStoredSessions(ctx.db, {
    ...(restore.allSessions ? {} : restore.workerSessions ? { runningOn: workerId } : { names: { in: [] } }),
    offset: 0,
  });
  for (const stored of items) ctx.host.remember(stored.name, stored.me);

  const names = new Set(items.map((stored) => stored.name));
  for (const name of restore.named) {
    if (names.has(name)) continue;
    await ensureSession(ctx.db, name, workerId);
    names.add(name);
  }

  const started: string[] = [];
  for (const name of names) {
    if (signal?.aborted) break;
    if (started.length && restore.delayMs) await new Promise((resolve) => setTimeout(resolve, restore.delayMs));
    await withSessionLock(name, async () => {
      const stored = await findStoredSession(ctx.db, name);
      if (!stored) return;
      await setDesiredState(ctx.db, name, true, workerId, { asActivity: false });
      await ctx.host.start(name, stored.config, "restored at boot");
      started.push(name);
    });
  }
  ctx.logger.info({ count: started.length }, "sessions restored");
  return started;
}
