#!/usr/bin/env node
// Writes prisma/postgresql/schema.prisma, the PostgreSQL twin of prisma/schema.prisma (the only hand-edited
// model): the same models with the datasource's provider swapped and the client generated into
// generated/prisma-postgresql. Prisma cannot pick a provider at run time, so each provider gets its own
// schema, client and migration history (docs/cluster.md). Then generates both clients: run by `npm install`
// (postinstall) and the build. `--check` only exits 1 when the committed twin is stale.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const SOURCE = path.join(root, "prisma", "schema.prisma");
export const TWIN = path.join(root, "prisma", "postgresql", "schema.prisma");

/** The twin's text for a given schema.prisma text; throws when the parts it swaps are not found exactly once. */
export function postgresTwin(source) {
  const swaps = [
    [/(datasource db \{[^}]*?provider\s*=\s*)"sqlite"/, '$1"postgresql"'],
    [/(generator client \{[^}]*?output\s*=\s*)"\.\.\/generated\/prisma"/, '$1"../../generated/prisma-postgresql"'],
  ];
  let text = source;
  for (const [pattern, replacement] of swaps) {
    if (!pattern.test(text)) throw new Error(`prisma/schema.prisma: ${pattern} not found; update scripts/gen-pg-schema.mjs`);
    text = text.replace(pattern, replacement);
  }
  return `// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs: do not edit; edit that file and run the script.\n${text}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = postgresTwin(fs.readFileSync(SOURCE, "utf8"));
  const current = fs.existsSync(TWIN) ? fs.readFileSync(TWIN, "utf8") : null;
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      console.error("prisma/postgresql/schema.prisma is stale: run `node scripts/gen-pg-schema.mjs`.");
      process.exit(1);
    }
  } else {
    if (current !== wanted) {
      fs.mkdirSync(path.dirname(TWIN), { recursive: true });
      fs.writeFileSync(TWIN, wanted);
    }
    // DATABASE_URL only has to have the provider's scheme: `prisma generate` connects to nothing, but with a
    // URL it cannot validate it falls back to downloading a query engine (offline: an error).
    const clients = [
      ["prisma/schema.prisma", "file:./.switchboard/switchboard.db"],
      ["prisma/postgresql/schema.prisma", "postgresql://localhost/switchboard"],
    ];
    for (const [schema, url] of clients) {
      const run = spawnSync("npx", ["prisma", "generate", "--schema", schema], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      });
      if (run.status !== 0) process.exit(run.status ?? 1);
    }
  }
}
