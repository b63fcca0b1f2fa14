import type { Logger } from "pino";
import {
  NO_RESTRICTIONS,
  carriedStatusData,
  describeCapping,
  describeTimelock,
  expireTimelock,
  nextCapping,
  nextTimelock,
  sameStatusData,
  type TAccountRestrictions,
  type TSessionStatusData,
} from "@/lib/account-restrictions";
import type { TSessionConfig } from "@/lib/session-config";
import type { TAccount, TMe, TPresence } from "@/lib/session";
import type { TSessionHealth, TSessionHealthMoment } from "@/lib/session-health";
import { SerialQueue } from "@/lib/serial-queue";
import { settleWithin } from "@/lib/timeout";
import { STATUS_HISTORY_LENGTH, canTransition, foldStatusChange, type TSessionStatus, type TStatusChange } from "@/lib/session-status";
import type { Clock, ClockTimer } from "./clock";
import type { AccountState, Engine, EngineEvent, EngineFactory, RestrictionKind, TProfilePicture } from "./engine";
import { describeSuspicion, judgeProbe, type HealthSettings, type ProbeOutcome, type Suspicion } from "./health-check";

/** How long a logged-in session waits for its account before it is announced WORKING anyway. */
const ACCOUNT_WAIT_MS = 3000;
/** How long a fresh reading of the restrictions may take: WhatsApp Web asks WhatsApp's servers. */
const ACCOUNT_READ_TIMEOUT_MS = 15_000;
/** The longest delay a timer takes (setTimeout's limit, about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;
/** How long a fetched profile picture is served before the engine is asked again. */
export const PROFILE_PICTURE_TTL_MS = 10 * 60_000;

/** What the host knows about one session right now. */
export interface SessionSnapshot {
  name: string;
  status: TSessionStatus;
  statuses: TStatusChange[];
  /** The account, with its restrictions while the session runs. */
  me: TMe | null;
  qr: string | null;
  health: TSessionHealth;
  /** WAHA's `data` of the current status: the restrictions in force while WORKING, else null. */
  data: TSessionStatusData | null;
  /** The account's presence as WhatsApp Web has it, while WORKING. */
  presence: TPresence | null;
  /** The WhatsApp Web version the page runs, once read. */
  webVersion: string | null;
}

export type HostEvent =
  /**
   * A status change, or WORKING re-issued with new `data` (a restriction changed). `disconnect`: WhatsApp
   * Web's own disconnect reason when it caused this change (LOGOUT, CONFLICT, ...).
   */
  | {
      type: "status";
      session: string;
      change: TStatusChange;
      snapshot: SessionSnapshot;
      disconnect: string | null;
      data: TSessionStatusData | null;
    }
  | { type: "qr"; session: string; value: string }
  | { type: "me"; session: string; me: TAccount }
  /** A probe ran, or the account, presence or restrictions were read or changed, without a status change. */
  | { type: "health"; session: string; snapshot: SessionSnapshot }
  | { type: "engine.event"; session: string; event: string; data: unknown }
  /** A new client launched in place of the last one: asked for (`requested`) or automatic after a failure of that kind. */
  | { type: "restart"; session: string; reason: RestartReason };

/**
 * Why a session's client was restarted, in few enough words to count by (metrics): asked for, or the fault
 * behind an automatic restart: stuck STARTING, a QR that stopped rotating, a failed liveness probe, the client's
 * own failure (browser or page gone, a disconnect).
 */
export type RestartReason = "requested" | "start-timeout" | "qr-stale" | "probe" | "engine";

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
  /**
   * The presence pulse: every `intervalMs` a WORKING account is marked online for `onlineMs`, then
   * offline, so a quiet linked device shows activity. Absent or intervalMs 0: off.
   */
  presencePulse?: { intervalMs: number; onlineMs: number };
}

