import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LoginSnapshotHeader, LoginSnapshotToSave, SessionLoginStore } from "../login-store";
import { readLoginMarker, writeLoginMarker } from "./login-snapshot";
import { PortableLogin } from "./portable-login";
import { sessionProfile, type SessionProfile } from "./session-profile";

/** Room for a machine twice as slow. */
const WAIT = { timeout: 10_000, interval: 10 };
const CREDS = "Default/Local Storage/leveldb/000003.log";

/** The store's side, in memory: one saved login, and switches for an outage and for a lost token. */
class MemoryStore implements SessionLoginStore {
  saved: (LoginSnapshotHeader & { data: Buffer }) | null = null;
  down = false;
  stale = false;
  saves = 0;
  restores: { generation: number; restoreMs: number }[] = [];

  async newest() {
    this.check();
    return this.saved && header(this.saved);
  }
  async load() {
    this.check();
    return this.saved && { header: header(this.saved), data: this.saved.data };
  }
  async save(snapshot: LoginSnapshotToSave) {
    this.check();
    if (this.stale) return null;
    this.saves++;
    const generation = (this.saved?.generation ?? 0) + 1;
    this.saved = {
      loginId: this.saved?.loginId ?? "L1",
      generation,
      sha256: snapshot.sha256,
      size: snapshot.data.length,
      savedAt: new Date(),
      data: snapshot.data,
    };
    return header(this.saved);
  }
  async recordRestore(generation: number, restoreMs: number) {
    this.restores.push({ generation, restoreMs });
  }
  async remove() {
    this.saved = null;
  }
  failedCalls = 0;
  private check() {
    if (!this.down) return;
    this.failedCalls++;
    throw new Error("connection refused");
  }
}

function header({ data: _data, ...rest }: LoginSnapshotHeader & { data: Buffer }): LoginSnapshotHeader {
  return rest;
}

let root: string;
const stores: PortableLogin[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "sb-portable-"));
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((login) => login.close({ save: false })));
  await rm(root, { recursive: true, force: true });
});

function portable(worker: string, store: SessionLoginStore, settings: { settleMs?: number; intervalMs?: number } = {}) {
  const profile = sessionProfile(join(root, worker), "alpha");
  const login = new PortableLogin({
    profile,
    store,
    intervalMs: settings.intervalMs ?? 60_000,
    maxRawBytes: 1024 * 1024,
    settleMs: settings.settleMs ?? 60_000,
    retryMs: 20,
    logger: pino({ level: "silent" }),
  });
  stores.push(login);
  return { login, profile };
}

async function writeCreds(profile: SessionProfile, text: string) {
  await mkdir(dirname(join(profile.profileDir, CREDS)), { recursive: true });
  await writeFile(join(profile.profileDir, CREDS), text);
}

const credsOf = (profile: SessionProfile) => readFile(join(profile.profileDir, CREDS), "utf8").catch(() => null);

describe("a portable login", () => {
  it("is saved after the browser closed, and restored by another worker before its launch", async () => {
    const store = new MemoryStore();
    const first = portable("w1", store);
    expect(await first.login.restore()).toBeNull();
    await writeCreds(first.profile, "linked");
    first.login.loggedIn();
    await first.login.close({ save: true });
    expect(store.saved?.generation).toBe(1);
    expect(await readLoginMarker(first.profile.sessionDir)).toEqual({ loginId: "L1", generation: 1 });

    const second = portable("w2", store);
    expect(await second.login.restore()).toBeNull();
    expect(await credsOf(second.profile)).toBe("linked");
    expect(await readLoginMarker(second.profile.sessionDir)).toEqual({ loginId: "L1", generation: 1 });
    expect(store.restores).toEqual([{ generation: 1, restoreMs: expect.any(Number) }]);
  });

  it("keeps a local profile that holds the newest save, and saves nothing unchanged", async () => {
    const store = new MemoryStore();
    const first = portable("w1", store);
    await first.login.restore();
    await writeCreds(first.profile, "linked, and more since the save");
    await first.login.close({ save: true });

    const again = portable("w1", store);
    expect(await again.login.restore()).toBeNull();
    expect(store.restores).toEqual([]);
    expect(await credsOf(again.profile)).toBe("linked, and more since the save");
  });

  it("saves once the login settled, then only when it changed; a store that is down delays the save", async () => {
    const store = new MemoryStore();
    const { login, profile } = portable("w1", store, { settleMs: 10, intervalMs: 20 });
    await login.restore();
    await writeCreds(profile, "linked");
    store.down = true;
    login.loggedIn();
    await vi.waitFor(() => expect(store.failedCalls).toBeGreaterThan(0), WAIT);
    store.down = false;
    await vi.waitFor(() => expect(store.saves).toBe(1), WAIT);
    await writeCreds(profile, "linked, new keys");
    await vi.waitFor(() => expect(store.saves).toBe(2), WAIT);
    await login.close({ save: true });
    // Unchanged since the last save: the stop saves nothing.
    expect(store.saves).toBe(2);
  });

  it("stops saving once the store refuses its token: another worker owns the session", async () => {
    const store = new MemoryStore();
    const { login, profile } = portable("w1", store);
    await login.restore();
    await writeCreds(profile, "linked");
    store.stale = true;
    await login.close({ save: true });
    expect(store.saved).toBeNull();
    expect(await readLoginMarker(profile.sessionDir)).toBeNull();
  });

  it("does not restore a corrupt snapshot: it says why, and the profile stays as it was", async () => {
    const store = new MemoryStore();
    const first = portable("w1", store);
    await writeCreds(first.profile, "linked");
    await first.login.close({ save: true });
    store.saved!.data = store.saved!.data.subarray(0, 10);

    const second = portable("w2", store);
    await writeCreds(second.profile, "its own old copy");
    expect(await second.login.restore()).toMatch(/the saved login cannot be used: its checksum does not match/);
    expect(await credsOf(second.profile)).toBe("its own old copy");
  });

  it("starts from the local profile when the store cannot be reached", async () => {
    const store = new MemoryStore();
    const { login, profile } = portable("w1", store);
    await writeCreds(profile, "local");
    store.down = true;
    expect(await login.restore()).toBeNull();
    expect(await credsOf(profile)).toBe("local");
  });

  it("drops a local copy of a login the store has forgotten (a logout or delete elsewhere)", async () => {
    const store = new MemoryStore();
    const { login, profile } = portable("w1", store);
    await writeCreds(profile, "logged out elsewhere");
    await writeLoginMarker(profile.sessionDir, { loginId: "L1", generation: 2 });
    expect(await login.restore()).toBeNull();
    expect(await credsOf(profile)).toBeNull();
    expect(await readLoginMarker(profile.sessionDir)).toBeNull();
  });
});
