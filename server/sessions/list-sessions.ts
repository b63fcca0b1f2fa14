import type { Prisma } from "@/generated/prisma/client";
import type { TSession, TSessionListQuery } from "@/lib/session";
import type { SessionsContext } from "./context";
import { STORED_SESSION_SELECT, toStoredSession } from "./session-store";
import { toSessionInfo } from "./session-info";

/**
 * GET /api/sessions. WAHA's semantics (running ones only unless `all=true`) plus server-side search:
 * status, exact metadata pairs (AND-ed), free text over name, phone, push name and metadata values,
 * and limit/offset pagination with the total count.
 */
export async function listSessions(
  ctx: SessionsContext,
  query: TSessionListQuery,
): Promise<{ items: TSession[]; total: number }> {
  const where: Prisma.SessionWhereInput[] = [];
  const running = ctx.host.runningNames();

  if (!query.all) where.push({ name: { in: running } });
  if (query.status?.length) where.push(statusFilter(ctx, query.status, running));
  for (const [key, value] of Object.entries(query.metadata ?? {})) {
    where.push({ metadata: { some: { key, value } } });
  }
  if (query.q?.trim()) {
    const text = query.q.trim();
    where.push({
      OR: [
        { name: { contains: text } },
        { meId: { contains: text } },
        { mePushName: { contains: text } },
        { metadata: { some: { value: { contains: text } } } },
      ],
    });
  }

  const filter: Prisma.SessionWhereInput = where.length ? { AND: where } : {};
  const [rows, total] = await Promise.all([
    ctx.db.session.findMany({
      where: filter,
      select: STORED_SESSION_SELECT,
      orderBy: { name: "asc" },
      skip: query.offset,
      take: query.limit,
    }),
    ctx.db.session.count({ where: filter }),
  ]);
  const items = await Promise.all(rows.map((row) => toSessionInfo(ctx, toStoredSession(row))));
  return { items, total };
}

/** Live statuses are in the EngineHost, not the database: turn them into a name filter. */
function statusFilter(
  ctx: SessionsContext,
  statuses: NonNullable<TSessionListQuery["status"]>,
  running: string[],
): Prisma.SessionWhereInput {
  const matching = running.filter((name) => statuses.includes(ctx.host.snapshot(name).status));
  if (!statuses.includes("STOPPED")) return { name: { in: matching } };
  const notMatching = running.filter((name) => !matching.includes(name));
  return { name: { notIn: notMatching } };
}
