import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { TWorkerReadiness } from "@/lib/cluster";
import { AppError } from "@/lib/errors";
import type { TLoginSnapshotInfo } from "@/lib/session";
import type { TSessionStatus } from "@/lib/session-status";
import type { Db } from "../db";
import type { EngineHost } from "../engines/engine-host";
import type { SamplerRound } from "../engines/resource-sampler";
import type { OwnedStatus, SessionOwnership } from "../sessions/context";
import { findStoredSession } from "../sessions/session-repository";
import { FenceWatchdog } from "./fence-watchdog";
import type { LoginSnapshots, OwnerToken } from "./login-snapshots";
import { rankWeighted } from "./rendezvous";
import { differingSettings } from "./shared-settings";
import {
  allOwnedStatuses,
  claimSession,
  claimSessions,
  findOrphans,
  ownedBy,
  ownedStatusesOf,
  releaseSession,
  reportResources,
  reportStatus,
} from "./session-owners";
import { endLease, leaseOf, listWorkers, liveWorkerSettings, markDraining, registerWorker, renewLease, type WorkerView } from "./workers";

export interface ClusterNodeOptions {
  db: Db;
  /** The saved logins (login-snapshots.ts): what the API shows of one is kept while this worker owns its session. */
  logins: LoginSnapshots;
  host: EngineHost;
  logger: Logger;
  workerId: string;
  url: string;
  capacity: number | null;
  leaseMs: number;
  /** Hashes of the settings every worker must share, by setting name (see sharedSettings()). */
  settings: Record<string, string>;
  /** Called just after a peer's lease lapsed (its webhook rows can be adopted now). */
  onPeerLeaseLapsed?: () => void;
  /** Deletes this machine's copy of a session's auth data (EngineFactory.removeLocalCopy). */
  removeLocalCopy?: (name: string) => Promise<void>;
}

/** How many sampler intervals an owner's figures of its sessions count for (docs/observability.md). */
const RESOURCES_VALID_INTERVALS = 3;

/** Sessions a worker launches at once when it takes many (a failover must not start 150 browsers together). */
const LAUNCH_CONCURRENCY = 4;

/**
 * This worker's part in the cluster (docs/cluster.md): its lease, the sessions it owns, and the sweep that
 * places sessions nobody runs. The engine layer knows nothing of it: ownership decides which sessions
 * this process's EngineHost runs, and nothing else.
 *
 * - Lease: renewed every fifth of its length (H); a renewal never revives a lapsed lease. Once the lease is
 *   `margin` (H) from lapsing with no renewal, this worker fences itself: its browsers are killed (by a
 *   watchdog thread, even if this event loop is blocked) and its sessions stopped, before peers may claim.
 * - Ownership: a claim is a compare-and-swap that adds one to the session's epoch; status reports and
 *   releases name the epoch, so once a peer has claimed, this worker's writes match nothing, and the next
 *   heartbeat stops whatever it still runs that it no longer owns.
 * - Placement: weighted rendezvous hashing over live, non-draining workers with room, by capacity. The top
 *   worker claims at once; the next ones only after their turn's sweeps, in case the top one cannot.
 */
export class ClusterNode implements SessionOwnership {
  readonly workerId: string;
  private incarnation = randomUUID();
  private readiness: TWorkerReadiness = "starting";
  /** Sessions this process owns, with the epoch it claimed. */
  private readonly owned = new Map<string, number>();
  private readonly watchdog: FenceWatchdog;
  /** FenceWatchdog.now() time when the lease must be treated as lost. */
  private fenceAt = 0;
  /** The watchdog passed its deadline (and killed the browsers) since this incarnation joined. */
  private watchdogFired = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** An extra sweep just after a peer's lease lapses, so its sessions move without waiting for a heartbeat. */
  private lapseSweepTimer: NodeJS.Timeout | null = null;
  private sweepSoonTimer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  /** The workers as the last heartbeat saw them (placement of commands). */
  private peers: WorkerView[] = [];
  /** Sweeps each orphan has been seen in, for the turn of the second-ranked and later workers. */
  private readonly orphanSweeps = new Map<string, number>();
  private sweeping: Promise<void> | null = null;
  private readonly launches = new Set<Promise<void>>();
  private readonly pendingLaunches: (() => Promise<void>)[] = [];
  /** Status reports waiting per session: only the newest is written. */
  private readonly statusToReport = new Map<string, TSessionStatus>();
  private reporting: Promise<void> | null = null;
  /** No claims until then (FenceWatchdog.now() time): after a re-registration. */
  private claimHoldUntil = 0;
  private unsubscribeHost: (() => void) | null = null;
  /** The figures of the last sampler round being written (a round that finds one still running is skipped). */
  private reportingResources: Promise<void> | null = null;

