import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { TAccount, TSessionListQuery } from "@/lib/session";
import type { TSessionConfig } from "@/lib/session-config";
import type { TSessionHealthMoment } from "@/lib/session-health";
import type { Db } from "../db";

/**
 * The one module that reads and writes a session's rows (`Session` and its `SessionMetadata`); no
 * other file touches those tables. Every write goes through the Prisma client, whose extension in
 * server/db.ts drops the in-memory read cache before and after it: a raw SQL write here would bypass
 * that, so there is none.
 *
 * The two hot reads (one session; a filtered, paginated list), both cached, are SQL: Prisma's query
 * compiler costs ~0.4 ms a query here against ~0.07 ms for the same SQL, and these run on every GET.
 * Prisma.sql keeps the placeholders portable (SQLite now, PostgreSQL later).
 */

/** A session as stored: its config, desired state, last known account, and last fault and disconnect. */
export interface StoredSession {
  name: string;
  config: TSessionConfig;
  running: boolean;
  me: TAccount | null;
  worker: string | null;
  lastActivityAt: Date | null;
  lastFailure: TSessionHealthMoment | null;
  lastDisconnect: TSessionHealthMoment | null;
}

type Row = {
  name: string;
  config: string;
  running: boolean | number;
  meId: string | null;
  meLid: string | null;
  meJid: string | null;
  mePushName: string | null;
  worker: string | null;
  lastActivityAt: StoredDate | null;
  lastFailureReason: string | null;
  lastFailureAt: StoredDate | null;
  lastDisconnectReason: string | null;
  lastDisconnectAt: StoredDate | null;
  total?: bigint | number;
};

/** A DateTime column as raw SQL returns it. */
type StoredDate = Date | string | number;

const COLUMNS = Prisma.sql`s."name", s."config", s."running", s."meId", s."meLid", s."meJid", s."mePushName", s."worker", s."lastActivityAt",
  s."lastFailureReason", s."lastFailureAt", s."lastDisconnectReason", s."lastDisconnectAt"`;
const NO_LIMIT = 2_147_483_647;

// ---------- reads ----------

/** One stored session, from memory when no write happened since it was last read (db.ts). Frozen: do not modify. */
export async function findStoredSession(db: Db, name: string): Promise<StoredSession | null> {
  return db.$sessionReads().read(name, async () => {
    const rows = await db.$queryRaw<Row[]>`SELECT ${COLUMNS} FROM "Session" s WHERE s."name" = ${name}`;
    return rows.length ? fromRow(rows[0]) : null;
  });
}

export async function getStoredSessionOrThrow(db: Db, name: string): Promise<StoredSession> {
  const stored = await findStoredSession(db, name);
  if (!stored) throw new AppError("session_not_found", `Session '${name}' not found`);
  return stored;
}

export interface SessionFilter {
  /** Only these names (live statuses come from the EngineHost, not the database). */
  names?: { in: string[] } | { notIn: string[] };
  metadata?: TSessionListQuery["metadata"];
  q?: string;
  /** Only sessions whose desired state is running on this worker. */
  runningOn?: string | null;
  limit?: number;
  offset: number;
}

/** A page of stored sessions and the total matching `filter`, from memory like one session (keyed by the whole filter). */
export async function selectStoredSessions(db: Db, filter: SessionFilter): Promise<{ items: StoredSession[]; total: number }> {
  return db.$sessionReads().read(`list:${JSON.stringify(filter)}`, () => queryStoredSessions(db, filter));
}

/** Every stored session, running or not (metrics). */
export async function countStoredSessions(db: Db): Promise<number> {
  return db.session.count();
}

async function queryStoredSessions(db: Db, filter: SessionFilter): Promise<{ items: StoredSession[]; total: number }> {
  const where = Prisma.join(conditions(filter), " AND ");
  const rows = await db.$queryRaw<Row[]>`
    SELECT ${COLUMNS}, COUNT(*) OVER () AS "total" FROM "Session" s
    WHERE ${where}
    ORDER BY s."name"
    LIMIT ${filter.limit ?? NO_LIMIT} OFFSET ${filter.offset}`;
  if (rows.length) return { items: rows.map(fromRow), total: Number(rows[0].total) };
  if (filter.offset === 0) return { items: [], total: 0 };
  // A page past the end has no row to carry the total.
  const [count] = await db.$queryRaw<{ total: bigint | number }[]>`SELECT COUNT(*) AS "total" FROM "Session" s WHERE ${where}`;
  return { items: [], total: Number(count.total) };
}

