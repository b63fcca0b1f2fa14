import type { ClockTimer } from "@/server/engines/clock";
import type { TDispatchCore } from "./dispatch-core";
import { pruneDeliveries, type TPruned, type TRetention } from "./outbox";

/**
 * Retention: every `intervalMs` while the dispatcher runs (0: only when prune() is called), pending
 * rows overdue by more than the max age die and finished rows beyond the age and count limits are
 * deleted, in chunks queued between the dispatcher's other database calls. On PostgreSQL one worker at a
 * time prunes the shared outbox (an advisory lock: pruneDeliveries); a run that meets another ends early.
 */
export class Pruner {
  private timer: ClockTimer | null = null;
  private pruning: Promise<TPruned> | null = null;

  constructor(private readonly options: { core: TDispatchCore; retention: TRetention; intervalMs: number }) {}

  async prune(): Promise<TPruned> {
    const { core, retention } = this.options;
    const run = pruneDeliveries(core.db, {
      ...retention,
      now: core.clock.now(),
      chunkSize: 1_000,
      between: (work) => core.dbQueue.run(work),
    });
    this.pruning = run;
    try {
      const result = await run;
      if (result.expired)
        core.logger.warn(
          { expired: result.expired },
          "webhook deliveries expired undelivered (receiver down longer than the retention age)",
        );
      if (result.deliveries || result.events) core.logger.debug(result, "pruned webhook deliveries");
      if (result.busy) core.logger.debug(result, "webhook pruning ended early: another worker is pruning");
      return result;
    } finally {
      if (this.pruning === run) this.pruning = null;
    }
  }

  start(): void {
    const { core, intervalMs } = this.options;
    if (!core.isRunning() || intervalMs <= 0) return;
    this.timer = core.clock.setTimeout(() => {
      this.timer = null;
      this.prune()
        .catch((error) => core.logger.warn({ err: error }, "could not prune webhook deliveries"))
        .finally(() => this.start());
    }, intervalMs);
  }

  stopTimer(): void {
    if (this.timer) this.options.core.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when a prune in progress has ended (either way). */
  async settled(): Promise<void> {
    await this.pruning?.catch(() => undefined);
  }
}
