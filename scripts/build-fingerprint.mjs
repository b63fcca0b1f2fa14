// Whether `.next` was built from the sources as they are now, so `npm start` builds only when it must.
// The fingerprint is a hash of every file the build reads (paths and contents), written beside the
// build once it succeeded; a start compares it with the sources' hash of the moment.
// Plain JavaScript: `npm start` runs it before anything is compiled (types in build-fingerprint.d.mts).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Folders and root files whose contents decide the build; tests and docs do not. */
export const BUILD_INPUTS = {
  folders: ["app", "components", "lib", "server", "public", "prisma"],
  files: ["server.ts", "scripts/build.mjs", "next.config.mjs", "package.json", "package-lock.json", "tsconfig.json", "postcss.config.mjs"],
};

/** The server compiled ahead of time by scripts/build.mjs (inside `.next`, so one build folder holds it all). */
export const SERVER_BUNDLE = path.join(".next", "switchboard-server.mjs");

/** The `copy-data` command (server/copy-data-main.ts), compiled beside the server by scripts/build.mjs. */
export const COPY_DATA_BUNDLE = path.join(".next", "switchboard-copy-data.mjs");

export const FINGERPRINT_FILE = path.join(".next", "switchboard-sources.sha256");

const IGNORED = /(^|\/)(node_modules|\.next)(\/|$)|\.test\.tsx?$/;

function listFiles(root, folder) {
  const start = path.join(root, folder);
  if (!fs.existsSync(start)) return [];
  return fs
    .readdirSync(start, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .filter((file) => !IGNORED.test(file));
}

/** SHA-256 over the sorted paths and contents of the build's inputs. */
export function sourceFingerprint(root) {
  const files = [
    ...BUILD_INPUTS.folders.flatMap((folder) => listFiles(root, folder)),
    ...BUILD_INPUTS.files.filter((file) => fs.existsSync(path.join(root, file))),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** True when a production build (Next's, the compiled server and command) exists and was made from exactly these sources. */
export function buildIsCurrent(root, fingerprint = sourceFingerprint(root)) {
  const stored = path.join(root, FINGERPRINT_FILE);
  return (
    fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
    fs.existsSync(path.join(root, SERVER_BUNDLE)) &&
    fs.existsSync(path.join(root, COPY_DATA_BUNDLE)) &&
    fs.existsSync(stored) &&
    fs.readFileSync(stored, "utf8").trim() === fingerprint
  );
}

/** Record that the build in `.next` was made from sources with this fingerprint. */
export function recordBuild(root, fingerprint) {
  fs.writeFileSync(path.join(root, FINGERPRINT_FILE), `${fingerprint}\n`);
}
