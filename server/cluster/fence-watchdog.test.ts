import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FenceWatchdog } from "./fence-watchdog";

/** A shell with one grandchild, standing in for a server process and its browser. */
function processTree() {
  const shell = spawn("sh", ["-c", "sleep 30 & echo $!; wait"], { stdio: ["ignore", "pipe", "ignore"] });
  const grandchild = new Promise<number>((resolve) => shell.stdout.once("data", (data: Buffer) => resolve(Number(data.toString().trim()))));
  const exited = new Promise<void>((resolve) => shell.once("exit", () => resolve()));
  return { shell, grandchild, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("FenceWatchdog", () => {
  let watchdog: FenceWatchdog | null = null;
  afterEach(() => watchdog?.close());

  it("kills every descendant once the deadline passes without a renewal", async () => {
    const tree = processTree();
    const sleeper = await tree.grandchild;
    const fenced = new Promise<number[]>((resolve) => {
      watchdog = new FenceWatchdog(resolve, tree.shell.pid);
    });
    watchdog!.arm(FenceWatchdog.now() + 200);
    expect(await fenced).toContain(sleeper);
    await tree.exited;
    expect(alive(sleeper)).toBe(false);
  });

  it("kills nothing while the deadline keeps moving, or once disarmed", async () => {
    const tree = processTree();
    const sleeper = await tree.grandchild;
    let killed: number[] = [];
    watchdog = new FenceWatchdog((pids) => (killed = pids), tree.shell.pid);
    // Deadlines far beyond the renewal period, so a busy machine's late timers do not let one pass.
    for (let i = 0; i < 5; i++) {
      watchdog.arm(FenceWatchdog.now() + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lastDeadline = FenceWatchdog.now() + 1_000;
    watchdog.arm(lastDeadline);
    watchdog.arm(null);
    await waitUntil(() => FenceWatchdog.now() > lastDeadline + 300);
    expect(killed).toEqual([]);
    expect(alive(sleeper)).toBe(true);
    tree.shell.kill("SIGKILL");
    process.kill(sleeper, "SIGKILL");
  });

  it("kills the browsers of a server paused with SIGSTOP (it runs in a process of its own)", async () => {
    const server = spawn(process.execPath, ["--import", "tsx", "test/support/fence-watchdog-child.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const browser = await new Promise<number>((resolve) =>
        server.stdout.on("data", (data: Buffer) => {
          const match = /armed (\d+)/.exec(data.toString());
          if (match) resolve(Number(match[1]));
        }),
      );
      server.kill("SIGSTOP");
      await waitUntil(() => !alive(browser) || isZombie(browser));
    } finally {
      server.kill("SIGKILL");
      server.kill("SIGCONT");
    }
  });
});

/** A killed child of a paused parent stays a zombie until the parent reaps it: dead all the same. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
