#!/usr/bin/env node
// `npm start`: build only when there is no build for the current sources, then run the server in
// production. A second start with nothing changed goes straight to the server.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

// TypeScript from here on (the fingerprint module, then the server), in this one process.
register();
const { buildIsCurrent, recordBuild, sourceFingerprint } = await import("./build-fingerprint.ts");

const root = fileURLToPath(new URL("..", import.meta.url));
const fingerprint = sourceFingerprint(root);

if (buildIsCurrent(root, fingerprint)) {
  console.log("Using the existing build (the sources have not changed since it was made).");
} else {
  console.log("Building the dashboard and API (no build for the current sources yet)...");
  const build = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  recordBuild(root, fingerprint);
}

// The server runs in this process (no wrapper between it and a service manager's signals).
process.env.NODE_ENV = "production";
await import(pathToFileURL(path.join(root, "server.ts")).href);
