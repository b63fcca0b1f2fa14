import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Finding and killing a session's Chromium through /proc. Puppeteer launches the browser detached, so
 * the browser's pid is also the id of a process group that holds its zygotes, GPU, utility and renderer
 * processes; all of them also carry the profile's `--user-data-dir=` flag, which is how leftovers of an
 * earlier crash (another pid, maybe another server process) are recognised.
 */

export interface ProcessEntry {
  pid: number;
  /** Process group id. */
  pgid: number;
  /** Kernel state letter: R, S, D, Z (zombie), ... */
  state: string;
  /** Raw /proc/<pid>/cmdline: NUL-separated, or one space-separated string once Chromium retitled it. */
  cmdline: string;
}

const PROC = "/proc";

/** Fields after the `(comm)` of /proc/<pid>/stat; comm itself may contain spaces and parentheses. */
export function parseStat(stat: string): { state: string; pgid: number } | null {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const pgid = Number(fields[2]);
  return fields[0] && Number.isInteger(pgid) ? { state: fields[0], pgid } : null;
}

/**
 * Whether a command line runs on `profileDir`. Chromium's child processes rewrite their title into a
 * single space-separated string, so the flag may end with NUL, a space or the end of the line.
 */
export function usesProfile(cmdline: string, profileDir: string): boolean {
  const flag = `--user-data-dir=${profileDir}`;
  for (let at = cmdline.indexOf(flag); at !== -1; at = cmdline.indexOf(flag, at + 1)) {
    const next = cmdline[at + flag.length];
    const starts = at === 0 || cmdline[at - 1] === "\0" || cmdline[at - 1] === " ";
    if (starts && (next === undefined || next === "\0" || next === " ")) return true;
  }
  return false;
}

export async function listProcesses(procRoot = PROC): Promise<ProcessEntry[]> {
  const names = await readdir(procRoot);
  const entries = await Promise.all(names.filter((name) => /^\d+$/.test(name)).map((name) => readProcess(procRoot, Number(name))));
  return entries.filter((entry): entry is ProcessEntry => entry !== null);
}

async function readProcess(procRoot: string, pid: number): Promise<ProcessEntry | null> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(join(procRoot, String(pid), "stat"), "utf8"),
      readFile(join(procRoot, String(pid), "cmdline"), "utf8"),
    ]);
    const parsed = parseStat(stat);
    return parsed ? { pid, ...parsed, cmdline } : null;
  } catch {
    return null; // exited while we looked
  }
}

export interface BrowserIdentity {
  /** The browser's pid (= its process group), when known. */
  pid: number | null;
  profileDir: string;
}

/** Live (non-zombie) processes of that browser: its process group plus anything using its profile. */
export function selectBrowserProcesses(processes: ProcessEntry[], { pid, profileDir }: BrowserIdentity): number[] {
  return processes
    .filter((p) => p.state !== "Z" && p.state !== "X")
    .filter((p) => (pid !== null && p.pgid === pid) || usesProfile(p.cmdline, profileDir))
    .map((p) => p.pid);
}

export async function findBrowserProcesses(identity: BrowserIdentity, procRoot = PROC): Promise<number[]> {
  return selectBrowserProcesses(await listProcesses(procRoot), identity);
}

/**
 * SIGKILL the browser's process group and every process on its profile, then wait until /proc shows
 * none of them. Resolves with the pids still alive after `timeoutMs` (empty when all are gone).
 */
export async function killBrowserProcesses(identity: BrowserIdentity, timeoutMs = 3_000): Promise<number[]> {
  if (identity.pid !== null) signal(-identity.pid);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await findBrowserProcesses(identity);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    alive.forEach(signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // ESRCH: already gone.
  }
}

export interface MemoryUsage {
  processes: number;
  /** Proportional set size: shared pages split between their users; sums fairly across processes. */
  pssKiB: number;
  /** Unique set size: pages only this process uses (private clean + dirty). */
  ussKiB: number;
}

export function parseSmapsRollup(text: string): { pssKiB: number; ussKiB: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { pssKiB: field("Pss"), ussKiB: field("Private_Clean") + field("Private_Dirty") };
}

/** PSS and USS summed over `pids` from /proc/<pid>/smaps_rollup (processes that vanished count as 0). */
export async function measureMemory(pids: number[], procRoot = PROC): Promise<MemoryUsage> {
  const usages = await Promise.all(
    pids.map((pid) => readFile(join(procRoot, String(pid), "smaps_rollup"), "utf8").then(parseSmapsRollup, () => null)),
  );
  const measured = usages.filter((usage) => usage !== null);
  return {
    processes: measured.length,
    pssKiB: measured.reduce((sum, usage) => sum + usage.pssKiB, 0),
    ussKiB: measured.reduce((sum, usage) => sum + usage.ussKiB, 0),
  };
}
