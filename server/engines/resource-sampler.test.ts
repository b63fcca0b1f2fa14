import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { testHostOptions } from "@/test/support/test-host";
import { FakeEngineFactory } from "./fake/fake-engine";
import { EngineHost } from "./engine-host";
import { parseProcStat, parseSmapsRollupBytes, processesOf, ResourceSampler } from "./resource-sampler";

const silent = { warn: () => {} };

describe("parsing /proc", () => {
  it("reads the process group and the CPU ticks (utime + stime) after a comm with spaces", () => {
    const stat = "4242 (chrome (renderer) x) S 4200 4100 4100 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0";
    expect(parseProcStat(stat)).toEqual({ pgid: 4100, ticks: 300 });
  });
  it("leaves out zombies and garbage", () => {
    expect(parseProcStat("7 (x) Z 1 7 7 0 -1 0 0 0 0 0 1 1")).toBeNull();
    expect(parseProcStat("nonsense")).toBeNull();
  });
  it("reads Rss and Pss in bytes", () => {
    expect(parseSmapsRollupBytes("00400000-7ffd [rollup]\nRss:      2048 kB\nPss:       1024 kB\nPss_Anon:   10 kB\n")).toEqual({
      rssBytes: 2048 * 1024,
      pssBytes: 1024 * 1024,
    });
  });
  it("a browser's processes are its own and its process group's", () => {
    const stats = new Map([
      [100, { pgid: 100, ticks: 1 }],
      [101, { pgid: 100, ticks: 1 }],
      [200, { pgid: 200, ticks: 1 }],
    ]);
    expect(processesOf(100, stats)).toEqual([100, 101]);
    expect(processesOf(300, stats)).toEqual([]);
  });
});

describe("ResourceSampler", () => {
  const procRoot = mkdtempSync(join(tmpdir(), "sampler-proc-"));
  afterAll(() => rmSync(procRoot, { recursive: true, force: true }));

  /** A fake /proc entry: its process group, CPU ticks and memory in KiB. */
  function writeProcess(pid: number, pgid: number, ticks: number, rssKiB: number, pssKiB: number): void {
    mkdirSync(join(procRoot, String(pid)), { recursive: true });
    writeFileSync(join(procRoot, String(pid), "stat"), `${pid} (chrome) S 1 ${pgid} ${pgid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0`);
    writeFileSync(join(procRoot, String(pid), "smaps_rollup"), `Rss: ${rssKiB} kB\nPss: ${pssKiB} kB\n`);
  }

  let clock: FakeClock;
  let factory: FakeEngineFactory;
  let host: EngineHost;
  let sampler: ResourceSampler;

  beforeEach(() => {
    rmSync(procRoot, { recursive: true, force: true });
    mkdirSync(procRoot);
    clock = new FakeClock();
    factory = new FakeEngineFactory();
    host = new EngineHost(testHostOptions({ factory, clock }));
    sampler = new ResourceSampler({ host, clock, intervalMs: 10_000, historyMs: 60_000, procRoot, logger: silent });
  });

  it("sums a browser's processes, counts CPU between two samples and events per minute", async () => {
    await host.start("s", {});
    factory.last("s").process = { pid: 100, profileDir: "/p" };
    writeProcess(100, 100, 1_000, 100_000, 60_000);
    writeProcess(101, 100, 500, 50_000, 20_000);
    writeProcess(200, 200, 9_999, 1, 1); // another browser
    await sampler.sampleNow();
    expect(sampler.current("s")).toMatchObject({ rssBytes: 150_000 * 1024, pssBytes: 80_000 * 1024, processes: 2, cpuPercent: null });

    sampler.start();
    factory.last("s").emit({ type: "raw", event: "message", data: {} });
    factory.last("s").emit({ type: "raw", event: "message", data: {} });
    writeProcess(100, 100, 1_000 + 500, 100_000, 60_000); // 5 s of CPU in 10 s: half a core
    const round = new Promise((resolve) => sampler.onRound(resolve));
    await clock.advance(10_000);
    await round;
    const last = sampler.current("s")!;
    expect(last.cpuPercent).toBeCloseTo(50);
    expect(sampler.history("s").length).toBeGreaterThanOrEqual(2);
    expect(sampler.history("s").some((sample) => sample.eventsPerMinute > 0)).toBe(true);
    await sampler.stop();
  });

  it("has nothing for a session without a browser, and nothing once it stops", async () => {
    await host.start("s", {});
    await sampler.sampleNow();
    expect(sampler.current("s")).toBeNull();
    factory.last("s").process = { pid: 100, profileDir: "/p" };
    writeProcess(100, 100, 0, 10, 10);
    await sampler.sampleNow();
    expect(sampler.current("s")?.pssBytes).toBe(10 * 1024);
    await host.stop("s");
    expect(sampler.current("s")).toBeNull();
    expect(sampler.history("s")).toHaveLength(1);
  });

  it("keeps samples for the history's length only", async () => {
    await host.start("s", {});
    factory.last("s").process = { pid: 100, profileDir: "/p" };
    writeProcess(100, 100, 0, 10, 10);
    for (let i = 0; i < 4; i++) {
      await sampler.sampleNow();
      await clock.advance(30_000);
    }
    const samples = sampler.history("s");
    expect(samples.length).toBeLessThanOrEqual(3);
    expect(clock.now() - samples[0].timestamp).toBeLessThanOrEqual(90_000);
  });

  it("a browser whose processes are gone is skipped", async () => {
    await host.start("s", {});
    factory.last("s").process = { pid: 4242, profileDir: "/p" };
    await sampler.sampleNow();
    expect(sampler.current("s")).toBeNull();
    expect(sampler.lastRound?.browsers).toBe(0);
  });
});
