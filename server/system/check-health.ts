import type { THealth } from "@/lib/health";
import { sessionsContext } from "../sessions/context";

/** GET /health: the database answers a query, and how many sessions run here. */
export async function checkHealth(): Promise<THealth> {
  const ctx = sessionsContext();
  const started = performance.now();
  const sessions = { running: ctx.host.runningNames().length };
  try {
    await ctx.db.$queryRawUnsafe("SELECT 1");
    return { status: "ok", database: { status: "up", latencyMs: elapsed(started) }, sessions };
  } catch (error) {
    ctx.logger.error({ err: error }, "health check: database unreachable");
    return { status: "error", database: { status: "down", latencyMs: elapsed(started), error: "database unreachable" }, sessions };
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;
