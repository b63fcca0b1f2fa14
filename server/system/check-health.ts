import type { THealth } from "@/lib/health";
import { sessionsContext } from "../sessions/context";
import { clusterNode } from "./workers";

/** GET /health: the database answers a query, how many sessions run here, and (cluster mode) whether this worker takes traffic. */
export async function checkHealth(): Promise<THealth> {
  const ctx = sessionsContext();
  const node = clusterNode();
  const started = performance.now();
  const sessions = { running: ctx.host.runningNames().length };
  const worker = node ? { worker: { id: node.workerId, state: node.state } } : {};
  try {
    await ctx.db.$queryRawUnsafe("SELECT 1");
    const ready = !node || node.state === "ready";
    return { status: ready ? "ok" : "error", database: { status: "up", latencyMs: elapsed(started) }, sessions, ...worker };
  } catch (error) {
    ctx.logger.error({ err: error }, "health check: database unreachable");
    return {
      status: "error",
      database: { status: "down", latencyMs: elapsed(started), error: "database unreachable" },
      sessions,
      ...worker,
    };
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;
