import type { ClockTimer } from "@/server/engines/clock";
import type { TDispatchCore } from "./dispatch-core";
import { claimDueDeliveries, findNextDueAt, findPendingUrls, releaseDeliveries } from "./outbox";
import type { TargetLanes } from "./target-lanes";

/**
 * Claiming due rows and the timers that ask for it. wake() runs one claim loop (wakes from the same
 * tick coalesce into one claim); each claim reads only targets with room (TargetLanes.claimSizes), so
 * a full target (a slow receiver, or a dead one's retries) is never read. Nobody polls for retries:
 * one timer is armed for the earliest one known (armDueTimer); the poll is only a safety net.
 */
export class Claimer {
  private requested = false;
  private fetching: Promise<void> | null = null;
  private dueTimer: ClockTimer | null = null;
  private dueAt = Infinity;
  private pollTimer: ClockTimer | null = null;

  constructor(private readonly options: { core: TDispatchCore; lanes: TargetLanes; pollIntervalMs: number }) {}

  /** start(): the safety-net poll, a first claim, and the timer for the earliest stored retry. */
  start(): void {
    this.schedulePoll();
    this.wake();
    void this.refreshDueTimer();
  }

  /** stop(): no timer fires any more; settled() waits for a claim in progress. */
  stopTimers(): void {
    const { clock } = this.options.core;
    for (const timer of [this.pollTimer, this.dueTimer]) if (timer) clock.clearTimeout(timer);
    this.pollTimer = this.dueTimer = null;
    this.dueAt = Infinity;
  }

  settled(): Promise<void> {
    return this.fetching ?? Promise.resolve();
  }

  get isIdle(): boolean {
    return !this.fetching;
  }

  /** Look for due rows now (after an enqueue, a redelivery, a lane with room, a timer). */
  wake(): void {
    if (!this.options.core.isRunning()) return;
    this.requested = true;
    if (!this.fetching) this.fetching = this.loop();
  }

  /** Rows were added behind the dispatcher's back (adopted): claim the due ones, arm the timer for the next. */
  rescan(): void {
    this.wake();
    void this.refreshDueTimer();
  }

  /** A retry is due at `at`: arm the one timer for it unless an earlier one is armed. */
  armDueTimer(at: number): void {
    const { core } = this.options;
    if (!core.isRunning() || at >= this.dueAt) return;
    if (this.dueTimer) core.clock.clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = core.clock.setTimeout(
      () => {
        this.dueTimer = null;
        this.dueAt = Infinity;
        this.wake();
        void this.refreshDueTimer();
      },
      Math.max(0, at - core.clock.now()),
    );
  }

  private async refreshDueTimer(): Promise<void> {
    const { core } = this.options;
    try {
      const next = await core.dbQueue.run(() => findNextDueAt(core.db, core.workerId, core.clock.now()));
      if (next !== null) this.armDueTimer(next);
    } catch (error) {
      core.logger.warn({ err: error }, "could not read the next webhook retry time");
    }
  }

  private schedulePoll(): void {
    const { core, pollIntervalMs } = this.options;
    if (!core.isRunning() || pollIntervalMs <= 0) return;
    this.pollTimer = core.clock.setTimeout(() => {
      this.pollTimer = null;
      this.wake();
      this.schedulePoll();
    }, pollIntervalMs);
  }

  private async loop(): Promise<void> {
    const { core } = this.options;
    try {
      while (core.isRunning() && this.requested) {
        this.requested = false;
        // Yield once so wakes from the same tick coalesce into one claim.
        await new Promise((resolve) => setImmediate(resolve));
        await this.claimOnce();
      }
    } catch (error) {
      core.logger.error({ err: error }, "could not claim webhook deliveries; retrying at the next poll");
    } finally {
      this.fetching = null;
      core.checkIdle();
    }
  }

  private async claimOnce(): Promise<void> {
    const { core, lanes } = this.options;
    const { take, claimed } = await core.dbQueue.run(async () => {
      const sizes = lanes.claimSizes(await findPendingUrls(core.db, core.workerId));
      return { take: sizes, claimed: await claimDueDeliveries(core.db, { workerId: core.workerId, now: core.clock.now(), take: sizes }) };
    });
    if (!core.isRunning()) {
      await core.dbQueue.run(() =>
        releaseDeliveries(
          core.db,
          core.workerId,
          claimed.map((row) => row.id),
        ),
      );
      return;
    }
    lanes.admit(claimed, { asked: take });
  }
}
