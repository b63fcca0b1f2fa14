import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  SnapshotTooLargeError,
  UnusableSnapshotError,
  loginFingerprint,
  packLogin,
  readLoginMarker,
  readSnapshot,
  shouldRestore,
  unpackLogin,
  writeLoginMarker,
} from "./login-snapshot";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "sb-login-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function put(profile: string, path: string, text: string) {
  await mkdir(dirname(join(profile, path)), { recursive: true });
  await writeFile(join(profile, path), text);
}

/** A profile with a login (IndexedDB and Local Storage), a cache and the LevelDB files a restore never needs. */
async function profileWithLogin(name: string): Promise<string> {
  const profile = join(root, name);
  await put(profile, "Default/Local Storage/leveldb/000003.log", "creds");
  await put(profile, "Default/Local Storage/leveldb/LOCK", "");
  await put(profile, "Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000005.ldb", "keys");
  await put(profile, "Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/LOG", "text log");
  await put(profile, "Default/Cache/Cache_Data/data_0", "cached page");
  return profile;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe("login snapshots", () => {
  it("packs only the login files and unpacks them into another profile, replacing its old login and keeping the rest", async () => {
    const packed = await packLogin(await profileWithLogin("a"), 1024 * 1024);
    expect(packed).toMatchObject({ files: 2, rawBytes: 9, sha256: sha256(packed.data) });

    const other = join(root, "b");
    await put(other, "Default/Local Storage/leveldb/000009.log", "another login");
    await put(other, "Default/Preferences", "{}");
    expect(await unpackLogin(other, packed)).toEqual({ files: 2 });
    expect(await filesUnder(other)).toEqual([
      "Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000005.ldb",
      "Default/Local Storage/leveldb/000003.log",
      "Default/Preferences",
    ]);
    expect(await readFile(join(other, "Default/Local Storage/leveldb/000003.log"), "utf8")).toBe("creds");
    // Nothing is left beside the profile from the staging of the files.
    expect(await readdir(root)).toEqual(["a", "b"]);
  });

  it("refuses a snapshot whose checksum does not match, or that is truncated, and leaves the profile as it was", async () => {
    const packed = await packLogin(await profileWithLogin("a"), 1024 * 1024);
    const other = join(root, "b");
    await put(other, "Default/Local Storage/leveldb/000009.log", "old login");

    const corrupt = Buffer.from(packed.data);
    corrupt[corrupt.length - 5] ^= 0xff;
    await expect(unpackLogin(other, { data: corrupt, sha256: packed.sha256 })).rejects.toThrow(/checksum does not match/);
    const truncated = packed.data.subarray(0, packed.data.length - 10);
    await expect(unpackLogin(other, { data: truncated, sha256: packed.sha256 })).rejects.toThrow(UnusableSnapshotError);
    // Truncated and stored with a checksum of its own: it still fails to decompress.
    await expect(unpackLogin(other, { data: truncated, sha256: sha256(truncated) })).rejects.toThrow(/does not decompress/);
    expect(await readFile(join(other, "Default/Local Storage/leveldb/000009.log"), "utf8")).toBe("old login");
  });

  it("never writes a file outside the login data, whatever a snapshot names", async () => {
    for (const path of ["../../escape", "Default/Local Storage/../../Preferences", "Default/Cache/x", "/etc/passwd"]) {
      const header = Buffer.from(JSON.stringify({ files: [{ path, size: 1 }] }));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(header.length);
      const data = gzipSync(Buffer.concat([Buffer.from("SBLOGIN1"), length, header, Buffer.from("x")]));
      await expect(readSnapshot({ data, sha256: sha256(data) }), path).rejects.toThrow(/outside the login data/);
    }
  });

  it("refuses a snapshot whose files do not add up to its length, or of an unknown format", async () => {
    const header = Buffer.from(JSON.stringify({ files: [{ path: "Default/Local Storage/a", size: 5 }] }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    const short = gzipSync(Buffer.concat([Buffer.from("SBLOGIN1"), length, header, Buffer.from("abc")]));
    await expect(readSnapshot({ data: short, sha256: sha256(short) })).rejects.toThrow(/do not add up/);
    const other = gzipSync(Buffer.from("PK\u0003\u0004 a zip file"));
    await expect(readSnapshot({ data: other, sha256: sha256(other) })).rejects.toThrow(/format/);
  });

  it("refuses to pack login files larger than the limit", async () => {
    await expect(packLogin(await profileWithLogin("a"), 8)).rejects.toThrow(SnapshotTooLargeError);
  });

  it("packs nothing for a profile without a login yet", async () => {
    const packed = await packLogin(join(root, "empty"), 1024);
    expect(packed.files).toBe(0);
  });

  it("has a fingerprint that changes when a login file changes, not when a cache does", async () => {
    const profile = await profileWithLogin("a");
    const before = await loginFingerprint(profile);
    await put(profile, "Default/Cache/Cache_Data/data_1", "more cache");
    expect(await loginFingerprint(profile)).toBe(before);
    await put(profile, "Default/Local Storage/leveldb/000003.log", "creds, longer now");
    expect(await loginFingerprint(profile)).not.toBe(before);
  });

  it("records which login a profile holds beside it", async () => {
    expect(await readLoginMarker(root)).toBeNull();
    await writeLoginMarker(root, { loginId: "L1", generation: 3 });
    expect(await readLoginMarker(root)).toEqual({ loginId: "L1", generation: 3 });
    await writeFile(join(root, "login.json"), "{not json");
    expect(await readLoginMarker(root)).toBeNull();
  });

  it("restores unless the local profile holds the same login at the same or a later save", () => {
    const stored = { loginId: "L1", generation: 3 };
    expect(shouldRestore(null, null)).toBe(false);
    expect(shouldRestore({ loginId: "L1", generation: 3 }, null)).toBe(false);
    expect(shouldRestore(null, stored)).toBe(true);
    expect(shouldRestore({ loginId: "L1", generation: 2 }, stored)).toBe(true);
    expect(shouldRestore({ loginId: "L1", generation: 3 }, stored)).toBe(false);
    expect(shouldRestore({ loginId: "L1", generation: 4 }, stored)).toBe(false);
    // A later save of an older login is still another login.
    expect(shouldRestore({ loginId: "L0", generation: 9 }, stored)).toBe(true);
  });
});
