import type { TSession, TSessionListQuery } from "@/lib/session";
import type { TSessionStatus } from "@/lib/session-status";
import type { OwnedStatus, SessionsContext } from "./context";
import { selectStoredSessions, type SessionFilter, type StoredSession } from "./session-repository";
import { deliveryTroubleOf } from "@/server/webhooks/delivery-log";
import { sessionActivity, toSessionInfo } from "./session-info";

/**
 * GET /api/sessions. WAHA's semantics (running ones only unless `all=true`) plus server-side search:
 * status, exact metadata pairs (AND-ed), free text over name, phone (by its digits, however written), push
 * name and metadata values, and limit/offset pagination with the total count. `sortBy=memory`, `status` and
 * `activity` (pageInOrder) read every match, then take the page. `only`: a session key's one session (the rest
 * are not there for it). Each session of the page carries its failing webhook deliveries (`webhookTrouble`).
 */
export async function listSessions(
  ctx: SessionsContext,
  query: TSessionListQuery,
  scope: { only?: string } = {},
): Promise<{ items: TSession[]; total: number }> {
  // Cluster mode: what runs is what live workers own, cluster-wide; the whole set only when a filter needs it.
  // An order other than by name needs the whole set too: the figures and statuses of sessions owned elsewhere come with it.
  const inOrder = query.sortBy === "memory" || query.sortBy === "status" || query.sortBy === "activity";
  const needsRunning = !query.all || Boolean(query.status?.length) || inOrder;
  const clusterWide = ctx.cluster && needsRunning ? await ctx.cluster.statusesOf() : undefined;
  const selected = await selectStoredSessions(ctx.db, {
    names: onlyName(nameFilter(ctx, query, clusterWide), scope.only),
    metadata: query.metadata,
    q: query.q,
    limit: inOrder ? undefined : query.limit,
    offset: inOrder ? 0 : query.offset,
  });
  const { total } = selected;
  const items = inOrder ? pageInOrder(ctx, selected.items, query, clusterWide) : selected.items;
  const owners = clusterWide ?? (ctx.cluster ? await ctx.cluster.statusesOf(items.map((stored) => stored.name)) : undefined);
  const [infos, trouble] = await Promise.all([
    Promise.all(items.map((stored) => toSessionInfo(ctx, stored, { owners }))),
    deliveryTroubleOf(
      ctx.db,
      items.map((stored) => stored.name),
      Date.now(),
    ),
  ]);
  return { items: infos.map((info) => ({ ...info, webhookTrouble: trouble.get(info.name) ?? null })), total };
}

/** sortBy=status: the sessions that need a look first. */
const STATUS_ORDER: TSessionStatus[] = ["FAILED", "SCAN_QR_CODE", "STARTING", "WORKING", "STOPPED"];

/**
 * The page asked for, of `stored` (in name order) in `query.sortBy`'s order, ties by name: memory, the browser's
 * PSS, largest first (sessions without one last); status, FAILED first, STOPPED last (STATUS_ORDER); activity,
 * the latest first, as the session's `timestamps.activity` has it (never active last). A session runs here (this
 * worker's figures and status) or elsewhere (its owner's, in `clusterWide`).
 */
function pageInOrder(
  ctx: SessionsContext,
  stored: StoredSession[],
  query: TSessionListQuery,
  clusterWide?: Map<string, OwnedStatus>,
): StoredSession[] {
  const local = new Set(ctx.host.runningNames());
  const rankOf = (session: StoredSession): number => {
    const here = local.has(session.name);
    if (query.sortBy === "status") {
      const status = here ? ctx.host.snapshot(session.name).status : (clusterWide?.get(session.name)?.status ?? "STOPPED");
      return STATUS_ORDER.indexOf(status);
    }
    if (query.sortBy === "activity") return -(sessionActivity(ctx.host.snapshot(session.name).statuses, session) ?? 0);
    return -((here ? ctx.resources.current(session.name)?.pssBytes : clusterWide?.get(session.name)?.resources?.memory.pss) ?? -1);
  };
  const rank = new Map(stored.map((session) => [session.name, rankOf(session)]));
  const sorted = [...stored].sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
  return sorted.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit);
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

/** `names` narrowed to the one name a session key sees (`only`), when there is one. */
function onlyName(names: SessionFilter["names"], only: string | undefined): SessionFilter["names"] {
  if (only === undefined) return names;
  if (!names) return { in: [only] };
  const kept = "in" in names ? names.in.includes(only) : !names.notIn.includes(only);
  return { in: kept ? [only] : [] };
}
