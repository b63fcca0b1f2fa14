import { Worker } from "node:worker_threads";

/**
 * The last line of self-fencing: a thread with its own timer that SIGKILLs every process this one started
 * (each session's Chromium tree) once the lease deadline passes without a renewal. The main thread stops
 * its sessions itself when it sees the lease lost; this covers a main thread that cannot (its event loop
 * blocked), so no browser of ours stays connected to WhatsApp after a peer may have taken its session.
 * Deadlines are on the monotonic clock (`process.hrtime`), which both threads share; wall-clock jumps
 * do not move them.
 */
export class FenceWatchdog {
  private readonly thread: Worker;

  /** `rootPid`: whose descendants to kill (this process; a test gives a child of its own). */
  constructor(onFenced: (killed: number[]) => void, rootPid = process.pid) {
    this.thread = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { pid: rootPid } });
    this.thread.on("message", (message: { killed: number[] }) => onFenced(message.killed));
    this.thread.unref();
  }

  /** Now on the clock deadlines use, in milliseconds. */
  static now(): number {
    return Number(process.hrtime.bigint() / 1_000_000n);
  }

  /** Kill this process's children at `deadline` (FenceWatchdog.now() time) unless armed again before; null disarms. */
  arm(deadline: number | null): void {
    this.thread.postMessage({ deadline });
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}

// Plain JavaScript run by the thread (eval: a bundle has no separate file for it). Every 100 ms it checks the
// deadline; a process resumed after SIGSTOP checks at once. Descendants are found through /proc's ppid.
const WATCHDOG_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
let deadline = null;
parentPort.on("message", (message) => { deadline = message.deadline; });
function descendants(root) {
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
  const queue = [root];
  while (queue.length) for (const child of children.get(queue.shift()) || []) { found.push(child); queue.push(child); }
  return found;
}
setInterval(() => {
  if (deadline === null || Number(process.hrtime.bigint() / 1000000n) < deadline) return;
  deadline = null;
  const killed = [];
  for (const pid of descendants(workerData.pid)) { try { process.kill(pid, "SIGKILL"); killed.push(pid); } catch {} }
  parentPort.postMessage({ killed });
}, 100);
`;
