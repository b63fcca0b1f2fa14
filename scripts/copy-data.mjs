#!/usr/bin/env node
// `npm run copy-data -- --from file:… --to postgresql://…` (docs/cluster.md, "Moving an embedded install"):
// the compiled command when the build is current (a production install needs no devDependencies), else the
// sources through tsx (a checkout with its devDependencies). Arguments and exit code pass through.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildIsCurrent, COPY_DATA_BUNDLE } from "./build-fingerprint.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

if (buildIsCurrent(root)) {
  await import(pathToFileURL(path.join(root, COPY_DATA_BUNDLE)).href);
} else if (fs.existsSync(path.join(root, "node_modules", "tsx"))) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "server/copy-data-main.ts", ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
  });
  process.exit(run.status ?? 1);
} else {
  console.error("copy-data: there is no build for the current sources; run `npm run build` first.");
  process.exit(1);
}
