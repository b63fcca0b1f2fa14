import type { Logger } from "pino";
import type { TSessionConfig } from "@/lib/session-config";
import type { TMe } from "@/lib/session";
import type { TSessionHealth, TSessionHealthMoment } from "@/lib/session-health";
import { SerialQueue } from "@/lib/serial-queue";
import { settleWithin } from "@/lib/timeout";
import { STATUS_HISTORY_LENGTH, canTransition, type TSessionStatus, type TStatusChange } from "@/lib/session-status";
import type { Clock, ClockTimer } from "./clock";
import type { Engine, EngineEvent, EngineFactory } from "./engine";
import { describeSuspicion, judgeProbe, type HealthSettings, type ProbeOutcome, type Suspicion } from "./health-check";

/** How long a logged-in session waits for its account before it is announced WORKING anyway. */
const ACCOUNT_WAIT_MS = 3000;

/** What the host knows about one session right now. */
export interface SessionSnapshot {
  name: string;
  status: TSessionStatus;
  statuses: TStatusChange[];
  me: TMe | null;
  qr: string | null;
  health: TSessionHealth;
}

export type HostEvent =
  /** `disconnect`: WhatsApp Web's own disconnect reason when it caused this change (LOGOUT, CONFLICT, ...). */
  | { type: "status"; session: string; change: TStatusChange; snapshot: SessionSnapshot; disconnect: string | null }
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
  /** The liveness probe of WORKING sessions (server/engines/health-check.ts); intervalMs 0 turns it off. */
  health: HealthSettings;
  /** Failures in a row after which automatic restarts stop and the session stays FAILED; 0 never stops. */
  maxFailures: number;
  /** WORKING (or showing QRs) this long without a fault: the failure count and backoff start over. */
  stableMs: number;
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
  /** Failures in a row: set back to 0 by a start by hand or after `stableMs` of WORKING. */
  consecutiveFailures: number;
  /** Automatic restarts stopped after `maxFailures`. */
  gaveUp: boolean;
  lastFailure: TSessionHealthMoment | null;
  lastDisconnect: TSessionHealthMoment | null;
  /** Logged in, waiting for the account before announcing WORKING (the reason to announce it with). */
  pendingWorking: string | null;
  restartTimer: ClockTimer | null;
  /** When the pending automatic restart runs, and after which delay. */
  restartAt: number | null;
  restartDelayMs: number | null;
  watchdog: ClockTimer | null;
  stableTimer: ClockTimer | null;
  probe: ProbeState;
  /** This session's commands, one at a time. */
  commands: SerialQueue;
}

/** The liveness probe of one session. */
interface ProbeState {
  timer: ClockTimer | null;
  running: boolean;
  /** A probe was asked for while one ran: run the next one this soon after it. */
  againInMs: number | null;
  suspicion: Suspicion | null;
  lastAt: number | null;
  lastOkAt: number | null;
  latencyMs: number | null;
  /** The connection state last seen by a probe or reported by the engine. */
  state: string | null;
}

