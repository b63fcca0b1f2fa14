import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Pids of processes whose command line contains `pattern` (e.g. a session's Chromium profile path).
 * Runs pgrep without a shell: a shell's own command line would match the pattern.
 */
export function processesMatching(pattern: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", "--", pattern]).toString().trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Chromium's renderer processes (`--type=renderer`) among those whose command line contains `pattern`. */
export function renderersMatching(pattern: string): number[] {
  return processesMatching(pattern).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
    } catch {
      return false; // exited meanwhile
    }
  });
}
