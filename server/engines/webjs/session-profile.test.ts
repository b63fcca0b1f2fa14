import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clearProfileLock, removeSessionDir, sessionDirExists, sessionProfile } from "./session-profile";

describe("sessionProfile", () => {
  it("puts the profile where LocalAuth does, as absolute paths", () => {
    const profile = sessionProfile("auth", "sales");
    expect(profile.sessionDir).toBe(join(process.cwd(), "auth", "sales"));
    expect(profile.profileDir).toBe(join(process.cwd(), "auth", "sales", "session-sales"));
  });

  it("refuses names that could escape the auth directory", () => {
    expect(() => sessionProfile("/auth", "..")).toThrow(/Invalid session name/);
    expect(() => sessionProfile("/auth", "a/b")).toThrow(/Invalid session name/);
  });
});

describe("profile files", () => {
  const authDir = mkdtempSync(join(tmpdir(), "webjs-auth-"));
  afterAll(() => rmSync(authDir, { recursive: true, force: true }));

  it("clears a stale lock (dangling symlinks included) and keeps the login", async () => {
    const profile = sessionProfile(authDir, "crashed");
    mkdirSync(profile.profileDir, { recursive: true });
    symlinkSync("otherhost-12345", join(profile.profileDir, "SingletonLock"));
    symlinkSync("/tmp/gone/SingletonSocket", join(profile.profileDir, "SingletonSocket"));
    writeFileSync(join(profile.profileDir, "Local State"), "{}");
    await clearProfileLock(profile);
    expect(() => lstatSync(join(profile.profileDir, "SingletonLock"))).toThrow();
    expect(() => lstatSync(join(profile.profileDir, "SingletonSocket"))).toThrow();
    expect(existsSync(join(profile.profileDir, "Local State"))).toBe(true);
    await clearProfileLock(sessionProfile(authDir, "never-started")); // nothing there: no error
  });

  it("removes only that session's directory", async () => {
    const gone = sessionProfile(authDir, "gone");
    const kept = sessionProfile(authDir, "gone-2");
    mkdirSync(gone.profileDir, { recursive: true });
    mkdirSync(kept.profileDir, { recursive: true });
    expect(await sessionDirExists(gone)).toBe(true);
    await removeSessionDir(gone);
    expect(await sessionDirExists(gone)).toBe(false);
    expect(await sessionDirExists(kept)).toBe(true);
    await removeSessionDir(gone); // idempotent
  });
});
