import type { Logger } from "pino";
import type { TSessionConfig } from "@/lib/session-config";
import type { TMe } from "@/lib/session";
import { SerialQueue } from "@/lib/serial-queue";
import { settleWithin } from "@/lib/timeout";
import { STATUS_HISTORY_LENGTH, canTransition, type TSessionStatus, type TStatusChange } from "@/lib/session-status";
import type { Clock, ClockTimer } from "./clock";
import type { Engine, EngineEvent, EngineFactory } from "./engine";

/** How long a logged-in session waits for its account before it is announced WORKING anyway. */
const ACCOUNT_WAIT_MS = 3000;

/** What the host knows about one session right now. */
export interface SessionSnapshot {
  name: string;
  status: TSessionStatus;
  statuses: TStatusChange[];
  me: TMe | null;
  qr: string | null;
}

export type HostEvent =
  | { type: "status"; session: string; change: TStatusChange; snapshot: SessionSnapshot }
  | { type: "qr"; session: string; value: string }
  | { type: "me"; session: string; me: TMe }
  | { type: "engine.event"; session: string; event: string; data: unknown };

export type HostListener = (event: HostEvent) => void;

export interface EngineHostOptions {
  factory: EngineFactory;
  clock: Clock;
  logger: Logger;
  /** First delay before restarting a crashed session; doubles on each consecutive failure. */
  restartDelayMs: number;
  /** Longest delay between automatic restarts. */
  maxRestartDelayMs: number;
  /** A session still STARTING after this long is failed and restarted. */
  startTimeoutMs: number;
  /** A QR that has not rotated for this long is refreshed; after twice as long, the client restarts. */
  qrStaleMs: number;
  /** Longest wait for an engine to stop before the host moves on. */
  stopTimeoutMs: number;
}

interface Runtime {
  name: string;
  status: TSessionStatus;
  statuses: TStatusChange[];
  me: TMe | null;
  qr: string | null;
  engine: Engine | null;
  config: TSessionConfig;
  /** Bumped whenever an engine is replaced, so late events of an old engine are dropped. */
  generation: number;
  consecutiveFailures: number;
  /** Logged in, waiting for the account before announcing WORKING (the reason to announce it with). */
  pendingWorking: string | null;
  restartTimer: ClockTimer | null;
  watchdog: ClockTimer | null;
  /** This session's commands, one at a time. */
  commands: SerialQueue;
}

/**
 * Owns every running engine: name -> engine, one command queue per session, the single status setter,
 * automatic restarts and watchdogs. Commands on one session run one at a time; sessions never wait
 * for each other. Emits HostEvents; persistence, Socket.IO and webhooks subscribe from outside.
 */
export class EngineHost {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly listeners = new Set<HostListener>();

  constructor(private readonly options: EngineHostOptions) {}

  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(name: string): SessionSnapshot {
    const runtime = this.runtimes.get(name);
    if (!runtime) return { name, status: "STOPPED", statuses: [], me: null, qr: null };
    return {
      name,
      status: runtime.status,
      statuses: [...runtime.statuses],
      me: runtime.me,
      qr: runtime.qr,
    };
  }

  /** Names of sessions in any status but STOPPED (FAILED ones included, as WAHA does). */
  runningNames(): string[] {
    return [...this.runtimes.values()].filter((r) => r.status !== "STOPPED").map((r) => r.name);
  }

  /** The config the session was last started with (what its events are published under). */
  config(name: string): TSessionConfig {
    return this.runtimes.get(name)?.config ?? {};
  }

  /** The live engine, for QR, pairing codes and screenshots; null when not running. */
  engine(name: string): Engine | null {
    return this.runtimes.get(name)?.engine ?? null;
  }

  /** Seed what storage remembers (the last `me`) so a stopped session still shows it. */
  remember(name: string, me: TMe | null): void {
    const runtime = this.runtime(name);
    if (!runtime.me) runtime.me = me;
  }

  /** Idempotent: a session that is running keeps running untouched. */
  start(name: string, config: TSessionConfig, reason = "started"): Promise<SessionSnapshot> {
    return this.enqueue(name, async (runtime) => {
      if (runtime.engine || (runtime.status !== "STOPPED" && runtime.status !== "FAILED")) return;
      await this.launch(runtime, config, reason);
    });
  }

  /** Idempotent: stopping a stopped session does nothing. Cancels pending restarts and watchdogs. */
  stop(name: string, reason = "stopped"): Promise<SessionSnapshot> {
    return this.enqueue(name, (runtime) => this.halt(runtime, reason));
  }

  /** Stop (if running) and start again with `config`. */
  restart(name: string, config: TSessionConfig, reason = "restarted"): Promise<SessionSnapshot> {
    return this.enqueue(name, async (runtime) => {
      await this.halt(runtime, reason);
      await this.launch(runtime, config, reason);
    });
  }

