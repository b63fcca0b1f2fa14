import type { SessionsContext } from "./context";
import { withSessionLock } from "./session-lock";
import { toStoredSession, STORED_SESSION_SELECT } from "./session-store";

/**
 * Boot: start what should be running. WHATSAPP_RESTART_ALL_SESSIONS starts every stored session;
 * otherwise (WAHA_WORKER_RESTART_SESSIONS, default on) those that were running on this worker;
 * then the names in WHATSAPP_START_SESSION (created with an empty config if missing).
 * Starts are paced by WAHA_AUTO_START_DELAY_SECONDS. Auth data on disk means no new QR.
 */
export async function restoreSessions(ctx: SessionsContext, signal?: AbortSignal): Promise<string[]> {
  const { restore, workerId } = ctx.env;
  const rows = await ctx.db.session.findMany({
    where: restore.allSessions ? {} : restore.workerSessions ? { running: true, worker: workerId } : { name: { in: [] } },
    select: STORED_SESSION_SELECT,
    orderBy: { name: "asc" },
  });
  for (const row of rows) ctx.host.remember(row.name, toStoredSession(row).me);

  const names = new Set(rows.map((row) => row.name));
  for (const name of restore.named) {
    if (names.has(name)) continue;
    await ctx.db.session.upsert({ where: { name }, create: { name, running: true, worker: workerId }, update: {} });
    names.add(name);
  }

  const started: string[] = [];
  for (const name of names) {
    if (signal?.aborted) break;
    if (started.length && restore.delayMs) await new Promise((resolve) => setTimeout(resolve, restore.delayMs));
    await withSessionLock(name, async () => {
      const row = await ctx.db.session.findUnique({ where: { name }, select: STORED_SESSION_SELECT });
      if (!row) return;
      await ctx.db.session.update({ where: { name }, data: { running: true, worker: workerId } });
      await ctx.host.start(name, toStoredSession(row).config, "restored at boot");
      started.push(name);
    });
  }
  ctx.logger.info({ count: started.length }, "sessions restored");
  return started;
}
