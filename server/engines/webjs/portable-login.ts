import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { SessionLoginStore } from "../login-store";
import {
  LOGIN_PATHS,
  MARKER_FILE,
  SnapshotTooLargeError,
  UnusableSnapshotError,
  loginFingerprint,
  packLogin,
  readLoginMarker,
  shouldRestore,
  unpackLogin,
  writeLoginMarker,
} from "./login-snapshot";
import type { SessionProfile } from "./session-profile";

export interface PortableLoginOptions {
  profile: SessionProfile;
  store: SessionLoginStore;
  /** Saves while the session runs, when the login changed (SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Most bytes of login files a snapshot may hold (SWITCHBOARD_SNAPSHOT_MAX_MB). */
  maxRawBytes: number;
  /** After login, the first save waits this long: WhatsApp Web and Chromium are still writing the keys. */
  settleMs: number;
  /** After a failed save (the store is down), the next try comes this soon. */
  retryMs: number;
  logger: Logger;
}

/**
 * One run's side of a portable session (docs/cluster.md, "Portable sessions"): before the launch it brings
 * the store's newest login into the profile, unless the profile holds it already; once logged in it saves
 * the login when it has settled, then every interval when it changed, and a last time after the browser
 * closed. A store that is down delays saves and never stops the session; a save the store refuses (another
 * worker owns the session now) ends this run's saving.
 */
export class PortableLogin {
  /** Fingerprint of the login files last saved or restored: an unchanged login is not saved again. */
  private savedFingerprint: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private saving: Promise<void> | null = null;
  /** A save was refused: the session belongs to another worker now. */
  private fenced = false;
  private closed = false;

  constructor(private readonly options: PortableLoginOptions) {}

  /**
   * Before the launch. Returns why a stored login could not be used (the session then asks for a QR),
   * or null. A store that cannot be reached leaves the local profile as it is.
   */
  async restore(): Promise<string | null> {
    const { profile, store, logger } = this.options;
    const local = await readLoginMarker(profile.sessionDir);
    let newest;
    try {
      newest = await store.newest();
    } catch (error) {
      logger.warn({ err: error }, "the login store cannot be reached: starting from this worker's copy of the profile");
      return null;
    }
    if (!newest) {
      if (local) {
        // This copy came from the store, and the store forgot that login since (logout, delete elsewhere).
        logger.info({ loginId: local.loginId }, "the stored login was removed: dropping this worker's old copy of it");
        await this.removeLocalLogin();
      }
      return null;
    }
    if (!shouldRestore(local, newest)) {
      logger.debug({ generation: local?.generation }, "this worker's profile holds the newest saved login");
      return null;
    }
    const startedAt = performance.now();
    try {
      const loaded = await store.load();
      if (!loaded) return null;
      const { files } = await unpackLogin(profile.profileDir, { data: loaded.data, sha256: loaded.header.sha256 });
      await writeLoginMarker(profile.sessionDir, { loginId: loaded.header.loginId, generation: loaded.header.generation });
      this.savedFingerprint = await loginFingerprint(profile.profileDir);
      const restoreMs = Math.round(performance.now() - startedAt);
      logger.info({ generation: loaded.header.generation, bytes: loaded.header.size, files, restoreMs }, "restored the saved login");
      await store
        .recordRestore(loaded.header.generation, restoreMs)
        .catch((error) => logger.debug({ err: error }, "recording the restore failed"));
      return null;
    } catch (error) {
      if (error instanceof UnusableSnapshotError) {
        logger.error({ generation: newest.generation, reason: error.message }, "the saved login cannot be used: it was not restored");
        return `the saved login cannot be used: ${error.message}`;
      }
      logger.warn({ err: error }, "restoring the saved login failed: starting from this worker's copy of the profile");
      return null;
    }
  }

  /** The session logged in: the first save once the login settled, then one every interval when it changed. */
  loggedIn(): void {
    if (this.timer || this.closed) return;
    this.schedule(this.options.settleMs);
  }

  /** After the browser closed: stops the saves, then (`save`) saves a login that changed since the last save. */
  async close(options: { save: boolean }): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.saving;
    if (options.save) await this.save();
  }

  /** The phone unlinked the device (after close()): the saved login goes too, so no worker restores it. */
  async forget(): Promise<void> {
    await this.options.store.remove();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save().then((ok) => {
        if (!this.closed && !this.fenced) this.schedule(ok ? this.options.intervalMs : this.options.retryMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One save at a time; true unless it failed and should be tried again soon. */
  private async save(): Promise<boolean> {
    if (this.fenced) return true;
    while (this.saving) await this.saving;
    let ok = true;
    this.saving = this.saveNow().then(
      (result) => void (ok = result),
      () => void (ok = false),
    );
    try {
      await this.saving;
    } finally {
      this.saving = null;
    }
    return ok;
  }

  private async saveNow(): Promise<boolean> {
    const { profile, store, logger, maxRawBytes } = this.options;
    const fingerprint = await loginFingerprint(profile.profileDir);
    if (fingerprint === this.savedFingerprint) return true;
    const startedAt = performance.now();
    let packed;
    try {
      packed = await packLogin(profile.profileDir, maxRawBytes);
    } catch (error) {
      if (error instanceof SnapshotTooLargeError) {
        logger.error({ reason: error.message }, "login snapshot refused: it is larger than SWITCHBOARD_SNAPSHOT_MAX_MB allows");
        // Not again until the login changes.
        this.savedFingerprint = fingerprint;
        return true;
      }
      logger.warn({ err: error }, "packing the login failed");
      return false;
    }
    if (packed.files === 0) return true;
    let saved;
    try {
      saved = await store.save({ data: packed.data, sha256: packed.sha256, files: packed.files, packMs: performance.now() - startedAt });
    } catch (error) {
      logger.warn({ err: error }, "saving the login failed (the store is unreachable?): trying again soon");
      return false;
    }
    if (!saved) {
      this.fenced = true;
      logger.warn("the login was not saved: another worker owns this session now");
      return true;
    }
    this.savedFingerprint = fingerprint;
    await writeLoginMarker(profile.sessionDir, { loginId: saved.loginId, generation: saved.generation });
    logger.info(
      { generation: saved.generation, bytes: saved.size, files: packed.files, saveMs: Math.round(performance.now() - startedAt) },
      "saved the login",
    );
    return true;
  }

  private async removeLocalLogin(): Promise<void> {
    const { profile } = this.options;
    await Promise.all([
      ...LOGIN_PATHS.map((path) => rm(join(profile.profileDir, path), { recursive: true, force: true })),
      rm(join(profile.sessionDir, MARKER_FILE), { force: true }),
    ]);
  }
}
