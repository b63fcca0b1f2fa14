import type { TMe } from "@/lib/session";
import type { TSessionConfig } from "@/lib/session-config";
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
    // Validated by ZSessionConfigSchema on the way in; not parsed again on this hot path.
    config: JSON.parse(row.config) as TSessionConfig,
    running: row.running,
    me: row.meId ? { id: row.meId, pushName: row.mePushName } : null,
    worker: row.worker,
    lastActivityAt: row.lastActivityAt,
  };
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
