import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock, ClockTimer } from "./clock";
import type { BrowserProcess } from "./engine";
import type { EngineHost } from "./engine-host";

/**
 * Each running session's browser memory and CPU, sampled in the background and served from memory, so a
 * scrape or a session list never reads /proc. One round every `intervalMs`: one pass over /proc/<pid>/stat
 * (process groups and CPU time of every process), then, one session after another, the smaps_rollup of its
 * browser's processes (about 2 ms each). The round's own duration is kept, so its cost is visible.
 */

/** One reading of a session's browser (all its processes), and the library events counted since the last. */
export interface ResourceSample {
  /** ms */
  timestamp: number;
  /** Resident set size summed over the processes (shared pages counted in each). */
  rssBytes: number;
  /** Proportional set size summed over the processes (shared pages split between their users). */
  pssBytes: number;
  /** CPU time over the interval, in percent of one core; null on the first reading of a browser. */
  cpuPercent: number | null;
  /** The browser's processes. */
  processes: number;
  /** Library events of the session per minute over the interval. */
  eventsPerMinute: number;
}

export interface ResourceSamplerOptions {
  host: Pick<EngineHost, "runningNames" | "engine" | "subscribe">;
  clock: Clock;
  /** Time between rounds; 0 never samples. */
  intervalMs: number;
  /** How long samples are kept (the resources route answers with them). */
  historyMs?: number;
  procRoot?: string;
  logger: { warn: (obj: object, msg: string) => void };
}

/** Linux's USER_HZ: what /proc/<pid>/stat counts CPU time in (100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;
export const RESOURCE_HISTORY_MS = 3_600_000;

interface Tracked {
  samples: ResourceSample[];
  /** The browser the last CPU reading was of (a new browser starts a new count), and its CPU ticks then. */
  pid: number | null;
  ticks: number;
  /** When it was last sampled; null before the first sample. */
  at: number | null;
  /** Library events since the last sample. */
  events: number;
}

interface ProcStat {
  pgid: number;
  ticks: number;
}

export class ResourceSampler {
  private readonly tracked = new Map<string, Tracked>();
  private timer: ClockTimer | null = null;
  private running: Promise<void> | null = null;
  private readonly roundListeners = new Set<(round: SamplerRound) => void>();
  private unsubscribe: (() => void) | null = null;
  /** The last round: when it ran, how many browsers it read and how long it took. */
  lastRound: SamplerRound | null = null;

