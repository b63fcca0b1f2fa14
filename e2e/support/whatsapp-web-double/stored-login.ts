import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The localStorage key under which the double's page keeps its device token (page/double.js). */
const TOKEN_KEY = "whatsapp-web-double/device-token";

/**
 * Whether Chromium has written the double page's device token into this profile, so that a browser
 * killed now still restores without a QR. Chromium commits localStorage about 5 s after a change,
 * or when it closes gracefully. Meant for right after a login: a logout leaves the key's deletion in
 * the same files.
 */
export async function loginStored(profileDir: string): Promise<boolean> {
  const dir = join(profileDir, "Default", "Local Storage", "leveldb");
  const key = Buffer.from(TOKEN_KEY, "latin1");
  try {
    for (const file of await readdir(dir)) {
      if ((await readFile(join(dir, file))).includes(key)) return true;
    }
  } catch {
    // no profile, or a file LevelDB replaced while we read
  }
  return false;
}
