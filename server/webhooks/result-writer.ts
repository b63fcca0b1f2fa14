import type { ClockTimer } from "@/server/engines/clock";
import type { TDispatchCore } from "./dispatch-core";
import { recordAttempts, toDeliveryDto, type TAttemptRecord, type TDeliveryRow } from "./outbox";

/** Results that are written at once instead of waiting for the coalescing window. */
const RESULT_BATCH = 64;
/** After a failed write, the results are tried again this much later. */
const RETRY_WRITE_MS = 1_000;

/**
 * Attempt results, written together: within `flushDelayMs` of each other, or at once when
 * RESULT_BATCH are waiting (or the dispatcher is stopping), in one transaction. A failed write is
 * retried; once written, every result is reported to the delivery listeners and the earliest retry
 * it scheduled is handed on (onRetryScheduled), so a timer fires when it is due. A result whose row
 * another worker adopted meanwhile is only logged as an attempt (recordAttempts), and not reported.
 */
export class ResultWriter {
  private results: TAttemptRecord[] = [];
  /** The row each waiting result belongs to, to report the delivery as it is after the result. */
  private readonly rows = new Map<string, TDeliveryRow>();
  private scheduled = false;
  private timer: ClockTimer | null = null;
  private flushing: Promise<void> | null = null;
  private retryTimer: ClockTimer | null = null;

  constructor(
    private readonly options: {
      core: TDispatchCore;
      flushDelayMs: number;
      /** Reports are built only when someone listens. */
      hasListeners(): boolean;
      /** The earliest next attempt (ms) among the results just written. */
      onRetryScheduled(at: number): void;
    },
  ) {}

  add(record: TAttemptRecord, row: TDeliveryRow): void {
    this.results.push(record);
    this.rows.set(record.deliveryId, row);
    this.schedule();
  }

  get isIdle(): boolean {
    return !this.results.length && !this.flushing && !this.scheduled && !this.timer;
  }

  /** stop(): writes everything waiting; gives up (the rows stay in_flight, recovered at boot) if the database keeps failing. */
  async drain(): Promise<void> {
    const { clock, logger } = this.options.core;
    if (this.retryTimer) {
      clock.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (this.timer) {
      clock.clearTimeout(this.timer);
      this.timer = null;
    }
    for (let round = 0; this.results.length || this.flushing || this.scheduled; round++) {
      if (this.flushing) await this.flushing;
      else if (this.results.length) {
        const before = this.results.length;
        await this.flush();
        if (this.results.length >= before && round > 3) {
          logger.error({ results: this.results.length }, "dropping unrecorded webhook results at shutdown");
          this.results = [];
        }
      } else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    const { core, flushDelayMs } = this.options;
    if (this.results.length >= RESULT_BATCH || flushDelayMs <= 0 || !core.isRunning()) {
      if (this.timer) {
        core.clock.clearTimeout(this.timer);
        this.timer = null;
      }
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
      return;
    }
    if (this.scheduled || this.timer) return;
    this.timer = core.clock.setTimeout(() => {
      this.timer = null;
      if (this.scheduled) return;
      this.scheduled = true;
      void this.flush();
    }, flushDelayMs);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing) {
      await this.flushing.catch(() => undefined);
      if (this.results.length && !this.scheduled) this.schedule();
      return;
    }
    const batch = this.results.splice(0);
    if (batch.length === 0) return;
    const run = this.write(batch);
    this.flushing = run;
    await run;
    this.flushing = null;
    if (this.results.length) this.schedule();
    this.options.core.checkIdle();
  }

  private async write(batch: TAttemptRecord[]): Promise<void> {
    const { core } = this.options;
    let recordedAt = 0;
    let applied: Set<string>;
    try {
      applied = await core.dbQueue.run(() => {
        recordedAt = core.clock.now();
        return recordAttempts(core.db, batch, { workerId: core.workerId, now: recordedAt });
      });
    } catch (error) {
      core.logger.error({ err: error, results: batch.length }, "could not record webhook attempts; retrying in 1 s");
      this.results.unshift(...batch);
      if (!this.retryTimer) {
        this.retryTimer = core.clock.setTimeout(() => {
          this.retryTimer = null;
          this.schedule();
        }, RETRY_WRITE_MS);
      }
      return;
    }
    const report = this.options.hasListeners();
    let earliestRetry = Infinity;
    const fenced: string[] = [];
    for (const record of batch) {
      const row = this.rows.get(record.deliveryId);
      this.rows.delete(record.deliveryId);
      if (!applied.has(record.deliveryId)) {
        fenced.push(record.deliveryId);
        continue;
      }
      const nextAttemptAt = record.retryDelayMs !== null ? recordedAt + record.retryDelayMs : null;
      if (nextAttemptAt !== null) earliestRetry = Math.min(earliestRetry, nextAttemptAt);
      if (!row || !report) continue;
      const updated: TDeliveryRow = {
        ...row,
        state: record.state,
        attempts: record.attempt.number,
        lastStatusCode: record.attempt.statusCode,
        lastError: record.lastError,
        nextAttemptAt: nextAttemptAt !== null ? new Date(nextAttemptAt) : row.nextAttemptAt,
        finishedAt: record.state === "pending" ? null : new Date(recordedAt),
        updatedAt: new Date(recordedAt),
      };
      core.emit({ delivery: toDeliveryDto(updated), attempt: record.attempt });
    }
    if (earliestRetry !== Infinity) this.options.onRetryScheduled(earliestRetry);
    if (fenced.length) {
      core.logger.info(
        { deliveries: fenced.slice(0, 10), count: fenced.length },
        "webhook results of deliveries another worker adopted meanwhile: logged as attempts, the deliveries keep their new owner's state",
      );
    }
  }
}
