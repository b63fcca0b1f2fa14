import { SESSION_ACTIONS, type TSessionActions } from "@/lib/api-keys";
import type { Db } from "../db";

/**
 * The one module that reads and writes the `ApiKey` rows. Every write goes through the Prisma client, whose
 * extension (server/db.ts) drops the keys held in memory; in cluster mode a trigger tells the other workers
 * (server/cluster/signals.ts).
 */

export type TKeyScope = "control" | "media";

export interface StoredApiKey {
  id: string;
  keyHash: string;
  keyPrefix: string;
  isAdmin: boolean;
  session: string | null;
  isActive: boolean;
  /** Whole for a session key; null for an admin key. */
  actions: TSessionActions | null;
  scope: TKeyScope | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Row = {
  id: string;
  keyHash: string;
  keyPrefix: string;
  isAdmin: boolean;
  sessionName: string | null;
  isActive: boolean;
  actions: string | null;
  scope: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
};

function toStored(row: Row): StoredApiKey {
  return {
    id: row.id,
    keyHash: row.keyHash,
    keyPrefix: row.keyPrefix,
    isAdmin: row.isAdmin,
    session: row.sessionName,
    isActive: row.isActive,
    actions: row.actions === null ? null : parseActions(row.actions),
    scope: row.scope === "control" || row.scope === "media" ? row.scope : null,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}

/** Stored actions: what is not `true` is not allowed, whatever else the text holds. */
function parseActions(text: string): TSessionActions {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Unreadable: nothing is allowed.
  }
  return Object.fromEntries(SESSION_ACTIONS.map((action) => [action, parsed?.[action] === true])) as TSessionActions;
}

/** Active keys by their visible prefix, for resolving a presented key; from memory until a key is written. */
export async function activeKeysByPrefix(db: Db): Promise<Map<string, StoredApiKey[]>> {
  return db.$keyReads().read("active", async () => {
    const rows = await db.apiKey.findMany({ where: { isActive: true } });
    const byPrefix = new Map<string, StoredApiKey[]>();
    for (const row of rows) {
      const key = toStored(row);
      byPrefix.set(key.keyPrefix, [...(byPrefix.get(key.keyPrefix) ?? []), key]);
    }
    return byPrefix;
  });
}

export async function listApiKeys(db: Db): Promise<StoredApiKey[]> {
  const rows = await db.apiKey.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toStored);
}

export async function findApiKey(db: Db, id: string): Promise<StoredApiKey | null> {
  const row = await db.apiKey.findUnique({ where: { id } });
  return row && toStored(row);
}

export async function findScopedKey(db: Db, session: string, scope: TKeyScope): Promise<StoredApiKey | null> {
  const row = await db.apiKey.findFirst({ where: { sessionName: session, scope }, orderBy: { createdAt: "asc" } });
  return row && toStored(row);
}

export interface ApiKeyFields {
  isAdmin: boolean;
  session: string | null;
  isActive: boolean;
  actions: TSessionActions | null;
}

export async function insertApiKey(
  db: Db,
  key: ApiKeyFields & { id: string; keyHash: string; keyPrefix: string; scope: TKeyScope | null },
): Promise<StoredApiKey> {
  const row = await db.apiKey.create({
    data: {
      id: key.id,
      keyHash: key.keyHash,
      keyPrefix: key.keyPrefix,
      isAdmin: key.isAdmin,
      sessionName: key.session,
      isActive: key.isActive,
      actions: key.actions && JSON.stringify(key.actions),
      scope: key.scope,
    },
  });
  return toStored(row);
}

/** null when the key does not exist (any more). */
export async function updateApiKey(db: Db, id: string, fields: ApiKeyFields): Promise<StoredApiKey | null> {
  const { count } = await db.apiKey.updateMany({
    where: { id },
    data: {
      isAdmin: fields.isAdmin,
      sessionName: fields.session,
      isActive: fields.isActive,
      actions: fields.actions && JSON.stringify(fields.actions),
    },
  });
  return count ? findApiKey(db, id) : null;
}

/** A one-action key whose derivation changed (a new root key): its new hash. */
export async function rehashApiKey(db: Db, id: string, keyHash: string, keyPrefix: string): Promise<void> {
  await db.apiKey.updateMany({ where: { id }, data: { keyHash, keyPrefix } });
}

/** Whether a key was deleted. */
export async function deleteApiKey(db: Db, id: string): Promise<boolean> {
  const { count } = await db.apiKey.deleteMany({ where: { id } });
  return count > 0;
}

/** The last use of each key (batched by the caller: at most once a minute per key). */
export async function recordKeysUsed(db: Db, lastUse: ReadonlyMap<string, Date>): Promise<void> {
  if (!lastUse.size) return;
  await db.$transaction([...lastUse].map(([id, at]) => db.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } })));
}
