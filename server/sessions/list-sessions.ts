import type { TSession, TSessionListQuery } from "@/lib/session";
import type { SessionsContext } from "./context";
import { selectStoredSessions, type SessionFilter } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * GET /api/sessions. WAHA's semantics (running ones only unless `all=true`) plus server-side search:
 * status, exact metadata pairs (AND-ed), free text over name, phone, push name and metadata values,
 * and limit/offset pagination with the total count.
 */
export async function listSessions(ctx: SessionsContext, query: TSessionListQuery): Promise<{ items: TSession[]; total: number }> {
  const { items, total } = await selectStoredSessions(ctx.db, {
    names: nameFilter(ctx, query),
    metadata: query.metadata,
    q: query.q,
    limit: query.limit,
    offset: query.offset,
  });
  return { items: await Promise.all(items.map((stored) => toSessionInfo(ctx, stored))), total };
}

/** Live statuses are in the EngineHost, not the database: `all` and `status` become a name filter. */
function nameFilter(ctx: SessionsContext, query: TSessionListQuery): SessionFilter["names"] {
  const running = ctx.host.runningNames();
  const statuses = query.status;
  if (!statuses?.length) return query.all ? undefined : { in: running };
  const matching = running.filter((name) => statuses.includes(ctx.host.snapshot(name).status));
  if (!statuses.includes("STOPPED") || !query.all) return { in: matching };
  return { notIn: running.filter((name) => !matching.includes(name)) };
}
