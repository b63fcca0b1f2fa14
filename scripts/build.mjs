#!/usr/bin/env node
// `npm run build`: the dashboard and route handlers (`next build`), then the custom server compiled ahead
// of time into one ES module (so a production start transpiles nothing) and the copy-data command beside
// it, then the sources' fingerprint that lets `npm start` reuse this build. npm packages stay external:
// Node loads them from node_modules.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { COPY_DATA_BUNDLE, recordBuild, SERVER_BUNDLE, sourceFingerprint } from "./build-fingerprint.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// Taken before building: a source edited during the build leaves it stale, not wrongly current.
const fingerprint = sourceFingerprint(root);

// Both Prisma clients (SQLite and PostgreSQL) from the one model, as `npm install` does.
const clients = spawnSync("node", ["scripts/gen-pg-schema.mjs"], { cwd: root, stdio: "inherit" });
if (clients.status !== 0) process.exit(clients.status ?? 1);

// Next's telemetry would phone home from every build; a self-hosted server's build should not.
const next = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env } });
if (next.status !== 0) process.exit(next.status ?? 1);

// The server, and the one-shot `copy-data` command (so a production install runs it without devDependencies).
const bundles = { "server.ts": SERVER_BUNDLE, "server/copy-data-main.ts": COPY_DATA_BUNDLE };
for (const [entry, outfile] of Object.entries(bundles)) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: path.join(root, outfile),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}
recordBuild(root, fingerprint);
console.log(`Compiled the server to ${SERVER_BUNDLE} and the copy-data command to ${COPY_DATA_BUNDLE}.`);