  constructor(private readonly options: ResourceSamplerOptions) {}

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  start(): void {
    if (this.options.intervalMs <= 0 || this.unsubscribe) return;
    this.unsubscribe = this.options.host.subscribe((event) => {
      if (event.type === "engine.event") this.entry(event.session).events++;
    });
    this.schedule();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Called after every round with what it read (cluster mode writes the figures for the other workers). */
  onRound(listener: (round: SamplerRound) => void): () => void {
    this.roundListeners.add(listener);
    return () => this.roundListeners.delete(listener);
  }

  /** The session's last sample while its browser runs; null without a browser or before its first sample. */
  current(name: string): ResourceSample | null {
    if (!this.options.host.engine(name)?.browserProcess()) return null;
    return this.tracked.get(name)?.samples.at(-1) ?? null;
  }

  /** The session's samples of the last hour (or `historyMs`), oldest first. */
  history(name: string): ResourceSample[] {
    return [...(this.tracked.get(name)?.samples ?? [])];
  }

  /** One round now (the timer's work; tests and benchmarks call it directly). */
  sampleNow(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      void this.sampleNow()
        .catch((error) => this.options.logger.warn({ err: error }, "sampling the browsers' memory and CPU failed"))
        .finally(() => {
          if (this.unsubscribe) this.schedule();
        });
    }, this.options.intervalMs);
  }

  private entry(name: string): Tracked {
    let tracked = this.tracked.get(name);
    if (!tracked) {
      tracked = { samples: [], pid: null, ticks: 0, at: null, events: 0 };
      this.tracked.set(name, tracked);
    }
    return tracked;
  }

  private async round(): Promise<void> {
    const { host, clock } = this.options;
    const procRoot = this.options.procRoot ?? "/proc";
    const startedAt = performance.now();
    const browsers = host
      .runningNames()
      .map((name) => ({ name, browser: host.engine(name)?.browserProcess() ?? null }))
      .filter((entry): entry is { name: string; browser: BrowserProcess } => entry.browser !== null);
    const stats = browsers.length ? await readAllStats(procRoot) : new Map<number, ProcStat>();
    const read = new Map<string, ResourceSample>();
    for (const { name, browser } of browsers) {
      const pids = processesOf(browser.pid, stats);
      if (pids.length === 0) continue;
      const memory = await readMemory(pids, procRoot);
      const now = clock.now();
      const ticks = pids.reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0);
      const tracked = this.entry(name);
      const elapsedMs = tracked.at === null ? 0 : now - tracked.at;
      const cpuPercent =
        tracked.pid === browser.pid && elapsedMs > 0
          ? Math.max(0, ((ticks - tracked.ticks) / TICKS_PER_SECOND / (elapsedMs / 1000)) * 100)
          : null;
      const eventsPerMinute = elapsedMs > 0 ? (tracked.events / elapsedMs) * 60_000 : 0;
      const sample: ResourceSample = { timestamp: now, ...memory, cpuPercent, eventsPerMinute };
      Object.assign(tracked, { pid: browser.pid, ticks, at: now, events: 0 });
      tracked.samples.push(sample);
      read.set(name, sample);
    }
    this.prune(clock.now());
    this.lastRound = { at: clock.now(), browsers: read.size, durationMs: performance.now() - startedAt, samples: read };
    for (const listener of this.roundListeners) listener(this.lastRound);
  }

  /** Samples older than the history go; so does a session with none left. */
  private prune(now: number): void {
    const oldest = now - (this.options.historyMs ?? RESOURCE_HISTORY_MS);
    for (const [name, tracked] of this.tracked) {
      const keepFrom = tracked.samples.findIndex((sample) => sample.timestamp >= oldest);
      tracked.samples = keepFrom === -1 ? [] : tracked.samples.slice(keepFrom);
      if (tracked.samples.length === 0 && !this.options.host.engine(name)) this.tracked.delete(name);
    }
  }
}

export interface SamplerRound {
  at: number;
  browsers: number;
  durationMs: number;
  /** What this round read, by session. */
  samples: ReadonlyMap<string, ResourceSample>;
}

/** Fields of /proc/<pid>/stat after `(comm)`: pgrp is the third, utime and stime the 12th and 13th. */
export function parseProcStat(stat: string): ProcStat | null {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const pgid = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isInteger(pgid) && Number.isFinite(ticks) && fields[0] !== "Z" ? { pgid, ticks } : null;
}

/** Rss and Pss of /proc/<pid>/smaps_rollup, in bytes. */
export function parseSmapsRollupBytes(text: string): { rssBytes: number; pssBytes: number } {
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rssBytes: kib("Rss") * 1024, pssBytes: kib("Pss") * 1024 };
}

/** A browser's processes: the browser itself and its process group (puppeteer launches it detached, as a group leader). */
export function processesOf(pid: number, stats: ReadonlyMap<number, ProcStat>): number[] {
  const pids = [...stats].filter(([other, stat]) => other !== pid && stat.pgid === pid).map(([other]) => other);
  return stats.has(pid) ? [pid, ...pids] : pids;
}

async function readAllStats(procRoot: string): Promise<Map<number, ProcStat>> {
  const names = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const stats = new Map<number, ProcStat>();
  await Promise.all(
    names.map(async (name) => {
      const stat = await readFile(join(procRoot, name, "stat"), "utf8").then(parseProcStat, () => null); // exited meanwhile
      if (stat) stats.set(Number(name), stat);
    }),
  );
  return stats;
}

async function readMemory(pids: number[], procRoot: string): Promise<{ rssBytes: number; pssBytes: number; processes: number }> {
  let rssBytes = 0;
  let pssBytes = 0;
  let processes = 0;
  for (const pid of pids) {
    const text = await readFile(join(procRoot, String(pid), "smaps_rollup"), "utf8").catch(() => null);
    if (text === null) continue; // exited meanwhile
    const memory = parseSmapsRollupBytes(text);
    rssBytes += memory.rssBytes;
    pssBytes += memory.pssBytes;
    processes++;
  }
  return { rssBytes, pssBytes, processes };
}
