#!/usr/bin/env node
// `npm start`: build only when there is no build for the current sources, then run the compiled server
// in production, in this process (no wrapper between it and a service manager's signals).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildIsCurrent, SERVER_BUNDLE } from "./build-fingerprint.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

if (buildIsCurrent(root)) {
  console.log("Using the existing build (the sources have not changed since it was made).");
} else {
  console.log("Building the dashboard and API (no build for the current sources yet)...");
  const build = spawnSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

process.env.NODE_ENV = "production";
await import(pathToFileURL(path.join(root, SERVER_BUNDLE)).href);
