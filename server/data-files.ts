import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";

/**
 * The data folder holds the API key, the dashboard password, WhatsApp logins and the database (with
 * webhook HMAC keys, header values and proxy passwords): none of it is for other local users.
 */

const OWNER_ONLY_DIR = 0o700;
const OWNER_ONLY_FILE = 0o600;
const GROUP_OR_OTHER = 0o077;

/**
 * Creates the data folder owner-only. An existing folder keeps its mode (it may be a mount the
 * operator set up); a warning says when other users can get in.
 */
export function createDataDir(dataDir: string, logger: Logger): void {
  if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  if (fs.statSync(dataDir).mode & GROUP_OR_OTHER) {
    logger.warn({ dataDir }, "the data folder is open to other local users; make it owner-only (chmod 700)");
  }
}

/**
 * For a SQLite database URL (`file:<path>`), before anything opens the database: creates the file
 * owner-only if it is missing, and makes it, its -wal, -shm and -journal owner-only where other users
 * could read them (a database created by an earlier version). SQLite gives the files it creates next
 * to the database the database file's mode, so they are owner-only from then on.
 */
export function secureDatabaseFiles(databaseUrl: string, logger: Logger): void {
  const file = sqliteFile(databaseUrl);
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: OWNER_ONLY_DIR });
  fs.closeSync(fs.openSync(file, "a", OWNER_ONLY_FILE));
  for (const companion of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if (fs.statSync(companion).mode & GROUP_OR_OTHER) fs.chmodSync(companion, OWNER_ONLY_FILE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") logger.warn({ file: companion, err: error }, "could not make a database file owner-only");
    }
  }
}

/** The path the SQLite adapter opens for `url` (it strips `file:`, relative to the working folder); null if not a file. */
export function sqliteFile(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith("file:")) return null;
  const file = databaseUrl.slice("file:".length);
  return file === "" || file === ":memory:" ? null : path.resolve(file);
}
