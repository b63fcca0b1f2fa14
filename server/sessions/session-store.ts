import { AppError } from "@/lib/errors";
import type { TMe } from "@/lib/session";
import { ZSessionConfigSchema, type TSessionConfig } from "@/lib/session-config";
import type { Db } from "../db";

/** A session as stored: its config, desired state and last known account. */
export interface StoredSession {
  name: string;
  config: TSessionConfig;
  running: boolean;
  me: TMe | null;
  worker: string | null;
  lastActivityAt: Date | null;
}

type SessionRow = {
  name: string;
  config: string;
  running: boolean;
  meId: string | null;
  mePushName: string | null;
  worker: string | null;
  lastActivityAt: Date | null;
};

export const STORED_SESSION_SELECT = {
  name: true,
  config: true,
  running: true,
  meId: true,
  mePushName: true,
  worker: true,
  lastActivityAt: true,
} as const;

export function toStoredSession(row: SessionRow): StoredSession {
  return {
    name: row.name,
    // Stored configs were validated on the way in; parsing again guards against hand-edited rows.
    config: ZSessionConfigSchema.catch({}).parse(JSON.parse(row.config)),
    running: row.running,
    me: row.meId ? { id: row.meId, pushName: row.mePushName } : null,
    worker: row.worker,
    lastActivityAt: row.lastActivityAt,
  };
}

export async function findStoredSession(db: Db, name: string): Promise<StoredSession | null> {
  const row = await db.session.findUnique({ where: { name }, select: STORED_SESSION_SELECT });
  return row ? toStoredSession(row) : null;
}

export async function getStoredSessionOrThrow(db: Db, name: string): Promise<StoredSession> {
  const stored = await findStoredSession(db, name);
  if (!stored) throw new AppError("session_not_found", `Session '${name}' not found`);
  return stored;
}

/** The columns and metadata rows that store `config`. */
export function configData(config: TSessionConfig) {
  return {
    config: JSON.stringify(config),
    metadata: Object.entries(config.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
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

export async function setDesiredState(db: Db, name: string, running: boolean, worker: string | null): Promise<void> {
  await db.session.updateMany({ where: { name }, data: { running, worker, lastActivityAt: new Date() } });
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
