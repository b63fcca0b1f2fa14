import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * The embedded (SQLite) mode's guard against two servers on one data folder: an exclusive SQLite lock on
 * `<data dir>/switchboard.lock`, taken at boot and held for the process's life. SQLite locks with fcntl,
 * which the kernel drops when the process ends in any way (kill -9 included), so a restart after a crash
 * starts at once and there is never a stale file to clean up. (Cluster mode has the worker lease instead.)
 *
 * better-sqlite3 is reached through Prisma's adapter, which depends on it and whose `executeScript` runs a
 * script as is; the lock file holds no data.
 */
export const DATA_DIR_LOCK_FILE = "switchboard.lock";

export interface DataDirLock {
  file: string;
  /** Lets the folder go (a copy that ends, a test); a server never calls it, its exit does. */
  release(): Promise<void>;
}

/** The locks this process holds: referenced here so that the connection behind each lives as long as the process. */
const held = new Set<DataDirLock>();

/**
 * Locks `dataDir` for this process, or refuses, saying which folder and that another process holds it.
 * Never waits: a second server on the same folder is a mistake to report, not a queue to join.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(path.resolve(dataDir), DATA_DIR_LOCK_FILE);
  // timeout 0: SQLITE_BUSY at once instead of better-sqlite3's 5 s of retries.
  const connection = await new PrismaBetterSQLite3({ url: file, timeout: 0 }).connect();
  try {
    // Owner-only, as everything in the data folder (server/data-files.ts). Not by opening it here: closing
    // any descriptor of the file drops every fcntl lock this process holds on it.
    if (fs.statSync(file).mode & 0o077) fs.chmodSync(file, 0o600);
    // EXCLUSIVE locking mode keeps the lock after any statement; the transaction that is never ended takes
    // it now. The journal in memory: no `-journal` file beside it.
    await connection.executeScript("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; BEGIN EXCLUSIVE;");
  } catch (error) {
    await connection.dispose();
    if (isBusy(error)) {
      throw new Error(
        `The data folder ${path.dirname(file)} is in use by another Switchboard process (it holds ${file}). ` +
          "Stop that process first, or give this one a data folder of its own (SWITCHBOARD_DATA_DIR).",
      );
    }
    throw new Error(`Could not lock the data folder (${file}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const lock: DataDirLock = {
    file,
    async release() {
      if (!held.delete(lock)) return;
      await connection.dispose();
    },
  };
  held.add(lock);
  return lock;
}

/** SQLite's "database is locked", as the driver adapter reports it. */
function isBusy(error: unknown): boolean {
  const cause = (error as { cause?: { originalCode?: unknown } } | null)?.cause;
  return cause?.originalCode === "SQLITE_BUSY";
}
