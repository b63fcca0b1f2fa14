import { randomUUID } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import type { TLoginSnapshotInfo } from "@/lib/session";
import { queryPostgres, type Db } from "../db";
import type { LoginSnapshotHeader, LoginSnapshotToSave, LoginStore, SessionLoginStore } from "../engines/login-store";
import { DB_NOW, type WorkerIdentity } from "./workers";

/**
 * The one module that reads and writes `AuthSnapshot` rows: each session's newest saved login, in the
 * cluster's PostgreSQL (docs/cluster.md, "Portable sessions"). A save names the fencing token of the run
 * that made it (worker, incarnation, epoch) and is written only while that token still owns the session,
 * in the same statement that checks it; a claim by another worker waits for it or makes it match nothing.
 * Bytes go through node-postgres directly (queryPostgres): megabytes of bytea through Prisma's query
 * compiler would cost far more.
 */

/** The owner a run started under: its saves carry it. */
export interface OwnerToken extends WorkerIdentity {
  epoch: number;
}

/** The cluster's LoginStore, and what the API shows of each saved login (infoOf). */
export interface LoginSnapshots extends LoginStore {
  /**
   * What the API shows of the session's saved login; null when none is saved. `ownedEpoch`: the epoch under
   * which this worker owns the session under a lease it still holds, or null. While it owns it, only its
   * own runs write the session's row (a peer's save needs the session's owner row, which is this worker's),
   * so what it read is kept until one of its writes, or until the epoch moves on (a release, a new claim).
   */
  infoOf(session: string, ownedEpoch: number | null): Promise<TLoginSnapshotInfo | null>;
}

export function createLoginSnapshots(db: Db, tokenOf: (session: string) => OwnerToken | null): LoginSnapshots {
  const kept = new Map<string, { epoch: number; info: TLoginSnapshotInfo | null }>();
  // Bumped before and after every write: a read that overlapped one is not kept.
  let writes = 0;
  const writing = async <T>(session: string, write: () => Promise<T>): Promise<T> => {
    writes++;
    kept.delete(session);
    try {
      return await write();
    } finally {
      writes++;
      kept.delete(session);
    }
  };
  return {
    forRun(session) {
      return loginStoreForRun(db, session, tokenOf(session), writing);
    },
    remove: (session) => writing(session, () => removeLogin(db, session)),
    async infoOf(session, ownedEpoch) {
      const hit = kept.get(session);
      if (ownedEpoch !== null && hit?.epoch === ownedEpoch) return hit.info;
      const before = writes;
      const info = await loginSnapshotInfo(db, session);
      if (ownedEpoch === null) kept.delete(session);
      else if (writes === before) kept.set(session, { epoch: ownedEpoch, info });
      return info;
    },
  };
}

async function removeLogin(db: Db, session: string): Promise<void> {
  await queryPostgres(db, Prisma.sql`DELETE FROM "AuthSnapshot" WHERE "sessionName" = ${session}`);
}

function loginStoreForRun(
  db: Db,
  session: string,
  token: OwnerToken | null,
  writing: <T>(session: string, write: () => Promise<T>) => Promise<T>,
): SessionLoginStore {
  return {
    async newest() {
      const [row] = await queryPostgres<LoginSnapshotHeader>(
        db,
        Prisma.sql`SELECT "loginId", "generation", "sha256", "size", "savedAt" FROM "AuthSnapshot" WHERE "sessionName" = ${session}`,
      );
      return row ?? null;
    },

    async load() {
      const [row] = await queryPostgres<LoginSnapshotHeader & { data: Buffer }>(
        db,
        Prisma.sql`SELECT "loginId", "generation", "sha256", "size", "savedAt", "data" FROM "AuthSnapshot" WHERE "sessionName" = ${session}`,
      );
      if (!row) return null;
      const { data, ...header } = row;
      return { header, data };
    },

    save(snapshot) {
      if (!token) return Promise.resolve(null);
      return writing(session, () => saveLogin(db, session, token, snapshot));
    },

    recordRestore(generation, restoreMs) {
      return writing(session, () =>
        queryPostgres(
          db,
          Prisma.sql`UPDATE "AuthSnapshot" SET "restoredAt" = ${DB_NOW}, "restoredBy" = ${token?.id ?? null}, "restoreMs" = ${restoreMs}
            WHERE "sessionName" = ${session} AND "generation" = ${generation}`,
        ).then(() => undefined),
      );
    },

    remove: () => writing(session, () => removeLogin(db, session)),
  };
}

