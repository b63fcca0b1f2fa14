import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

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

/** Every process below `pid` (children, their children, …), found through /proc's parent ids. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const stat = statOf(Number(entry));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Whether `pid` still runs (a zombie has ended: only its exit status is left to collect). */
export function isAlive(pid: number): boolean {
  const state = statOf(pid)?.state;
  return state !== undefined && state !== "Z" && state !== "X";
}

function statOf(pid: number): { state: string; ppid: number } | null {
  if (!Number.isInteger(pid)) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the `(comm)`, which may hold spaces and parentheses: state, ppid, …
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return null; // not a process, or exited meanwhile
  }
}