  /**
   * Unlink the device (if logged in), stop, wipe auth data; start again with `config` if it was running.
   * The caller passes null to leave it stopped.
   */
  logout(name: string, restartWith: TSessionConfig | null, reason = "logged out"): Promise<SessionSnapshot> {
    return this.enqueue(name, async (runtime) => {
      const wasRunning = runtime.status !== "STOPPED";
      await this.unlink(runtime);
      await this.halt(runtime, reason);
      await this.options.factory.removeAuthData(name);
      runtime.me = null;
      if (wasRunning && restartWith) await this.launch(runtime, restartWith, reason);
    });
  }

  /** Unlink, stop, wipe auth data and forget the session. Idempotent. */
  async remove(name: string): Promise<void> {
    try {
      await this.enqueue(name, async (runtime) => {
        await this.unlink(runtime);
        await this.halt(runtime, "deleted");
        await this.options.factory.removeAuthData(name);
      });
    } finally {
      // Even when removing the auth data failed, a deleted session keeps nothing in memory.
      this.runtimes.delete(name);
    }
  }

  /** Shutdown: stop every engine in parallel; stored desired state is left alone by design. */
  async stopAll(reason = "server shutting down"): Promise<void> {
    await Promise.all([...this.runtimes.keys()].map((name) => this.stop(name, reason)));
  }

