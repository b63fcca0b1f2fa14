import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findBrowserProcesses,
  killBrowserProcesses,
  listProcesses,
  measureMemory,
  parseSmapsRollup,
  parseStat,
  selectBrowserProcesses,
  usesProfile,
  type ProcessEntry,
} from "./process-tree";

const PROFILE = "/data/auth/sales/session-sales";

describe("parseStat", () => {
  it("reads state and process group after a comm with spaces and parentheses", () => {
    expect(parseStat("4242 (chrome (renderer) x) S 4200 4100 4100 0 -1 4194560")).toEqual({ state: "S", pgid: 4100 });
  });
  it("rejects garbage", () => {
    expect(parseStat("nonsense")).toBeNull();
  });
});

describe("usesProfile", () => {
  it("matches the flag as a NUL-separated argument", () => {
    expect(usesProfile(`/usr/lib/chromium/chromium\0--user-data-dir=${PROFILE}\0about:blank\0`, PROFILE)).toBe(true);
  });
  it("matches the flag inside a retitled, space-separated command line", () => {
    expect(usesProfile(`/usr/lib/chromium/chromium --type=renderer --user-data-dir=${PROFILE} --no-sandbox`, PROFILE)).toBe(true);
    expect(usesProfile(`chromium --user-data-dir=${PROFILE}`, PROFILE)).toBe(true);
  });
  it("does not match another session whose path starts the same", () => {
    expect(usesProfile(`chromium\0--user-data-dir=${PROFILE}-2\0`, PROFILE)).toBe(false);
    expect(usesProfile(`chromium\0--user-data-dir=${PROFILE}/sub\0`, PROFILE)).toBe(false);
    expect(usesProfile(`chromium\0--other-user-data-dir=${PROFILE}\0`, PROFILE)).toBe(false);
  });
});

describe("selectBrowserProcesses", () => {
  const entry = (pid: number, pgid: number, cmdline: string, state = "S"): ProcessEntry => ({ pid, pgid, state, cmdline });
  const processes = [
    entry(100, 100, `chromium\0--user-data-dir=${PROFILE}\0`),
    entry(101, 100, "chromium --type=zygote"),
    entry(102, 100, "", "Z"),
    entry(200, 200, `chromium\0--user-data-dir=${PROFILE}\0`),
    entry(300, 300, `chromium\0--user-data-dir=/data/auth/other/session-other\0`),
    entry(301, 300, "chromium --type=renderer --user-data-dir=/elsewhere"),
  ];

  it("takes the browser's process group and every live process on its profile, never zombies", () => {
    expect(selectBrowserProcesses(processes, { pid: 100, profileDir: PROFILE })).toEqual([100, 101, 200]);
  });
  it("finds leftovers by profile alone when the pid is unknown", () => {
    expect(selectBrowserProcesses(processes, { pid: null, profileDir: PROFILE })).toEqual([100, 200]);
  });
});

describe("listProcesses and measureMemory on a /proc-like directory", () => {
  const proc = mkdtempSync(join(tmpdir(), "webjs-fake-proc-"));
  afterAll(() => rmSync(proc, { recursive: true, force: true }));
  const add = (pid: number, stat: string, cmdline: string, smaps?: string) => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), "stat"), stat);
    writeFileSync(join(proc, String(pid), "cmdline"), cmdline);
    if (smaps) writeFileSync(join(proc, String(pid), "smaps_rollup"), smaps);
  };
  add(
    10,
    "10 (chromium) S 1 10 10",
    `chromium\0--user-data-dir=${PROFILE}\0`,
    "Rss: 9 kB\nPss: 100 kB\nPrivate_Clean: 5 kB\nPrivate_Dirty: 40 kB\n",
  );
  add(11, "11 (chromium) S 10 10 10", "chromium --type=gpu-process", "Pss: 50 kB\nPrivate_Clean: 0 kB\nPrivate_Dirty: 20 kB\n");
  mkdirSync(join(proc, "self"));
  mkdirSync(join(proc, "12")); // exited between readdir and read

  it("lists numeric entries that could be read", async () => {
    expect((await listProcesses(proc)).map((p) => p.pid).sort()).toEqual([10, 11]);
    expect(await findBrowserProcesses({ pid: 10, profileDir: PROFILE }, proc)).toEqual([10, 11]);
  });

  it("sums PSS and USS, counting vanished processes as nothing", async () => {
    expect(await measureMemory([10, 11, 12], proc)).toEqual({ processes: 2, pssKiB: 150, ussKiB: 65 });
  });

  it("parses smaps_rollup fields", () => {
    expect(parseSmapsRollup("Pss: 7 kB\nPss_Anon: 3 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n")).toEqual({ pssKiB: 7, ussKiB: 3 });
  });
});

describe("killBrowserProcesses", () => {
  const idle = "setInterval(() => {}, 1000)";

  it("kills a detached process group with its children", async () => {
    const leader = spawn("sh", ["-c", `"${process.execPath}" -e "${idle}" & "${process.execPath}" -e "${idle}"; wait`], {
      detached: true,
      stdio: "ignore",
    });
    const identity = { pid: leader.pid!, profileDir: "/nonexistent/profile" };
    await expect.poll(() => findBrowserProcesses(identity).then((pids) => pids.length)).toBe(3);
    expect(await killBrowserProcesses(identity)).toEqual([]);
    expect(await findBrowserProcesses(identity)).toEqual([]);
  });

  it("kills processes that use the profile even without a known pid", async () => {
    const profileDir = join(tmpdir(), `webjs-profile-${process.pid}-${Date.now()}`); // only a unique flag value
    const stray = spawn(process.execPath, ["-e", idle, "--", `--user-data-dir=${profileDir}`], { stdio: "ignore" });
    const identity = { pid: null, profileDir };
    await expect.poll(() => findBrowserProcesses(identity)).toEqual([stray.pid]);
    expect(await killBrowserProcesses(identity)).toEqual([]);
  });
});
