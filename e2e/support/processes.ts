import { execFileSync } from "node:child_process";

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
