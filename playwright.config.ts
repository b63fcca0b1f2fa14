import { defineConfig } from "@playwright/test";

/**
 * e2e/api: HTTP specs against the real built server (one per spec file, from the fixtures in
 * e2e/support/fixtures.ts; a process of its own, so specs can restart or kill it). e2e/ui: the
 * dashboard in Debian's Chromium. e2e/cluster: three workers on a throwaway PostgreSQL behind nginx
 * (e2e/support/cluster-fixtures.ts), one cluster per spec file.
 * One worker: the machine has two cores, and a cluster alone runs five servers.
 * Run `npm run build` first (npm test does).
 */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/artifacts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "test-results/e2e.json" }]] : "list",
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.SWITCHBOARD_CHROME_PATH ?? "/usr/bin/chromium",
      args: ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [
    { name: "api", testDir: "e2e/api" },
    { name: "ui", testDir: "e2e/ui" },
    { name: "cluster", testDir: "e2e/cluster", timeout: 120_000 },
  ],
});