function conditions(filter: SessionFilter): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [Prisma.sql`1 = 1`];
  if (filter.runningOn !== undefined) {
    parts.push(
      filter.runningOn === null
        ? Prisma.sql`s."running" = ${true} AND s."worker" IS NULL`
        : Prisma.sql`s."running" = ${true} AND s."worker" = ${filter.runningOn}`,
    );
  }
  if (filter.names && "in" in filter.names) {
    parts.push(filter.names.in.length ? Prisma.sql`s."name" IN (${Prisma.join(filter.names.in)})` : Prisma.sql`1 = 0`);
  }
  if (filter.names && "notIn" in filter.names && filter.names.notIn.length) {
    parts.push(Prisma.sql`s."name" NOT IN (${Prisma.join(filter.names.notIn)})`);
  }
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM "SessionMetadata" m
      WHERE m."sessionName" = s."name" AND m."key" = ${key} AND m."value" = ${value})`);
  }
  const text = filter.q?.trim();
  if (text) {
    // LOWER(...) LIKE: case-insensitive on SQLite and PostgreSQL alike; \ escapes the user's % and _.
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (column: Prisma.Sql) => Prisma.sql`LOWER(${column}) LIKE ${pattern} ESCAPE '\\'`;
    // The phone is stored as digits (`4915112345678@c.us`): a number typed as the list shows it, or formatted
    // (`+49 151 1234-5678`), matches by its digits.
    const digits = phoneDigits(text);
    const phone = digits ? Prisma.sql` OR s."meId" LIKE ${`%${digits}%`}` : Prisma.empty;
    parts.push(Prisma.sql`(${like(Prisma.sql`s."name"`)} OR ${like(Prisma.sql`s."meId"`)}${phone} OR ${like(Prisma.sql`s."mePushName"`)}
      OR EXISTS (SELECT 1 FROM "SessionMetadata" m WHERE m."sessionName" = s."name" AND ${like(Prisma.sql`m."value"`)}))`);
  }
  return parts;
}

/**
 * The digits of a search that reads as a phone number written with formatting (`+49 151 1234-5678`,
 * `(555) 000-1111`, `+1.555.000`): digits and only `+`, spaces, `-`, `.`, `/` and brackets. Null otherwise, and
 * for bare digits (the plain search already matches those).
 */
function phoneDigits(text: string): string | null {
  if (!/^[\d\s+()./-]+$/.test(text) || /^\d+$/.test(text)) return null;
  const digits = text.replace(/\D/g, "");
  return digits || null;
}

// ---------- writes ----------

/** The columns and metadata rows that store `config`. */
function configData(config: TSessionConfig) {
  return {
    config: JSON.stringify(config),
    metadata: Object.entries(config.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/** A new session; an existing name is a 422 `session_exists`. */
export async function insertSession(
  db: Db,
  session: { name: string; config: TSessionConfig; running: boolean; worker: string | null },
): Promise<void> {
  const data = configData(session.config);
  try {
    await db.session.create({
      data: {
        name: session.name,
        config: data.config,
        running: session.running,
        worker: session.worker,
        lastActivityAt: new Date(),
        metadata: { createMany: { data: data.metadata } },
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("session_exists", `Session '${session.name}' already exists. Use PUT to update it.`);
    }
    throw error;
  }
}

/** A session with an empty config unless one of that name exists (WHATSAPP_START_SESSION). */
export async function ensureSession(db: Db, name: string, worker: string | null): Promise<void> {
  await db.session.upsert({ where: { name }, create: { name, running: true, worker }, update: {} });
}

/** Replace the stored config (and its searchable metadata rows) in one transaction. */
export async function saveConfig(db: Db, name: string, config: TSessionConfig, extra: { running?: boolean; worker?: string | null } = {}) {
  const data = configData(config);
  await db.$transaction([
    db.sessionMetadata.deleteMany({ where: { sessionName: name } }),
    db.session.update({
      where: { name },
      data: {
        config: data.config,
        ...extra,
        lastActivityAt: new Date(),
        metadata: { createMany: { data: data.metadata } },
      },
    }),
  ]);
}

/** Whether the session should run, and where. `asActivity: false` for the server's own moves (a restore at boot). */
export async function setDesiredState(
  db: Db,
  name: string,
  running: boolean,
  worker: string | null,
  options: { asActivity?: boolean } = {},
): Promise<void> {
  const activity = options.asActivity === false ? {} : { lastActivityAt: new Date() };
  await db.session.updateMany({ where: { name }, data: { running, worker, ...activity } });
}

/** The last known account (null after a logout), so a stopped session still shows it. */
export async function saveAccount(db: Db, name: string, me: TAccount | null): Promise<void> {
  await db.session.updateMany({
    where: { name },
    data: { meId: me?.id ?? null, meLid: me?.lid ?? null, meJid: me?.jid ?? null, mePushName: me?.pushName ?? null },
  });
}

/** The last fault and the last disconnect (either may be left as it is), so a restarted server still shows them. */
export async function saveHealth(
  db: Db,
  name: string,
  health: { lastFailure?: TSessionHealthMoment; lastDisconnect?: TSessionHealthMoment },
): Promise<void> {
  const data = {
    ...(health.lastFailure && { lastFailureReason: health.lastFailure.reason, lastFailureAt: new Date(health.lastFailure.timestamp) }),
    ...(health.lastDisconnect && {
      lastDisconnectReason: health.lastDisconnect.reason,
      lastDisconnectAt: new Date(health.lastDisconnect.timestamp),
    }),
  };
  if (Object.keys(data).length) await db.session.updateMany({ where: { name }, data });
}

/** Removes the session and (by cascade) its metadata and history. Idempotent. */
export async function removeSession(db: Db, name: string): Promise<void> {
  await db.session.deleteMany({ where: { name } });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

function fromRow(row: Row): StoredSession {
  return {
    name: row.name,
    // Validated by ZSessionConfigSchema on the way in; not parsed again on this hot path.
    config: JSON.parse(row.config) as TSessionConfig,
    running: Boolean(row.running),
    me: row.meId ? account(row) : null,
    worker: row.worker,
    lastActivityAt: row.lastActivityAt === null ? null : new Date(row.lastActivityAt),
    lastFailure: moment(row.lastFailureReason, row.lastFailureAt),
    lastDisconnect: moment(row.lastDisconnectReason, row.lastDisconnectAt),
  };
}

/** The stored account; LID and device JID are left out while unknown, as the API leaves them out. */
function account(row: Row): TAccount {
  return {
    id: row.meId!,
    ...(row.meLid !== null && { lid: row.meLid }),
    ...(row.meJid !== null && { jid: row.meJid }),
    pushName: row.mePushName,
  };
}

function moment(reason: string | null, at: StoredDate | null): TSessionHealthMoment | null {
  return reason === null || at === null ? null : { reason, timestamp: new Date(at).getTime() };
}
