import { access, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

/**
 * Where one session's auth data lives. LocalAuth({ clientId: session, dataPath: sessionDir }) keeps the
 * Chromium profile in `<authDir>/<session>/session-<session>`; everything of a session sits under
 * `<authDir>/<session>`, so deleting that directory forgets the login and touches nothing else.
 */
export interface SessionProfile {
  /** `<authDir>/<session>`: LocalAuth's dataPath; what removeAuthData deletes. */
  sessionDir: string;
  /** `<sessionDir>/session-<session>`: Chromium's --user-data-dir. */
  profileDir: string;
}

// The session-name rule of lib/session.ts, and LocalAuth's clientId rule: also keeps `..` out of paths.
const SAFE_NAME = /^[a-zA-Z0-9_-]+$/;

/** Chromium's single-instance lock; a crash leaves it behind and the next launch may refuse the profile. */
const PROFILE_LOCK_FILES = ["SingletonLock", "SingletonSocket", "SingletonCookie"];

export function sessionProfile(authDir: string, session: string): SessionProfile {
  if (!SAFE_NAME.test(session)) throw new Error(`Invalid session name for a profile directory: '${session}'`);
  // Absolute, because LocalAuth resolves it and Chromium's --user-data-dir flag must match exactly.
  const sessionDir = join(resolve(authDir), session);
  return { sessionDir, profileDir: join(sessionDir, `session-${session}`) };
}

export async function clearProfileLock(profile: SessionProfile): Promise<void> {
  await Promise.all(PROFILE_LOCK_FILES.map((name) => rm(join(profile.profileDir, name), { force: true })));
}

export async function removeSessionDir(profile: SessionProfile): Promise<void> {
  await rm(profile.sessionDir, { recursive: true, force: true });
}

export async function sessionDirExists(profile: SessionProfile): Promise<boolean> {
  return access(profile.sessionDir).then(
    () => true,
    () => false,
  );
}