/**
 * Owns every running engine: name -> engine, one command queue per session, the single status setter,
 * automatic restarts with backoff and a failure budget, watchdogs, and the liveness probe of WORKING
 * sessions. Commands on one session run one at a time; sessions never wait for each other. Emits
 * HostEvents; persistence, Socket.IO and webhooks subscribe from outside.
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
    if (!runtime) return { name, status: "STOPPED", statuses: [], me: null, qr: null, health: this.health(null) };
    return {
      name,
      status: runtime.status,
      statuses: [...runtime.statuses],
      me: runtime.me,
      qr: runtime.qr,
      health: this.health(runtime),
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

  /** Idempotent: a session that is running keeps running untouched. A start by hand begins a new failure count. */
  start(name: string, config: TSessionConfig, reason = "started"): Promise<SessionSnapshot> {
    return this.enqueue(name, async (runtime) => {
      if (runtime.engine || (runtime.status !== "STOPPED" && runtime.status !== "FAILED")) return;
      runtime.consecutiveFailures = 0;
      runtime.gaveUp = false;
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
        gaveUp: false,
        lastFailure: null,
        lastDisconnect: null,
        pendingWorking: null,
        restartTimer: null,
        restartAt: null,
        restartDelayMs: null,
        watchdog: null,
        stableTimer: null,
        probe: {
          timer: null,
          running: false,
          againInMs: null,
          suspicion: null,
          lastAt: null,
          lastOkAt: null,
          latencyMs: null,
          state: null,
        },
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
    // A new client: the connection state of the previous one says nothing about it.
    runtime.probe.state = null;
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
    runtime.gaveUp = false;
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
        this.setStatus(runtime, "SCAN_QR_CODE", event.reason);
        this.emit({ type: "qr", session: runtime.name, value: event.value });
        this.armQrWatchdog(runtime, generation);
        return;
      case "authenticated":
        runtime.qr = null;
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
        this.fail(runtime, generation, event.reason, event.restart, { disconnect: event.disconnect });
        return;
      case "connection":
        this.onConnectionChange(runtime, event.state, event.connection === "connected", event.connection === "connecting");
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
  private fail(runtime: Runtime, generation: number, reason: string, restart: boolean, detail: FailureDetail = {}): void {
    void this.enqueue(runtime.name, async () => {
      if (generation !== runtime.generation) return;
      await this.failNow(runtime, reason, restart, detail);
    });
  }

  /**
   * FAILED with the reason; then an automatic restart after the backoff, unless restarting cannot help
   * or this is failure number `maxFailures` in a row: then the session stays FAILED, saying so.
   */
  private async failNow(runtime: Runtime, reason: string, restart: boolean, detail: FailureDetail = {}): Promise<void> {
    this.cancelTimers(runtime);
    await this.dropEngine(runtime);
    if (detail.loggedOut) await this.removeAuthData(runtime);
    const now = this.options.clock.now();
    const delay = this.backoff(runtime.consecutiveFailures);
    runtime.consecutiveFailures++;
    const failures = runtime.consecutiveFailures;
    runtime.gaveUp = restart && this.options.maxFailures > 0 && failures >= this.options.maxFailures;
    const stated = runtime.gaveUp
      ? `${reason}; failed ${failures} times in a row, automatic restarts stopped until the session is started again`
      : reason;
    runtime.lastFailure = { reason: stated, timestamp: now };
    if (detail.disconnect) runtime.lastDisconnect = { reason: detail.disconnect, timestamp: now };
    if (restart && !runtime.gaveUp) {
      const config = runtime.config;
      runtime.restartAt = now + delay;
      runtime.restartDelayMs = delay;
      runtime.restartTimer = this.options.clock.setTimeout(() => {
        runtime.restartTimer = null;
        runtime.restartAt = null;
        runtime.restartDelayMs = null;
        void this.enqueue(runtime.name, async () => {
          if (runtime.status !== "FAILED" || runtime.engine) return; // stopped or restarted meanwhile
          await this.launch(runtime, config, `automatic restart after failure: ${reason}`);
        });
      }, delay);
    }
    this.setStatus(runtime, "FAILED", stated, detail.disconnect ?? null);
  }

  /** The delay before the automatic restart that follows `failures` failures in a row (then one more). */
  private backoff(failures: number): number {
    return Math.min(this.options.restartDelayMs * 2 ** failures, this.options.maxRestartDelayMs);
  }

  /** The phone removed the device (seen by a probe): its auth data goes, as after a logout from the phone. */
  private async removeAuthData(runtime: Runtime): Promise<void> {
    try {
      await this.options.factory.removeAuthData(runtime.name);
    } catch (error) {
      this.options.logger.error({ session: runtime.name, err: error }, "could not remove the auth data of a logged-out session");
    }
  }

  // ---- liveness probe (server/engines/health-check.ts) --------------------------------------------

  /** Run a probe of this WORKING session in `delayMs` (sooner wins; one probe at a time). */
  private requestProbe(runtime: Runtime, delayMs: number): void {
    const probe = runtime.probe;
    if (this.options.health.intervalMs <= 0 || runtime.status !== "WORKING") return;
    if (probe.running) {
      probe.againInMs = Math.min(probe.againInMs ?? Infinity, delayMs);
      return;
    }
    if (probe.timer) this.options.clock.clearTimeout(probe.timer);
    const generation = runtime.generation;
    probe.timer = this.options.clock.setTimeout(() => {
      probe.timer = null;
      void this.runProbe(runtime, generation);
    }, delayMs);
  }

  private async runProbe(runtime: Runtime, generation: number): Promise<void> {
    const { clock, health } = this.options;
    const engine = runtime.engine;
    const probe = runtime.probe;
    if (!engine || generation !== runtime.generation || runtime.status !== "WORKING" || probe.running) return;
    probe.running = true;
    const watched = probe.suspicion;
    const startedAt = clock.now();
    probe.lastAt = startedAt;
    const settled = await settleWithin(engine.probe(), health.timeoutMs, clock);
    probe.running = false;
    const again = probe.againInMs ?? Infinity;
    probe.againInMs = null;
    if (generation !== runtime.generation || runtime.status !== "WORKING") return;

    const now = clock.now();
    const outcome: ProbeOutcome =
      settled.status === "fulfilled"
        ? { kind: "answered", probe: settled.value }
        : settled.status === "timed-out"
          ? { kind: "timed-out" }
          : { kind: "error", message: errorMessage(settled.reason) };
    probe.latencyMs = outcome.kind === "answered" ? now - startedAt : null;
    if (outcome.kind === "answered" && outcome.probe.state !== null) probe.state = outcome.probe.state;
    const verdict = judgeProbe(outcome, probe.suspicion, { startedAt, now }, health);
    switch (verdict.action) {
      case "healthy":
        probe.lastOkAt = now;
        // A connection change reported while this probe ran is newer than its answer: keep watching it.
        if (probe.suspicion === watched) probe.suspicion = null;
        this.requestProbe(runtime, Math.min(health.intervalMs, again));
        return;
      case "watch":
        probe.suspicion = verdict.suspicion;
        this.requestProbe(runtime, Math.min(verdict.recheckInMs, again));
        return;
      case "fail":
        this.options.logger.warn({ session: runtime.name, reason: verdict.reason }, "liveness probe found a fault");
        this.fail(runtime, generation, verdict.reason, verdict.restart, { loggedOut: verdict.loggedOut, disconnect: verdict.disconnect });
        return;
    }
  }

  /**
   * The engine reported a new connection state. Leaving CONNECTED starts the reconnect grace with a
   * probe at its end (WAHA re-checks OPENING and TIMEOUT the same way); coming back ends it. Faults
   * (conflict, logout, block) are reported by the engine as failures of their own.
   */
  private onConnectionChange(runtime: Runtime, state: string, connected: boolean, connecting: boolean): void {
    const probe = runtime.probe;
    probe.state = state;
    if (runtime.status !== "WORKING") return;
    if (connected) {
      if (probe.suspicion?.kind === "connecting") probe.suspicion = null;
      return;
    }
    if (!connecting) return;
    if (probe.suspicion?.kind === "connecting") {
      probe.suspicion = { ...probe.suspicion, state };
      return;
    }
    probe.suspicion = { kind: "connecting", since: this.options.clock.now(), state };
    this.requestProbe(runtime, this.options.health.reconnectGraceMs);
  }

  /** What the API shows as the session's `health`; `runtime` null for a session this process never ran. */
  private health(runtime: Runtime | null): TSessionHealth {
    const { health, maxFailures, maxRestartDelayMs } = this.options;
    const probe = runtime?.probe;
    const failures = runtime?.consecutiveFailures ?? 0;
    return {
      probe: {
        enabled: health.intervalMs > 0,
        intervalMs: health.intervalMs,
        lastAt: probe?.lastAt ?? null,
        lastOkAt: probe?.lastOkAt ?? null,
        latencyMs: probe?.latencyMs ?? null,
        state: probe?.state ?? null,
        suspect: describeSuspicion(probe?.suspicion ?? null),
      },
      failures,
      maxFailures,
      gaveUp: runtime?.gaveUp ?? false,
      restart: {
        backoffMs: runtime?.restartDelayMs ?? this.backoff(failures),
        maxBackoffMs: maxRestartDelayMs,
        at: runtime?.restartAt ?? null,
      },
      lastFailure: runtime?.lastFailure ?? null,
      lastDisconnect: runtime?.lastDisconnect ?? null,
    };
  }

  /** WORKING (or showing QRs) for `stableMs` without a fault: the failure count starts over. */
  private armStable(runtime: Runtime): void {
    if (this.options.stableMs <= 0 || runtime.stableTimer) return;
    runtime.stableTimer = this.options.clock.setTimeout(() => {
      runtime.stableTimer = null;
      if (runtime.consecutiveFailures === 0) return;
      this.options.logger.info(
        { session: runtime.name, failures: runtime.consecutiveFailures },
        "session stable again; failure count reset",
      );
      runtime.consecutiveFailures = 0;
    }, this.options.stableMs);
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

  /** Every timer of the session: watchdog, pending restart, stability, probe. */
  private cancelTimers(runtime: Runtime): void {
    const { clock } = this.options;
    runtime.pendingWorking = null;
    for (const timer of [runtime.watchdog, runtime.restartTimer, runtime.stableTimer, runtime.probe.timer]) {
      if (timer) clock.clearTimeout(timer);
    }
    runtime.watchdog = null;
    runtime.restartTimer = null;
    runtime.restartAt = null;
    runtime.restartDelayMs = null;
    runtime.stableTimer = null;
    runtime.probe.timer = null;
    runtime.probe.suspicion = null;
  }

  /** The single status setter: checks the transition table, records history, arms what the new status needs, emits. */
  private setStatus(runtime: Runtime, status: TSessionStatus, reason: string, disconnect: string | null = null): void {
    if (!canTransition(runtime.status, status)) {
      this.options.logger.warn({ session: runtime.name, from: runtime.status, to: status, reason }, "ignored status change");
      return;
    }
    const change: TStatusChange = { status, timestamp: this.options.clock.now(), reason };
    const previous = runtime.status;
    runtime.status = status;
    runtime.statuses.push(change);
    if (runtime.statuses.length > STATUS_HISTORY_LENGTH) runtime.statuses.shift();
    if (status === "WORKING" && previous !== "WORKING") this.requestProbe(runtime, this.options.health.intervalMs);
    if (status === "WORKING" || status === "SCAN_QR_CODE") this.armStable(runtime);
    this.options.logger.info({ session: runtime.name, status, reason }, "session status");
    this.emit({ type: "status", session: runtime.name, change, snapshot: this.snapshot(runtime.name), disconnect });
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

interface FailureDetail {
  /** WhatsApp Web's disconnect reason, when it ended the connection. */
  disconnect?: string | null;
  /** The device was unlinked: remove the auth data. */
  loggedOut?: boolean;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