  constructor(private readonly options: ClusterNodeOptions) {
    this.workerId = options.workerId;
    this.watchdog = new FenceWatchdog((killed) => {
      this.watchdogFired = true;
      options.logger.error({ pids: killed }, "no lease renewal in time: the watchdog killed this worker's browsers");
    });
  }

  private get heartbeatMs(): number {
    return Math.round(this.options.leaseMs / 5);
  }

  private get identity() {
    return { id: this.workerId, incarnation: this.incarnation };
  }

  get state(): TWorkerReadiness {
    return this.readiness;
  }

  /**
   * For /metrics: how long this worker's lease still runs as this process counts it (from its last renewal,
   * so never later than the database's), the sessions it owns and its capacity.
   */
  leaseView(): { state: TWorkerReadiness; leaseLeftMs: number; sessions: number; capacity: number | null } {
    const leaseLeftMs = this.fenceAt === 0 ? 0 : Math.max(0, this.fenceAt + this.heartbeatMs - FenceWatchdog.now());
    return { state: this.readiness, leaseLeftMs, sessions: this.owned.size, capacity: this.options.capacity };
  }

  /** Joins the cluster: refuses when the shared settings differ or a live process holds this worker id. */
  async join(): Promise<void> {
    await this.checkSharedSettings();
    await this.register();
    this.unsubscribeHost = this.options.host.subscribe((event) => {
      if (event.type === "status" && this.owned.has(event.session)) this.queueStatusReport(event.session, event.change.status);
    });
    this.scheduleHeartbeat(0);
  }

  /** Ready for traffic: after the server listens. */
  markReady(): void {
    if (this.readiness === "starting") this.readiness = "ready";
  }

  /**
   * Whether this worker owns `name` under a lease it still holds: before the fence deadline no peer can
   * have claimed it (a claim needs the owner's lease lapsed), so the database need not be asked.
   */
  owns(name: string): boolean {
    return this.owned.has(name) && FenceWatchdog.now() < this.fenceAt;
  }

  /** The fencing token this process holds for `name` now (null: not its own): a run's login saves carry it. */
  tokenOf(name: string): OwnerToken | null {
    const epoch = this.owned.get(name);
    return epoch === undefined ? null : { ...this.identity, epoch };
  }

  loginOf(name: string): Promise<TLoginSnapshotInfo | null> {
    return this.options.logins.infoOf(name, this.owns(name) ? (this.owned.get(name) ?? null) : null);
  }

  /** Where a command for a session that nobody runs is best run: the placement's first worker (null: none has room). */
  placementOf(name: string): { id: string; url: string } | null {
    const id = this.rankFor(name, this.peers)[0];
    const worker = this.peers.find((peer) => peer.id === id);
    return worker ? { id: worker.id, url: worker.url } : null;
  }

  /** Live statuses and owners, cluster-wide, of `names` (or of every owned session). */
  statusesOf(names?: readonly string[]): Promise<Map<string, OwnedStatus>> {
    return names ? ownedStatusesOf(this.options.db, names) : allOwnedStatuses(this.options.db);
  }

  workers(): Promise<WorkerView[]> {
    return listWorkers(this.options.db);
  }

  /**
   * Makes this worker the owner of `name` before a start through the API. Returns false when another live
   * worker owns it (it runs there) or this worker is full (a sweep places it once a worker has room);
   * throws 503 when this worker cannot take sessions now.
   */
  async acquire(name: string): Promise<boolean> {
    if (this.owned.has(name)) return true;
    if (this.readiness !== "ready") throw unavailable(`worker ${this.workerId} is ${this.readiness} and takes no sessions`);
    if (this.options.capacity !== null && this.owned.size >= this.options.capacity) {
      this.options.logger.warn(
        { session: name, capacity: this.options.capacity },
        "no worker has room for this session: it starts once one has",
      );
      return false;
    }
    const epoch = await claimSession(this.options.db, name, this.identity, this.heartbeatMs);
    if (epoch === null) return false;
    this.owned.set(name, epoch);
    return true;
  }