/** A fenced save (see SessionLoginStore.save): written only while `token` still owns the session. */
async function saveLogin(db: Db, session: string, token: OwnerToken, snapshot: LoginSnapshotToSave): Promise<LoginSnapshotHeader | null> {
  const { data, sha256, files, packMs } = snapshot;
  const startedAt = performance.now();
  // FOR SHARE: a claim by another worker (an UPDATE of the owner row) waits until this save is
  // written, or, if it came first, this statement sees the new owner and writes nothing.
  const [row] = await queryPostgres<LoginSnapshotHeader>(
    db,
    Prisma.sql`
      INSERT INTO "AuthSnapshot" ("sessionName", "loginId", "generation", "epoch", "workerId", "sha256", "size", "files", "data", "savedAt", "saveMs")
      SELECT o."sessionName", COALESCE(a."loginId", ${randomUUID()}), COALESCE(a."generation", 0) + 1, o."epoch", o."workerId",
             ${sha256}, ${data.length}, ${files}, ${data}, ${DB_NOW}, ${Math.round(packMs)}
      FROM "SessionOwner" o LEFT JOIN "AuthSnapshot" a ON a."sessionName" = o."sessionName"
      WHERE o."sessionName" = ${session} AND o."workerId" = ${token.id} AND o."incarnation" = ${token.incarnation} AND o."epoch" = ${token.epoch}
      FOR SHARE OF o
      ON CONFLICT ("sessionName") DO UPDATE SET
        "generation" = EXCLUDED."generation", "epoch" = EXCLUDED."epoch", "workerId" = EXCLUDED."workerId",
        "sha256" = EXCLUDED."sha256", "size" = EXCLUDED."size", "files" = EXCLUDED."files", "data" = EXCLUDED."data",
        "savedAt" = EXCLUDED."savedAt", "saveMs" = EXCLUDED."saveMs"
      WHERE "AuthSnapshot"."epoch" <= EXCLUDED."epoch"
      RETURNING "loginId", "generation", "sha256", "size", "savedAt"`,
  );
  if (!row) return null;
  // The save's duration: packing plus this write, which is known only once it is done.
  const saveMs = Math.round(packMs + performance.now() - startedAt);
  await queryPostgres(
    db,
    Prisma.sql`UPDATE "AuthSnapshot" SET "saveMs" = ${saveMs} WHERE "sessionName" = ${session} AND "generation" = ${row.generation}`,
  );
  return row;
}

/**
 * A login brought in from an embedded install (`copy-data`): the first save of a new login, made by no
 * worker (epoch 0, which any owner's token outranks), so the first worker that runs the session restores it.
 */
export async function importLogin(
  db: Pick<Db, "authSnapshot">,
  session: string,
  packed: { data: Buffer; sha256: string; files: number; packMs: number },
): Promise<void> {
  await db.authSnapshot.create({
    data: {
      sessionName: session,
      loginId: randomUUID(),
      generation: 1,
      epoch: 0,
      workerId: IMPORTED_BY,
      sha256: packed.sha256,
      size: packed.data.length,
      files: packed.files,
      data: new Uint8Array(packed.data),
      savedAt: new Date(),
      saveMs: Math.round(packed.packMs),
    },
  });
}

/** The `savedBy` of a login that copy-data brought in. */
export const IMPORTED_BY = "copy-data";

/** What the API shows of a session's saved login (no bytes); null when none is saved. */
export async function loginSnapshotInfo(db: Db, session: string): Promise<TLoginSnapshotInfo | null> {
  type Row = Omit<TLoginSnapshotInfo, "savedAt" | "restoredAt"> & { savedAt: Date; restoredAt: Date | null };
  const [row] = await queryPostgres<Row>(
    db,
    Prisma.sql`SELECT "generation", "size", "files", "workerId" AS "savedBy", "savedAt", "saveMs", "restoredAt", "restoredBy", "restoreMs"
      FROM "AuthSnapshot" WHERE "sessionName" = ${session}`,
  );
  return row ? { ...row, savedAt: row.savedAt.getTime(), restoredAt: row.restoredAt?.getTime() ?? null } : null;
}
