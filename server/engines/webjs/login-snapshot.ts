import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gzip as gzipCallback } from "node:zlib";
import { z } from "zod";

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/**
 * The parts of a Chromium profile that hold a WhatsApp Web login, relative to the profile: WhatsApp Web's
 * IndexedDB (keys, sessions) and Local Storage, as whatsapp-web.js's RemoteAuth keeps them. Caches, the
 * service worker and everything else are rebuilt by the page.
 */
export const LOGIN_PATHS = ["Default/IndexedDB", "Default/Local Storage"] as const;

/** LevelDB's lock (held by the running browser) and its text logs: nothing a restore needs. */
const SKIPPED_FILES = new Set(["LOCK", "LOG", "LOG.old"]);

/** The first bytes of an unpacked snapshot: the format and its version. */
const MAGIC = Buffer.from("SBLOGIN1");

const ZHeaderSchema = z.object({
  files: z.array(z.object({ path: z.string().min(1), size: z.number().int().min(0) })),
});

/** A login packed for the store: gzip of MAGIC, a 4-byte header length, the JSON header, then each file's bytes in order. */
export interface PackedLogin {
  data: Buffer;
  /** SHA-256 (hex) of `data`: a restore checks it before unpacking anything. */
  sha256: string;
  files: number;
  /** Bytes of the files before compression. */
  rawBytes: number;
}

/** Why a snapshot cannot be used: it is kept out of the profile, and the session asks for a QR. */
export class UnusableSnapshotError extends Error {}

/** The login files are larger than the set limit: no snapshot is made. */
export class SnapshotTooLargeError extends Error {}

interface LoginFile {
  /** Relative to the profile, with `/`. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Every login file of the profile (none when the profile has none yet), in a stable order. */
async function listLoginFiles(profileDir: string): Promise<LoginFile[]> {
  const found: LoginFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(profileDir, relative), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    for (const entry of entries) {
      const path = posix.join(relative, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !SKIPPED_FILES.has(entry.name)) {
        const info = await stat(join(profileDir, path)).catch(() => null);
        if (info) found.push({ path, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
  };
  for (const path of LOGIN_PATHS) await walk(path);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Changes whenever a login file is added, removed, resized or written: the periodic save skips a login that did not change. */
export async function loginFingerprint(profileDir: string): Promise<string> {
  const files = await listLoginFiles(profileDir);
  return createHash("sha256")
    .update(files.map((file) => `${file.path}\0${file.size}\0${file.mtimeMs}`).join("\n"))
    .digest("hex");
}

/**
 * Packs the profile's login files. A running browser may delete a file between the listing and its read
 * (LevelDB compacts): then it starts over, a few times. Refuses files larger than `maxRawBytes` in all.
 */
export async function packLogin(profileDir: string, maxRawBytes: number): Promise<PackedLogin> {
  for (let attempt = 1; ; attempt++) {
    const files = await listLoginFiles(profileDir);
    const rawBytes = files.reduce((sum, file) => sum + file.size, 0);
    if (rawBytes > maxRawBytes) {
      throw new SnapshotTooLargeError(`the login files take ${megabytes(rawBytes)}, more than the limit of ${megabytes(maxRawBytes)}`);
    }
    try {
      const contents = await Promise.all(files.map((file) => readFile(join(profileDir, file.path))));
      const header = Buffer.from(JSON.stringify({ files: files.map((file, i) => ({ path: file.path, size: contents[i].length })) }));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(header.length);
      const data = await gzip(Buffer.concat([MAGIC, length, header, ...contents]));
      return { data, sha256: sha256(data), files: files.length, rawBytes };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw error;
    }
  }
}

/**
 * Replaces the profile's login files with the snapshot's, after checking its checksum and its form; a
 * snapshot that fails a check changes nothing and throws UnusableSnapshotError. The files are written
 * beside the profile first and moved in at the end, so a crash leaves the old login or the new one.
 */
export async function unpackLogin(profileDir: string, snapshot: { data: Buffer; sha256: string }): Promise<{ files: number }> {
  const files = await readSnapshot(snapshot);
  const staging = join(dirname(profileDir), `.restore-${randomUUID()}`);
  try {
    for (const file of files) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.data);
    }
    for (const path of LOGIN_PATHS) {
      await rm(join(profileDir, path), { recursive: true, force: true });
      const staged = join(staging, path);
      if (!(await stat(staged).catch(() => null))) continue;
      await mkdir(dirname(join(profileDir, path)), { recursive: true });
      await rename(staged, join(profileDir, path));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { files: files.length };
}

/** The files of a snapshot, each checked: the checksum, the format, paths inside LOGIN_PATHS, sizes that add up. */
export async function readSnapshot(snapshot: { data: Buffer; sha256: string }): Promise<{ path: string; data: Buffer }[]> {
  if (sha256(snapshot.data) !== snapshot.sha256) {
    throw new UnusableSnapshotError("its checksum does not match (a corrupt or truncated snapshot)");
  }
  let raw: Buffer;
  try {
    raw = await gunzip(snapshot.data);
  } catch {
    throw new UnusableSnapshotError("it does not decompress (not a login snapshot)");
  }
  if (raw.length < MAGIC.length + 4 || !raw.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new UnusableSnapshotError("it is not in a snapshot format this version reads");
  }
  const headerLength = raw.readUInt32BE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  let header: z.infer<typeof ZHeaderSchema>;
  try {
    header = ZHeaderSchema.parse(JSON.parse(raw.subarray(headerStart, headerStart + headerLength).toString("utf8")));
  } catch {
    throw new UnusableSnapshotError("its list of files cannot be read");
  }
  let offset = headerStart + headerLength;
  const files = header.files.map((file) => {
    if (!isLoginPath(file.path)) throw new UnusableSnapshotError(`it names a file outside the login data: ${file.path}`);
    const data = raw.subarray(offset, offset + file.size);
    offset += file.size;
    return { path: file.path, data };
  });
  if (offset !== raw.length) throw new UnusableSnapshotError("its files do not add up to its length");
  return files;
}

/** A normalized relative path under one of LOGIN_PATHS: nothing else is ever written into a profile. */
function isLoginPath(path: string): boolean {
  if (path !== posix.normalize(path) || path.startsWith("/") || path.split("/").includes("..")) return false;
  return LOGIN_PATHS.some((root) => path.startsWith(`${root}/`));
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Which saved login a profile holds, written beside it (not inside: Chromium owns the profile). */
export const MARKER_FILE = "login.json";
const ZMarkerSchema = z.object({ loginId: z.string(), generation: z.number().int() });
export type LoginMarker = z.infer<typeof ZMarkerSchema>;

export async function readLoginMarker(sessionDir: string): Promise<LoginMarker | null> {
  const text = await readFile(join(sessionDir, MARKER_FILE), "utf8").catch(() => null);
  if (text === null) return null;
  try {
    return ZMarkerSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

export async function writeLoginMarker(sessionDir: string, marker: LoginMarker): Promise<void> {
  await mkdir(sessionDir, { recursive: true });
  const temporary = join(sessionDir, `.${MARKER_FILE}-${randomUUID()}`);
  await writeFile(temporary, JSON.stringify(marker));
  await rename(temporary, join(sessionDir, MARKER_FILE));
}

/**
 * Whether to restore the store's newest login before a start: not when the local profile holds that
 * login at the same or a later save; yes when it holds none, an older save, or another login.
 */
export function shouldRestore(local: LoginMarker | null, stored: { loginId: string; generation: number } | null): boolean {
  if (!stored) return false;
  return !local || local.loginId !== stored.loginId || local.generation < stored.generation;
}