  /** After a stop through the API: the session is nobody's, so any worker may start it next. */
  async release(name: string, status: TSessionStatus = "STOPPED"): Promise<void> {
    const epoch = this.owned.get(name);
    if (epoch === undefined) return;
    this.owned.delete(name);
    this.statusToReport.delete(name);
    await releaseSession(this.options.db, name, this.identity, epoch, status);
  }

  /** After a delete: its row went with the session. */
  forget(name: string): void {
    this.owned.delete(name);
    this.statusToReport.delete(name);
  }

  /**
   * A session was deleted (through any worker; sb_owner): this worker's copy of its profile goes too, as
   * the owner's did, unless the name is in use again here (created anew, running).
   */
  async onSessionDeleted(name: string): Promise<void> {
    const { removeLocalCopy, host, db, logger } = this.options;
    if (!removeLocalCopy || this.owned.has(name) || host.runningNames().includes(name)) return;
    try {
      if (await findStoredSession(db, name)) return;
      await removeLocalCopy(name);
    } catch (error) {
      logger.warn({ err: error, session: name }, "could not remove this worker's copy of a deleted session's profile");
    }
  }

  /**
   * Hands every session to the other workers and takes no new ones (POST /api/server/drain, SIGTERM): each
   * browser is closed first, then its session released, so two never run at once.
   */
  async drain(): Promise<number> {
    if (this.readiness === "draining") return 0;
    this.readiness = "draining";
    await markDraining(this.options.db, this.identity);
    const names = [...this.owned.keys()];
    this.options.logger.info({ sessions: names.length }, "draining: handing every session to the other workers");
    await Promise.all(
      names.map(async (name) => {
        await this.options.host.stop(name, `worker ${this.workerId} draining`).catch(() => undefined);
        await this.release(name, "STOPPED").catch((error) => this.options.logger.error({ err: error, session: name }, "release failed"));
      }),
    );
    return names.length;
  }

