import type { TSession, TSessionListQuery } from "@/lib/session";
import type { OwnedStatus, SessionsContext } from "./context";
import { selectStoredSessions, type SessionFilter } from "./session-repository";
import { toSessionInfo } from "./session-info";

/**
 * GET /api/sessions. WAHA's semantics (running ones only unless `all=true`) plus server-side search:
 * status, exact metadata pairs (AND-ed), free text over name, phone, push name and metadata values,
 * and limit/offset pagination with the total count.
 */
export async function listSessions(ctx: SessionsContext, query: TSessionListQuery): Promise<{ items: TSession[]; total: number }> {
  // Cluster mode: what runs is what live workers own, cluster-wide; the whole set only when a filter needs it.
  const needsRunning = !query.all || Boolean(query.status?.length);
  const clusterWide = ctx.cluster && needsRunning ? await ctx.cluster.statusesOf() : undefined;
  const { items, total } = await selectStoredSessions(ctx.db, {
    names: nameFilter(ctx, query, clusterWide),
    metadata: query.metadata,
    q: query.q,
    limit: query.limit,
    offset: query.offset,
  });
  const owners = clusterWide ?? (ctx.cluster ? await ctx.cluster.statusesOf(items.map((stored) => stored.name)) : undefined);
  return { items: await Promise.all(items.map((stored) => toSessionInfo(ctx, stored, { owners }))), total };
}

/**
 * Live statuses are in the EngineHost (in cluster mode, in what the owners report), not in the session
 * rows: `all` and `status` become a name filter.
 */
function nameFilter(ctx: SessionsContext, query: TSessionListQuery, clusterWide?: Map<string, OwnedStatus>): SessionFilter["names"] {
  const local = ctx.host.runningNames();
  const running = clusterWide ? [...new Set([...clusterWide.keys(), ...local])] : local;
  const statusOf = (name: string) => (local.includes(name) ? ctx.host.snapshot(name).status : clusterWide?.get(name)?.status);
  const statuses = query.status;
  if (!statuses?.length) return query.all ? undefined : { in: running };
  const matching = running.filter((name) => statuses.includes(statusOf(name)!));
  if (!statuses.includes("STOPPED") || !query.all) return { in: matching };
  return { notIn: running.filter((name) => !matching.includes(name)) };
}
