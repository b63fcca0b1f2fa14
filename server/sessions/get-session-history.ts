import type { TSessionHistoryEntry, TSessionHistoryQuery } from "@/lib/session-health";
import type { SessionsContext } from "./context";
import { listHistory } from "./session-history";
import { getStoredSessionOrThrow } from "./session-repository";

/** GET /api/sessions/{session}/history: stored status changes, newest first; survives server restarts. */
export async function getSessionHistory(
  ctx: Pick<SessionsContext, "db">,
  name: string,
  query: TSessionHistoryQuery,
): Promise<TSessionHistoryEntry[]> {
  await getStoredSessionOrThrow(ctx.db, name);
  return listHistory(ctx.db, name, query);
}
