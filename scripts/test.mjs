#!/usr/bin/env node
// `npm test`: format, lint, typecheck, unit tests (Vitest), production build (scripts/build.mjs), e2e (Playwright),
// then the container test (scripts/container-test.sh; skipped, saying why, where no Docker daemon can run), in that order.
// Vitest's and Playwright's summaries are not lines CI reads, so this prints one per runner and a
// closing `N passed, N failed` total. Exits non-zero if any step failed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const results = [];

function run(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  return spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } }).status === 0;
}

/** A step without test counts (lint, typecheck, build) counts as one check. */
function check(name, command, args) {
  const ok = run(name, command, args);
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
  return ok;
}

const TERMINAL_COLOURS = /\u001b\[[0-9;]*m/g;

/** The first line of a failure message, without terminal colours, for the summary. */
function firstLine(message = "") {
  return message.replace(TERMINAL_COLOURS, "").trim().split("\n")[0].slice(0, 300);
}

/** Vitest's failed tests, and files that failed before any test ran (an import error, a failing hook). */
function unitFailures(report) {
  const failures = [];
  for (const file of report?.testResults ?? []) {
    const where = path.relative(process.cwd(), file.name);
    const failedTests = file.assertionResults.filter((test) => test.status === "failed");
    for (const test of failedTests) failures.push(`failed ${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (file.status === "failed" && failedTests.length === 0) failures.push(`failed ${where}: ${firstLine(file.message)}`);
  }
  return failures;
}

/** Playwright's tests that failed on every attempt, or passed only on a retry (flaky). */
function e2eFailures(report) {
  const failures = [];
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        if (test.status !== "unexpected" && test.status !== "flaky") continue;
        const error = test.results.find((result) => result.error)?.error?.message;
        failures.push(`${test.status === "flaky" ? "flaky" : "failed"} ${spec.file}:${spec.line} › ${spec.title}: ${firstLine(error)}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report?.suites ?? []) visit(suite);
  return failures;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

fs.mkdirSync("test-results", { recursive: true });
const only = process.argv[2]; // `npm test -- unit` (or static, e2e, container) to run one part

if (!only || only === "static") {
  check("format", "npx", ["prettier", "--check", "."]);
  check("lint", "npx", ["eslint", "--max-warnings=0", "."]);
  check("typecheck", "npx", ["tsc", "--noEmit", "-p", "."]);
}

if (!only || only === "unit") {
  fs.rmSync("test-results/unit.json", { force: true });
  run("unit", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"]);
  const unit = readJson("test-results/unit.json");
  results.push({ name: "unit", passed: unit?.numPassedTests ?? 0, failed: unit ? unit.numFailedTests : 1, failures: unitFailures(unit) });
}

if (!only || only === "e2e") {
  if (check("build", "npm", ["run", "build"])) {
    fs.rmSync("test-results/e2e.json", { force: true });
    run("e2e", "npx", ["playwright", "test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/e2e.json" });
    const report = readJson("test-results/e2e.json");
    const stats = report?.stats;
    results.push({
      name: "e2e",
      passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
      failed: stats ? stats.unexpected : 1,
      failures: e2eFailures(report),
    });
  }
}

if (!only || only === "container") {
  console.log("\n=== container: bash scripts/container-test.sh");
  const status = spawnSync("bash", ["scripts/container-test.sh"], { stdio: "inherit" }).status;
  // 77: no Docker daemon can run here (the script printed why).
  if (status === 77) results.push({ name: "container", passed: 0, failed: 0, skipped: 1 });
  else results.push({ name: "container", passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1 });
}

console.log("");
// The runners' own reports scroll far above; what failed (or passed only on a retry) is repeated here, next to the totals.
for (const r of results) for (const failure of r.failures ?? []) console.log(`${r.name} ${failure}`);
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""}`);
const total = (key) => results.reduce((sum, r) => sum + (r[key] ?? 0), 0);
const failed = total("failed");
// The last line is the one CI reads: exactly `N passed, N failed` (what was skipped is said on the lines above).
console.log(`${total("passed")} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