  /** Resolves with the snapshot once the session is in one of `statuses`, or after `timeoutMs`. */
  waitForStatus(name: string, statuses: readonly TSessionStatus[], timeoutMs: number): Promise<SessionSnapshot> {
    const current = this.snapshot(name);
    if (statuses.includes(current.status)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => done(), timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        if (event.type === "status" && event.session === name && statuses.includes(event.change.status)) done();
      });
      const done = () => {
        this.options.clock.clearTimeout(timer);
        unsubscribe();
        resolve(this.snapshot(name));
      };
    });
  }

  // ---- internals -------------------------------------------------------------------------------

  private runtime(name: string): Runtime {
    let runtime = this.runtimes.get(name);
    if (!runtime) {
      runtime = {
        name,
        status: "STOPPED",
        statuses: [],
        me: null,
        qr: null,
        engine: null,
        config: {},
        generation: 0,
        consecutiveFailures: 0,
        pendingWorking: null,
        restartTimer: null,
        watchdog: null,
        commands: new SerialQueue(),
      };
      this.runtimes.set(name, runtime);
    }
    return runtime;
  }

  private enqueue(name: string, command: (runtime: Runtime) => Promise<void>): Promise<SessionSnapshot> {
    const runtime = this.runtime(name);
    return runtime.commands.run(() => command(runtime)).then(() => this.snapshot(name));
  }

  private async launch(runtime: Runtime, config: TSessionConfig, reason: string): Promise<void> {
    this.cancelTimers(runtime);
    const generation = ++runtime.generation;
    runtime.config = config;
    runtime.qr = null;
    const engine = this.options.factory.create({
      session: runtime.name,
      config,
      onEvent: (event) => this.onEngineEvent(runtime, generation, event),
    });
    runtime.engine = engine;
    this.setStatus(runtime, "STARTING", reason);
    this.armWatchdog(runtime, this.options.startTimeoutMs, () =>
      this.fail(runtime, generation, `stuck in STARTING for ${Math.round(this.options.startTimeoutMs / 1000)} s; restarting`, true),
    );
    try {
      await engine.start();
    } catch (error) {
      // A start that throws is a setup problem (no browser, bad profile): retrying would not help.
      await this.failNow(runtime, errorMessage(error), false);
    }
  }

  /** Stop the engine (if any) and settle in STOPPED. */
  private async halt(runtime: Runtime, reason: string): Promise<void> {
    this.cancelTimers(runtime);
    await this.dropEngine(runtime);
    runtime.consecutiveFailures = 0;
    if (runtime.status !== "STOPPED") this.setStatus(runtime, "STOPPED", reason);
  }

  /** Detach first (late events are dropped), then stop with a time limit. */
  private async dropEngine(runtime: Runtime): Promise<void> {
    const engine = runtime.engine;
    runtime.generation++;
    runtime.engine = null;
    runtime.qr = null;
    if (!engine) return;
    const stopped = await settleWithin(engine.stop(), this.options.stopTimeoutMs, this.options.clock);
    if (stopped.status === "rejected") this.options.logger.warn({ session: runtime.name, err: stopped.reason }, "engine stop failed");
    if (stopped.status === "timed-out") this.options.logger.warn({ session: runtime.name }, "engine stop timed out; moving on");
  }

  private async unlink(runtime: Runtime): Promise<void> {
    if (!runtime.engine || runtime.status !== "WORKING") return;
    const done = await settleWithin(runtime.engine.logout(), this.options.stopTimeoutMs, this.options.clock);
    if (done.status === "rejected") this.options.logger.warn({ session: runtime.name, err: done.reason }, "unlinking the device failed");
    if (done.status === "timed-out") this.options.logger.warn({ session: runtime.name }, "unlinking the device timed out");
  }

  private onEngineEvent(runtime: Runtime, generation: number, event: EngineEvent): void {
    if (generation !== runtime.generation || !runtime.engine) return;
    switch (event.type) {
      case "qr":
        runtime.qr = event.value;
        runtime.consecutiveFailures = 0;
        this.setStatus(runtime, "SCAN_QR_CODE", event.reason);
        this.emit({ type: "qr", session: runtime.name, value: event.value });
        this.armQrWatchdog(runtime, generation);
        return;
      case "authenticated":
        runtime.qr = null;
        runtime.consecutiveFailures = 0;
        this.cancelTimers(runtime);
        if (event.me) {
          this.setMe(runtime, event.me);
          this.setStatus(runtime, "WORKING", event.reason);
          return;
        }
        // The library often knows the account only at `ready`: announce WORKING with `me` filled in,
        // or without it after a short wait (WAHA delays the same way).
        runtime.pendingWorking = event.reason;
        this.armWatchdog(runtime, ACCOUNT_WAIT_MS, () => this.announceWorking(runtime));
        return;
      case "me":
        this.setMe(runtime, event.me);
        if (runtime.pendingWorking) this.announceWorking(runtime);
        return;
      case "failed":
        this.fail(runtime, generation, event.reason, event.restart);
        return;
      case "raw":
        this.emit({ type: "engine.event", session: runtime.name, event: event.event, data: event.data });
        return;
    }
  }

  private announceWorking(runtime: Runtime): void {
    const reason = runtime.pendingWorking;
    if (reason === null) return;
    runtime.pendingWorking = null;
    this.cancelTimers(runtime);
    this.setStatus(runtime, "WORKING", reason);
  }

  private setMe(runtime: Runtime, me: TMe): void {
    runtime.me = me;
    this.emit({ type: "me", session: runtime.name, me });
  }

  /** Queue the failure behind any running command, unless the engine was replaced meanwhile. */
  private fail(runtime: Runtime, generation: number, reason: string, restart: boolean): void {
    void this.enqueue(runtime.name, async () => {
      if (generation !== runtime.generation) return;
      await this.failNow(runtime, reason, restart);
    });
  }

  private async failNow(runtime: Runtime, reason: string, restart: boolean): Promise<void> {
    this.cancelTimers(runtime);
    await this.dropEngine(runtime);
    this.setStatus(runtime, "FAILED", reason);
    if (!restart) return;
    const delay = Math.min(this.options.restartDelayMs * 2 ** runtime.consecutiveFailures, this.options.maxRestartDelayMs);
    runtime.consecutiveFailures++;
    const config = runtime.config;
    runtime.restartTimer = this.options.clock.setTimeout(() => {
      runtime.restartTimer = null;
      void this.enqueue(runtime.name, async () => {
        if (runtime.status !== "FAILED" || runtime.engine) return; // stopped or restarted meanwhile
        await this.launch(runtime, config, `automatic restart after failure: ${reason}`);
      });
    }, delay);
  }

  /** QR refs that stop rotating: ask for a new one, and if that does not help either, restart. */
  private armQrWatchdog(runtime: Runtime, generation: number): void {
    this.armWatchdog(runtime, this.options.qrStaleMs, () => {
      if (generation !== runtime.generation || !runtime.engine) return;
      this.options.logger.warn({ session: runtime.name }, "QR stopped rotating; asking for a new one");
      runtime.engine.refreshQr().catch(() => undefined);
      this.armWatchdog(runtime, this.options.qrStaleMs, () =>
        this.fail(runtime, generation, "QR stopped rotating and a refresh did not help; restarting", true),
      );
    });
  }

  private armWatchdog(runtime: Runtime, ms: number, onFire: () => void): void {
    if (runtime.watchdog) this.options.clock.clearTimeout(runtime.watchdog);
    runtime.watchdog = this.options.clock.setTimeout(() => {
      runtime.watchdog = null;
      onFire();
    }, ms);
  }

  private cancelTimers(runtime: Runtime): void {
    runtime.pendingWorking = null;
    if (runtime.watchdog) this.options.clock.clearTimeout(runtime.watchdog);
    if (runtime.restartTimer) this.options.clock.clearTimeout(runtime.restartTimer);
    runtime.watchdog = null;
    runtime.restartTimer = null;
  }

  /** The single status setter: checks the transition table, records history, emits. */
  private setStatus(runtime: Runtime, status: TSessionStatus, reason: string): void {
    if (!canTransition(runtime.status, status)) {
      this.options.logger.warn({ session: runtime.name, from: runtime.status, to: status, reason }, "ignored status change");
      return;
    }
    const change: TStatusChange = { status, timestamp: this.options.clock.now(), reason };
    runtime.status = status;
    runtime.statuses.push(change);
    if (runtime.statuses.length > STATUS_HISTORY_LENGTH) runtime.statuses.shift();
    this.options.logger.info({ session: runtime.name, status, reason }, "session status");
    this.emit({ type: "status", session: runtime.name, change, snapshot: this.snapshot(runtime.name) });
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger.error({ err: error, event: event.type }, "host listener failed");
      }
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
