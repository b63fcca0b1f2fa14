import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/**
 * The last line of self-fencing: a small process of its own that SIGKILLs every other process this server
 * started (each session's Chromium tree) once the lease deadline passes without a renewal. The main thread
 * stops its sessions itself when it sees the lease lost; this covers a server that cannot: its event loop
 * blocked, or the process paused (SIGSTOP stops every thread of a process, but not this one), so no browser
 * of ours stays connected to WhatsApp after a peer may have started the same session. Deadlines are on the
 * monotonic clock (`process.hrtime`, CLOCK_MONOTONIC on Linux), which both processes share; wall-clock
 * jumps do not move them. The watchdog exits when this process does (its stdin closes).
 */
export class FenceWatchdog {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;

  /** `rootPid`: whose descendants to kill (this process; a test gives a child of its own). */
  constructor(onFenced: (killed: number[]) => void, rootPid = process.pid) {
    this.child = spawn(process.execPath, ["-e", WATCHDOG_SOURCE, String(rootPid)], { stdio: ["pipe", "pipe", "inherit"] });
    let pending = "";
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        onFenced(line ? line.split(",").map(Number) : []);
      }
    });
    // Writes after the watchdog is gone (shutdown) are of no interest.
    this.child.stdin.on("error", () => undefined);
    this.child.unref();
  }

  /** Now on the clock deadlines use, in milliseconds. */
  static now(): number {
    return Number(process.hrtime.bigint() / 1_000_000n);
  }

  /** Kill this process's children at `deadline` (FenceWatchdog.now() time) unless armed again before; null disarms. */
  arm(deadline: number | null): void {
    this.child.stdin.write(`${deadline ?? "off"}\n`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await exited;
  }
}

// Plain JavaScript run by `node -e`: every 100 ms it checks the deadline, and at once after a pause of its own.
// Descendants of the root are found through /proc's ppid; the watchdog never kills itself.
const WATCHDOG_SOURCE = `
const fs = require("node:fs");
const root = Number(process.argv[1]);
let deadline = null;
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
  const lines = input.split("\\n");
  input = lines.pop();
  for (const line of lines) deadline = line === "off" ? null : Number(line);
});
process.stdin.on("end", () => process.exit(0));
function descendants(of) {
  const children = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync("/proc/" + entry + "/stat", "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {}
  }
  const found = [];
  const queue = [of];
  while (queue.length) for (const child of children.get(queue.shift()) || []) { found.push(child); queue.push(child); }
  return found.filter((pid) => pid !== process.pid);
}
setInterval(() => {
  if (deadline === null || Number(process.hrtime.bigint() / 1000000n) < deadline) return;
  deadline = null;
  const killed = [];
  for (const pid of descendants(root)) { try { process.kill(pid, "SIGKILL"); killed.push(pid); } catch {} }
  process.stdout.write(killed.join(",") + "\\n");
}, 100);
`;
