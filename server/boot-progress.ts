import type { Logger } from "pino";
import type { Clock, ClockTimer } from "./engines/clock";

/** How long a start may wait on one step before the log says which (and again every as long). */
export const SLOW_STEP_MS = 10_000;

/**
 * The steps of a start that wait on something outside the process (the database, the cluster), so a
 * start that hangs says in the log what it waits for, rather than going quiet after its last line.
 */
export class BootProgress {
  private readonly startedAt: number;
  private timer: ClockTimer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, "warn">,
  ) {
    this.startedAt = clock.now();
  }

  /** Runs one step; while it takes longer than SLOW_STEP_MS, warns every SLOW_STEP_MS naming it. */
  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    const stepStartedAt = this.clock.now();
    const remind = () => {
      const now = this.clock.now();
      this.logger.warn(
        { step: name, stepMs: now - stepStartedAt, bootMs: now - this.startedAt },
        `still starting: waiting for ${name} for ${Math.round((now - stepStartedAt) / 1000)} s`,
      );
      this.timer = this.clock.setTimeout(remind, SLOW_STEP_MS);
    };
    this.timer = this.clock.setTimeout(remind, SLOW_STEP_MS);
    try {
      return await work();
    } finally {
      if (this.timer) this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