  /** Leaves the cluster (shutdown, after drain()): the lease ends now, so peers adopt what is left at once. */
  async leave(): Promise<void> {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.lapseSweepTimer) clearTimeout(this.lapseSweepTimer);
    if (this.sweepSoonTimer) clearTimeout(this.sweepSoonTimer);
    this.heartbeatTimer = null;
    await this.beating;
    this.unsubscribeHost?.();
    await endLease(this.options.db, this.identity).catch(() => undefined);
    this.watchdog.arm(null);
    await this.watchdog.close();
  }

  // ---------- lease ----------

  private async checkSharedSettings(): Promise<void> {
    for (const peer of await liveWorkerSettings(this.options.db, this.workerId)) {
      const differing = differingSettings(this.options.settings, peer.settings);
      if (differing.length) {
        throw new Error(`these settings differ from live worker ${peer.id}'s, and every worker must share them: ${differing.join(", ")}`);
      }
    }
  }

  private async register(): Promise<void> {
    const { db, logger, leaseMs } = this.options;
    const registration = {
      ...this.identity,
      url: this.options.url,
      capacity: this.options.capacity,
      settings: this.options.settings,
      leaseMs,
    };
    const startedAt = FenceWatchdog.now();
    // The lease runs from the attempt that got it: after waiting out a previous lease (a rejoin waits out its
    // own), a fence counted from the first attempt would already be due, and the watchdog would fire at once.
    let sentAt = startedAt;
    let seen: Date | null = null;
    // A crashed process's lease lapses within leaseMs; a live holder keeps renewing it.
    while (!(await registerWorker(db, registration))) {
      const lease = await leaseOf(db, this.workerId);
      if (lease && seen && lease.heartbeatAt.getTime() !== seen.getTime()) {
        throw new Error(`another live process runs as worker ${this.workerId} (WAHA_WORKER_ID must be unique per process)`);
      }
      seen ??= lease?.heartbeatAt ?? null;
      if (FenceWatchdog.now() - startedAt > 2 * leaseMs) throw new Error(`worker ${this.workerId}: its previous lease did not lapse`);
      logger.info({ leftMs: Math.round(lease?.leftMs ?? 0) }, `worker ${this.workerId}: waiting for the previous process's lease to lapse`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(100, lease?.leftMs ?? 0))));
      sentAt = FenceWatchdog.now();
    }
    this.armFence(sentAt);
    logger.info({ worker: this.workerId, incarnation: this.incarnation, url: this.options.url }, "joined the cluster");
  }

  private armFence(renewalSentAt: number): void {
    // The database's now() was no earlier than renewalSentAt, so its lease ends no sooner than this + leaseMs.
    this.fenceAt = renewalSentAt + this.options.leaseMs - this.heartbeatMs;
    this.watchdog.arm(this.fenceAt);
  }

  private scheduleHeartbeat(delayMs: number): void {
    this.heartbeatTimer = setTimeout(() => {
      this.beating = this.heartbeat().finally(() => {
        if (this.heartbeatTimer) this.scheduleHeartbeat(this.heartbeatMs);
      });
    }, delayMs);
  }

  private async heartbeat(): Promise<void> {
    const { db, logger } = this.options;
    const sentAt = FenceWatchdog.now();
    try {
      const { renewed } = await renewLease(db, { ...this.identity, leaseMs: this.options.leaseMs });
      if (!renewed) {
        await this.fence("the lease lapsed before it could be renewed");
        await this.rejoin();
        return;
      }
      // The database renewed a running lease, so no peer can have claimed anything; but if the watchdog
      // fired or this worker fenced itself meanwhile (a renewal slower than the margin), its sessions are
      // gone: start over cleanly.
      if (this.watchdogFired || this.readiness === "fenced" || sentAt + this.options.leaseMs - this.heartbeatMs <= FenceWatchdog.now()) {
        await this.fence("the lease was renewed after the watchdog's deadline");
        await this.rejoin();
        return;
      }
      this.armFence(sentAt);
      await this.stopWhatIsNotOwned();
      this.peers = await listWorkers(db);
      if (this.readiness === "ready") await this.sweep();
      this.sweepWhenNextLeaseLapses();
    } catch (error) {
      logger.warn({ err: error }, "cluster heartbeat failed");
      if (FenceWatchdog.now() >= this.fenceAt && this.readiness !== "fenced") await this.fence("the database did not answer in time");
    }
  }

  private sweepWhenNextLeaseLapses(): void {
    const others = this.peers.filter((peer) => peer.id !== this.workerId && peer.state !== "gone");
    const nextLapseMs = Math.min(...others.map((peer) => peer.leaseLeftMs));
    if (this.lapseSweepTimer || !(nextLapseMs < this.heartbeatMs)) return;
    this.lapseSweepTimer = setTimeout(() => {
      this.lapseSweepTimer = null;
      this.options.onPeerLeaseLapsed?.();
      if (this.readiness === "ready" && this.heartbeatTimer) void this.sweepNow();
    }, nextLapseMs + LAPSE_SWEEP_DELAY_MS);
  }

  /**
   * A sweep outside the heartbeat, after a signal (a session released, a worker joined or drains): many
   * signals in a burst (a drain releases every session) make one sweep.
   */
  sweepSoon(): void {
    if (this.sweepSoonTimer) return;
    this.sweepSoonTimer = setTimeout(() => {
      this.sweepSoonTimer = null;
      if (this.readiness === "ready" && this.heartbeatTimer) void this.sweepNow();
    }, SIGNAL_SWEEP_DELAY_MS);
  }

  /** A sweep outside the heartbeat (a peer's lease lapsed, or a peer released sessions). */
  private async sweepNow(): Promise<void> {
    try {
      this.peers = await listWorkers(this.options.db);
      await this.sweep();
    } catch (error) {
      this.options.logger.warn({ err: error }, "cluster sweep failed");
    }
  }

  /** Stops every session here: a peer may claim them once the lease lapses. */
  private async fence(reason: string): Promise<void> {
    if (this.readiness !== "draining") this.readiness = "fenced";
    this.options.logger.error({ reason, sessions: this.owned.size }, "lease lost: stopping every session on this worker");
    const names = [...this.owned.keys(), ...this.options.host.runningNames()];
    this.owned.clear();
    this.statusToReport.clear();
    await Promise.all([...new Set(names)].map((name) => this.options.host.stop(name, "worker lost its lease").catch(() => undefined)));
  }

  /** A new incarnation after a lost lease; claims nothing for two heartbeats, so a flapping link moves no session. */
  private async rejoin(): Promise<void> {
    this.incarnation = randomUUID();
    this.watchdogFired = false;
    await this.register();
    this.claimHoldUntil = FenceWatchdog.now() + 2 * this.heartbeatMs;
    if (this.readiness === "fenced") this.readiness = "ready";
  }

  /** Stops what runs here but is no longer this worker's (a peer claimed it while this one was paused). */
  private async stopWhatIsNotOwned(): Promise<void> {
    // Only claims older than the database's answer are judged by it: a claim made while the query ran (a
    // sweep after a signal, a start through the API) is not in the answer, and stopping it would leave its
    // owner row saying this worker runs it while nothing does.
    const before = new Map(this.owned);
    const owned = await ownedBy(this.options.db, this.identity);
    for (const [name, epoch] of before) {
      if (owned.get(name) === epoch || this.owned.get(name) !== epoch) continue;
      const current = owned.get(name);
      if (current !== undefined) {
        // Still this worker's, under another claim of its own (flushStatusReports): kept, under that claim.
        this.options.logger.warn(
          { session: name, epoch, current },
          "this worker owns this session under another claim than it recorded: keeping it, under that claim",
        );
        this.owned.set(name, current);
        continue;
      }
      this.owned.delete(name);
      this.options.logger.warn({ session: name }, "another worker owns this session now: stopping it here");
      await this.options.host.stop(name, "owned by another worker").catch(() => undefined);
    }
    for (const name of this.options.host.runningNames()) {
      if (!this.owned.has(name) && !owned.has(name)) await this.options.host.stop(name, "not owned by this worker").catch(() => undefined);
    }
  }

  // ---------- placement ----------

  private rankFor(name: string, workers: readonly WorkerView[]): string[] {
    const candidates = workers
      .filter((worker) => worker.state === "alive" && (worker.capacity === null || worker.sessions < worker.capacity))
      .map((worker) => ({ id: worker.id, weight: worker.capacity ?? DEFAULT_WEIGHT }));
    return rankWeighted(name, candidates);
  }

  /** Claims the orphans this worker ranks first for (or next, once the ones before it had their turn); one sweep at a time. */
  private sweep(): Promise<void> {
    this.sweeping ??= this.claimOrphans().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async claimOrphans(): Promise<void> {
    if (FenceWatchdog.now() < this.claimHoldUntil) return;
    const orphans = await findOrphans(this.options.db);
    const current = new Set(orphans.map((orphan) => orphan.name));
    for (const name of this.orphanSweeps.keys()) if (!current.has(name)) this.orphanSweeps.delete(name);
    const room = this.options.capacity === null ? Infinity : this.options.capacity - this.owned.size;
    const mine: typeof orphans = [];
    for (const orphan of orphans) {
      const sweeps = (this.orphanSweeps.get(orphan.name) ?? 0) + 1;
      this.orphanSweeps.set(orphan.name, sweeps);
      const turn = this.rankFor(orphan.name, this.peers).indexOf(this.workerId);
      if (turn >= 0 && sweeps > 2 * turn && mine.length < room) mine.push(orphan);
    }
    // One claim for all of them: a failover hands a worker hundreds of sessions at once.
    const won = await claimSessions(
      this.options.db,
      mine.map((orphan) => orphan.name),
      this.identity,
      this.heartbeatMs,
    );
    for (const orphan of mine) {
      const epoch = won.get(orphan.name);
      if (epoch === undefined) continue;
      this.owned.set(orphan.name, epoch);
      this.orphanSweeps.delete(orphan.name);
      this.queueLaunch(orphan.name, orphan.lastWorker);
    }
    if (won.size) {
      const from = [...new Set(mine.filter((orphan) => won.has(orphan.name)).map((orphan) => orphan.lastWorker))];
      this.options.logger.info({ sessions: won.size, from }, "claimed sessions nobody ran");
    }
  }

  private queueLaunch(name: string, from: string | null): void {
    this.pendingLaunches.push(async () => {
      const stored = await findStoredSession(this.options.db, name);
      if (!stored || this.owned.get(name) === undefined) return;
      this.options.host.remember(name, stored.me);
      const reason = from && from !== this.workerId ? `taken over from worker ${from}` : "placed on this worker";
      await this.options.host.start(name, stored.config, reason);
    });
    this.launchNext();
  }

  private launchNext(): void {
    while (this.launches.size < LAUNCH_CONCURRENCY && this.pendingLaunches.length) {
      const launch = this.pendingLaunches.shift()!;
      const running: Promise<void> = launch()
        .catch((error) => this.options.logger.error({ err: error }, "starting a claimed session failed"))
        .finally(() => {
          this.launches.delete(running);
          this.launchNext();
        });
      this.launches.add(running);
    }
  }

  // ---------- status reports ----------

  /**
   * After each sampler round: the figures of every session this worker owns (null for one without a
   * browser) in one fenced statement, so every worker lists them. They count for a few of the sampler's
   * intervals: a worker that stops writing (stuck, or its writes failing) has its figures vanish.
   */
  reportResources(round: SamplerRound, intervalMs: number): Promise<void> {
    if (this.reportingResources || this.owned.size === 0) return this.reportingResources ?? Promise.resolve();
    const sessions = [...this.owned].map(([name, epoch]) => ({ name, epoch, sample: round.samples.get(name) ?? null }));
    this.reportingResources = reportResources(this.options.db, this.identity, sessions, RESOURCES_VALID_INTERVALS * intervalMs)
      .then(() => undefined)
      .catch((error) => this.options.logger.warn({ err: error }, "writing the sessions' memory and CPU failed"))
      .finally(() => (this.reportingResources = null));
    return this.reportingResources;
  }

  private queueStatusReport(name: string, status: TSessionStatus): void {
    this.statusToReport.set(name, status);
    this.flushSoon();
  }

  private flushSoon(): void {
    this.reporting ??= this.flushStatusReports().finally(() => {
      this.reporting = null;
      if (this.statusToReport.size) this.flushSoon();
    });
  }

  private async flushStatusReports(): Promise<void> {
    while (this.statusToReport.size) {
      const [name, status] = this.statusToReport.entries().next().value!;
      this.statusToReport.delete(name);
      const epoch = this.owned.get(name);
      if (epoch === undefined) continue;
      try {
        if (await reportStatus(this.options.db, name, this.identity, epoch, status)) continue;
        // The row may still be this very worker's, under another claim of its own: stopping would leave it
        // owned by a live worker that runs nothing, which no sweep ever places again.
        const current = (await ownedBy(this.options.db, this.identity, [name])).get(name);
        if (current !== undefined) {
          if (this.owned.get(name) !== epoch) continue;
          this.options.logger.warn(
            { session: name, epoch, current },
            "this worker owns this session under another claim than it recorded: keeping it, under that claim",
          );
          this.owned.set(name, current);
          if (current !== epoch && !this.statusToReport.has(name)) this.statusToReport.set(name, status);
          continue;
        }
        this.owned.delete(name);
        this.options.logger.warn({ session: name }, "another worker owns this session now: stopping it here");
        await this.options.host.stop(name, "owned by another worker").catch(() => undefined);
      } catch (error) {
        this.options.logger.warn({ err: error, session: name }, "status report failed");
      }
    }
  }
}

/** After a peer's lease lapses by the database's clock: a margin for the round trip that measured it. */
const LAPSE_SWEEP_DELAY_MS = 100;
/** Signals within this long of each other make one sweep. */
const SIGNAL_SWEEP_DELAY_MS = 50;

/** The weight of a worker without a set capacity, as if it could run this many sessions. */
const DEFAULT_WEIGHT = 100;

function unavailable(message: string): AppError {
  return new AppError("service_unavailable", message);
}