interface Runtime {
  name: string;
  status: TSessionStatus;
  statuses: TStatusChange[];
  me: TAccount | null;
  qr: string | null;
  /** What is reported about the restrictions; kept across automatic restarts, cleared by a stop. */
  restrictions: TAccountRestrictions;
  /** `data` of the current status. */
  statusData: TSessionStatusData | null;
  presence: TPresence | null;
  webVersion: string | null;
  /** Marks the reported timelock ended once its end passes. */
  timelockTimer: ClockTimer | null;
  pulse: PulseState;
  engine: Engine | null;
  config: TSessionConfig;
  /** The account's profile picture as last fetched in this run (for whom, when); see profilePicture(). */
  profilePicture: { account: string | null; at: number; picture: TProfilePicture | null } | null;
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

/** The presence pulse of one session. */
interface PulseState {
  /** The next pulse. */
  timer: ClockTimer | null;
  /** The end of the current pulse (back offline). */
  offTimer: ClockTimer | null;
  lastAt: number | null;
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
    if (!runtime) {
      return {
        name,
        status: "STOPPED",
        statuses: [],
        me: null,
        qr: null,
        health: this.health(null),
        data: null,
        presence: null,
        webVersion: null,
      };
    }
    const running = runtime.status !== "STOPPED";
    return {
      name,
      status: runtime.status,
      statuses: [...runtime.statuses],
      me: runtime.me && running ? { ...runtime.me, ...runtime.restrictions } : runtime.me,
      qr: runtime.qr,
      health: this.health(runtime),
      data: runtime.statusData,
      presence: runtime.status === "WORKING" ? runtime.presence : null,
      webVersion: running ? runtime.webVersion : null,
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

  /**
   * The logged-in account's profile picture, asked of the engine at most once per PROFILE_PICTURE_TTL_MS
   * per run and account (a dashboard shows it on every page). null when the session is not WORKING or the
   * account has none; rejects when the engine could not get it (and answers null until the time is up).
   */
  async profilePicture(name: string): Promise<TProfilePicture | null> {
    const runtime = this.runtimes.get(name);
    const engine = runtime?.engine;
    if (!runtime || !engine || runtime.status !== "WORKING") return null;
    const account = runtime.me?.id ?? null;
    const now = this.options.clock.now();
    const cached = runtime.profilePicture;
    if (cached && cached.account === account && now - cached.at < PROFILE_PICTURE_TTL_MS) return cached.picture;
    const generation = runtime.generation;
    const keep = (picture: TProfilePicture | null) => {
      // Kept only for the run it was asked of.
      if (generation === runtime.generation) runtime.profilePicture = { account, at: now, picture };
    };
    try {
      const picture = await engine.profilePicture();
      keep(picture);
      return picture;
    } catch (error) {
      // A failure is not asked again before the time is up either: until then there is no picture.
      keep(null);
      throw error;
    }
  }

  /** The live engine, for QR, pairing codes and screenshots; null when not running. */
  engine(name: string): Engine | null {
    return this.runtimes.get(name)?.engine ?? null;
  }

  /**
   * Asks WhatsApp Web for a fresh reading of a restriction (its own fetch from WhatsApp) and of the rest
   * of the account, and applies it as the probe would (a changed restriction re-issues WORKING). For a
   * WORKING session; rejects when the page does not answer in time.
   */
  async refreshAccount(name: string, kind: RestrictionKind): Promise<AccountState> {
    const runtime = this.runtimes.get(name);
    const engine = runtime?.engine;
    if (!runtime || !engine) throw new Error("the session is not running");
    const generation = runtime.generation;
    const read = await settleWithin(engine.readAccount({ fetch: kind }), ACCOUNT_READ_TIMEOUT_MS, this.options.clock);
    if (read.status === "timed-out") throw new Error(`WhatsApp Web did not answer within ${ACCOUNT_READ_TIMEOUT_MS / 1000} s`);
    if (read.status === "rejected") throw read.reason instanceof Error ? read.reason : new Error(String(read.reason));
    if (generation === runtime.generation && runtime.status === "WORKING") this.applyAccountState(runtime, read.value);
    return read.value;
  }

  /** Seed what storage remembers (the last `me`) so a stopped session still shows it. */
  remember(name: string, me: TAccount | null): void {
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
      this.emit({ type: "restart", session: name, reason: "requested" });
    });
  }

