import type { TSessionResourceHistory } from "@/lib/session";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/**
 * GET /api/sessions/{session}/resources: the last hour of its browser's samples (memory, CPU, events per
 * minute), oldest first. They live in the memory of the process that runs the session, so in cluster mode the
 * request is forwarded to the owner like any command; a session that does not run has none (or those of its last hour).
 */
export async function getSessionResources(ctx: Pick<SessionsContext, "db" | "resources">, name: string): Promise<TSessionResourceHistory> {
  await getStoredSessionOrThrow(ctx.db, name);
  return {
    session: name,
    intervalSeconds: ctx.resources.intervalMs / 1000,
    samples: ctx.resources.history(name).map((sample) => ({
      timestamp: sample.timestamp,
      memory: { rss: sample.rssBytes, pss: sample.pssBytes },
      cpu: sample.cpuPercent === null ? null : Math.round(sample.cpuPercent * 10) / 10,
      eventsPerMinute: Math.round(sample.eventsPerMinute * 10) / 10,
    })),
  };
}
