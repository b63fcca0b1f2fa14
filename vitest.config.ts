import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests sit next to their code as *.test.ts; anything needing the running server is in e2e/.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["{lib,server,components,app,scripts,eslint}/**/*.test.{ts,tsx}"],
    environment: "node",
    // Many tests start processes or a database; Vitest's 5 s (10 s for hooks) leaves no room on a machine twice as
    // slow as a quiet one. Tests wait for conditions, so a longer limit costs nothing while they pass.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throwaway PostgreSQL cluster per run for the tests that also run on PostgreSQL (skipped, saying why, without it).
    globalSetup: ["test/support/postgres-cluster.ts"],
  },
});
