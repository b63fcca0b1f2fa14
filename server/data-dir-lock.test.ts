import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_FILE, lockDataDir } from "./data-dir-lock";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-lock-"));
  dirs.push(dir);
  return dir;
}

/** A process that tries to lock `dir`: "locked" once it holds it, else its refusal (it exits). */
function holder(dir: string): Promise<{ child: ChildProcess; answer: string }> {
  // node --import tsx, one process: SIGKILL on the tsx CLI would kill only its wrapper.
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/data-dir-lock-child.ts", dir], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve({ child, answer: stdout.trim() });
    });
    child.on("exit", (code) => reject(new Error(`holder exited with ${code} before answering: ${stdout}${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("the data folder lock", () => {
  it("refuses a second process on the same folder, naming the folder, while the first holds it", async () => {
    const dir = dataDir();
    const first = await holder(dir);
    expect(first.answer).toBe("locked");

    for (let attempt = 0; attempt < 2; attempt++) {
      const second = await holder(dir);
      expect(second.answer).toContain(`The data folder ${dir} is in use by another Switchboard process`);
      expect(await exited(second.child)).toBe(3);
    }
    // Still the first's: a refused attempt leaves the holder's lock alone.
    expect(first.child.exitCode).toBeNull();
    await expect(lockDataDir(dir)).rejects.toThrow(/in use by another Switchboard process/);
    expect((fs.statSync(path.join(dir, DATA_DIR_LOCK_FILE)).mode & 0o777).toString(8)).toBe("600");
  }, 30_000);

  it("is free again the moment its holder is killed with SIGKILL: no stale file to clean", async () => {
    const dir = dataDir();
    const first = await holder(dir);
    expect(first.answer).toBe("locked");
    first.child.kill("SIGKILL");
    await exited(first.child);

    expect(fs.existsSync(path.join(dir, DATA_DIR_LOCK_FILE))).toBe(true);
    const next = await holder(dir);
    expect(next.answer).toBe("locked");
    // Beside the lock file nothing: the lock leaves no journal behind.
    expect(fs.readdirSync(dir)).toEqual([DATA_DIR_LOCK_FILE]);
  }, 30_000);

  it("lets the folder go on release, within one process", async () => {
    const dir = dataDir();
    const lock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(`The data folder ${dir} is in use`);
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });
});
