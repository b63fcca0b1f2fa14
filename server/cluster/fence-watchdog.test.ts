import { spawn } from "node:child_process";
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
    for (let i = 0; i < 5; i++) {
      watchdog.arm(FenceWatchdog.now() + 300);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    watchdog.arm(null);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(killed).toEqual([]);
    expect(alive(sleeper)).toBe(true);
    tree.shell.kill("SIGKILL");
    process.kill(sleeper, "SIGKILL");
  });
});