  /**
   * A running session takes `config` without a restart: for what is read as events happen (metadata,
   * webhooks, ignore; the caller checked that nothing else changed, lib/session-config.ts). Later
   * restarts, automatic ones included, use it too. A stopped session has nothing to apply it to.
   */
  applyConfig(name: string, config: TSessionConfig): Promise<SessionSnapshot> {
    return this.enqueue(name, async (runtime) => {
      if (runtime.status !== "STOPPED") runtime.config = config;
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
        restrictions: NO_RESTRICTIONS,
        statusData: null,
        presence: null,
        webVersion: null,
        timelockTimer: null,
        pulse: { timer: null, offTimer: null, lastAt: null },
        engine: null,
        config: {},
        profilePicture: null,
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
    runtime.profilePicture = null;
    // A new client: the connection state, presence and page of the previous one say nothing about it.
    runtime.probe.state = null;
    runtime.presence = null;
    runtime.webVersion = null;
    runtime.pulse.lastAt = null;
    const engine = this.options.factory.create({
      session: runtime.name,
      config,
      onEvent: (event) => this.onEngineEvent(runtime, generation, event),
    });
    runtime.engine = engine;
    this.setStatus(runtime, "STARTING", reason);
    this.armWatchdog(runtime, this.options.startTimeoutMs, () =>
      this.fail(runtime, generation, `stuck in STARTING for ${Math.round(this.options.startTimeoutMs / 1000)} s; restarting`, true, {
        cause: "start-timeout",
      }),
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
    // A stopped session reports no restrictions: a start reads them again (WAHA starts over the same way).
    runtime.restrictions = NO_RESTRICTIONS;
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
      case "account":
        this.applyAccountState(runtime, event.state);
        return;
      case "failed":
        this.fail(runtime, generation, event.reason, event.restart, { disconnect: event.disconnect, cause: "engine" });
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

  /** The account, emitted (to be stored) when it changed. What is known of the same account and not said again (LID, JID) is kept. */
  private setMe(runtime: Runtime, me: TAccount): void {
    const known = runtime.me;
    const account = known && known.id === me.id ? { ...known, ...me } : me;
    runtime.me = account;
    if (known && known.id === account.id && known.lid === account.lid && known.jid === account.jid && known.pushName === account.pushName) {
      return;
    }
    this.emit({ type: "me", session: runtime.name, me: account });
  }

  // ---- what WhatsApp Web says about the account (lib/account-restrictions.ts) -----------------------

  /**
   * A reading of the page (at login, by a probe, on demand): the account, presence and version as they
   * are, and the restrictions by WAHA's rules: a change re-issues WORKING with `data`, as WAHA does.
   */
  private applyAccountState(runtime: Runtime, state: AccountState): void {
    if (state.account) this.setMe(runtime, state.account);
    runtime.presence = state.presence;
    runtime.webVersion = state.webVersion;
    const now = this.options.clock.now();
    const { reachoutTimelock, messageCapping } = runtime.restrictions;
    const timelock = expireTimelock(nextTimelock(reachoutTimelock, state.reachoutTimelock), now);
    if (timelock !== reachoutTimelock) {
      runtime.restrictions = { ...runtime.restrictions, reachoutTimelock: timelock };
      this.armTimelockExpiry(runtime);
      this.reissueWorking(runtime, { reachoutTimelock: timelock }, describeTimelock(timelock));
    }
    const capping = nextCapping(messageCapping, state.messageCapping);
    if (capping !== messageCapping) {
      runtime.restrictions = { ...runtime.restrictions, messageCapping: capping };
      this.reissueWorking(runtime, { messageCapping: capping }, describeCapping(capping));
    }
  }

  /** A restriction changed: WORKING again with what changed, for `session.status` consumers (only while WORKING). */
  private reissueWorking(runtime: Runtime, data: TSessionStatusData, reason: string): void {
    if (runtime.status === "WORKING") this.setStatus(runtime, "WORKING", reason, { data });
  }

  /** The reported timelock is marked ended when its end passes, even if no reading says so. */
  private armTimelockExpiry(runtime: Runtime): void {
    const { clock } = this.options;
    if (runtime.timelockTimer) clock.clearTimeout(runtime.timelockTimer);
    runtime.timelockTimer = null;
    const timelock = runtime.restrictions.reachoutTimelock;
    if (!timelock?.isActive || timelock.timeEnforcementEnds === null || runtime.status !== "WORKING") return;
    const delay = timelock.timeEnforcementEnds * 1000 - clock.now();
    runtime.timelockTimer = clock.setTimeout(
      () => {
        runtime.timelockTimer = null;
        const ended = expireTimelock(runtime.restrictions.reachoutTimelock, clock.now());
        if (ended === runtime.restrictions.reachoutTimelock) {
          this.armTimelockExpiry(runtime); // a wait longer than one timer
          return;
        }
        runtime.restrictions = { ...runtime.restrictions, reachoutTimelock: ended };
        this.reissueWorking(runtime, { reachoutTimelock: ended }, describeTimelock(ended));
      },
      Math.min(Math.max(delay, 0), MAX_TIMER_MS),
    );
  }

  // ---- presence pulse ------------------------------------------------------------------------------

  private pulseEnabled(): boolean {
    const pulse = this.options.presencePulse;
    return pulse !== undefined && pulse.intervalMs > 0;
  }

  /** The next pulse of this WORKING session, one interval from now. */
  private armPulse(runtime: Runtime): void {
    if (!this.pulseEnabled() || runtime.status !== "WORKING") return;
    const generation = runtime.generation;
    if (runtime.pulse.timer) this.options.clock.clearTimeout(runtime.pulse.timer);
    runtime.pulse.timer = this.options.clock.setTimeout(() => {
      runtime.pulse.timer = null;
      void this.pulse(runtime, generation);
    }, this.options.presencePulse!.intervalMs);
  }

  /** Online now, offline again after `onlineMs` (WAHA's auto-online after activity), then the next pulse. */
  private async pulse(runtime: Runtime, generation: number): Promise<void> {
    const { clock, logger } = this.options;
    const current = () => generation === runtime.generation && runtime.status === "WORKING" && runtime.engine !== null;
    if (!current()) return;
    this.armPulse(runtime);
    const online = await this.setPresence(runtime, "online");
    if (!online || !current()) return;
    runtime.pulse.lastAt = clock.now();
    logger.debug({ session: runtime.name }, "presence pulse: online");
    this.emit({ type: "health", session: runtime.name, snapshot: this.snapshot(runtime.name) });
    runtime.pulse.offTimer = clock.setTimeout(() => {
      runtime.pulse.offTimer = null;
      if (!current()) return;
      void this.setPresence(runtime, "offline").then((done) => {
        if (done && current()) this.emit({ type: "health", session: runtime.name, snapshot: this.snapshot(runtime.name) });
      });
    }, this.options.presencePulse!.onlineMs);
  }

  /** Sets the account's presence in the page; false (and a warning) when the page did not do it. */
  private async setPresence(runtime: Runtime, presence: TPresence): Promise<boolean> {
    const engine = runtime.engine;
    if (!engine) return false;
    const set = await settleWithin(engine.setPresence(presence), this.options.health.timeoutMs, this.options.clock);
    if (set.status !== "fulfilled") {
      this.options.logger.warn(
        { session: runtime.name, presence, err: set.status === "rejected" ? set.reason : "timed out" },
        "presence pulse: the page did not change the presence",
      );
      return false;
    }
    runtime.presence = set.value ?? presence;
    return true;
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
      runtime.restartAt = now + delay;
      runtime.restartDelayMs = delay;
      runtime.restartTimer = this.options.clock.setTimeout(() => {
        runtime.restartTimer = null;
        runtime.restartAt = null;
        runtime.restartDelayMs = null;
        void this.enqueue(runtime.name, async () => {
          if (runtime.status !== "FAILED" || runtime.engine) return; // stopped or restarted meanwhile
          // The config as it is then: one applied live meanwhile (applyConfig) counts.
          await this.launch(runtime, runtime.config, `automatic restart after failure: ${reason}`);
          this.emit({ type: "restart", session: runtime.name, reason: detail.cause ?? "engine" });
        });
      }, delay);
    }
    this.setStatus(runtime, "FAILED", stated, { disconnect: detail.disconnect ?? null });
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
    if (verdict.action !== "fail" && outcome.kind === "answered" && outcome.probe.account) {
      this.applyAccountState(runtime, outcome.probe.account);
    }
    switch (verdict.action) {
      case "healthy":
        probe.lastOkAt = now;
        // A connection change reported while this probe ran is newer than its answer: keep watching it.
        if (probe.suspicion === watched) probe.suspicion = null;
        this.requestProbe(runtime, Math.min(health.intervalMs, again));
        this.emit({ type: "health", session: runtime.name, snapshot: this.snapshot(runtime.name) });
        return;
      case "watch":
        probe.suspicion = verdict.suspicion;
        this.requestProbe(runtime, Math.min(verdict.recheckInMs, again));
        this.emit({ type: "health", session: runtime.name, snapshot: this.snapshot(runtime.name) });
        return;
      case "fail":
        this.options.logger.warn({ session: runtime.name, reason: verdict.reason }, "liveness probe found a fault");
        this.fail(runtime, generation, verdict.reason, verdict.restart, {
          loggedOut: verdict.loggedOut,
          disconnect: verdict.disconnect,
          cause: "probe",
        });
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
      pulse: {
        enabled: this.pulseEnabled(),
        intervalMs: this.options.presencePulse?.intervalMs ?? 0,
        onlineMs: this.options.presencePulse?.onlineMs ?? 0,
        lastAt: runtime?.pulse.lastAt ?? null,
      },
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
        this.fail(runtime, generation, "QR stopped rotating and a refresh did not help; restarting", true, { cause: "qr-stale" }),
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

  /** Every timer of the session: watchdog, pending restart, stability, probe, timelock end, presence pulse. */
  private cancelTimers(runtime: Runtime): void {
    const { clock } = this.options;
    runtime.pendingWorking = null;
    const timers = [
      runtime.watchdog,
      runtime.restartTimer,
      runtime.stableTimer,
      runtime.probe.timer,
      runtime.timelockTimer,
      runtime.pulse.timer,
      runtime.pulse.offTimer,
    ];
    for (const timer of timers) if (timer) clock.clearTimeout(timer);
    runtime.watchdog = null;
    runtime.restartTimer = null;
    runtime.restartAt = null;
    runtime.restartDelayMs = null;
    runtime.stableTimer = null;
    runtime.probe.timer = null;
    runtime.probe.suspicion = null;
    runtime.timelockTimer = null;
    runtime.pulse.timer = null;
    runtime.pulse.offTimer = null;
  }

  /**
   * The single status setter: checks the transition table, records history, arms what the new status
   * needs, emits. A WORKING carries `data` (the restrictions that changed, else those in force, as WAHA
   * does); a WORKING repeating the last one's data is dropped. Every other status has no data.
   */
  private setStatus(
    runtime: Runtime,
    status: TSessionStatus,
    reason: string,
    extra: { disconnect?: string | null; data?: TSessionStatusData } = {},
  ): void {
    if (!canTransition(runtime.status, status)) {
      this.options.logger.warn({ session: runtime.name, from: runtime.status, to: status, reason }, "ignored status change");
      return;
    }
    const data = status === "WORKING" ? (extra.data ?? carriedStatusData(runtime.restrictions)) : null;
    const previous = runtime.status;
    if (status === "WORKING" && previous === "WORKING" && sameStatusData(data, runtime.statusData)) return;
    const change: TStatusChange = { status, timestamp: this.options.clock.now(), reason };
    runtime.status = status;
    runtime.statusData = data;
    // A QR refresh is counted in the entry it repeats, so the kept entries are real transitions.
    runtime.statuses = foldStatusChange(runtime.statuses, change, STATUS_HISTORY_LENGTH);
    if (status === "WORKING" && previous !== "WORKING") {
      this.requestProbe(runtime, this.options.health.intervalMs);
      this.armTimelockExpiry(runtime);
      this.armPulse(runtime);
    }
    if (status === "WORKING" || status === "SCAN_QR_CODE") this.armStable(runtime);
    this.options.logger.info({ session: runtime.name, status, reason }, "session status");
    const snapshot = this.snapshot(runtime.name);
    this.emit({ type: "status", session: runtime.name, change, snapshot, disconnect: extra.disconnect ?? null, data });
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
  /** What kind of fault it was, for the restart that may follow. */
  cause?: Exclude<RestartReason, "requested">;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
