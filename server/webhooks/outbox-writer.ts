import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { TDispatchCore } from "./dispatch-core";
import { buildOutboxRows, insertOutboxRows, releaseDeliveries, toDeliveryDto, type TDueDeliveryRow, type TOutboxEntry } from "./outbox";
import type { TargetLanes } from "./target-lanes";

interface PendingWrite {
  entries: TOutboxEntry[];
  resolve: (rows: TWebhookDelivery[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Batched outbox writes: concurrent enqueue() calls in the same tick share one transaction (at most
 * `batchSize` events). A delivery whose target has a free slot is written `in_flight` and handed to
 * its lane straight after the commit (no claim query on the hot path); the others are written
 * `pending` and wait for a claim. Either way nothing is sent before the commit. Works before start()
 * and after stop(): the rows then wait in the database.
 */
export class OutboxWriter {
  private writes: PendingWrite[] = [];
  private scheduled = false;
  private writing: Promise<void> | null = null;

  constructor(private readonly options: { core: TDispatchCore; lanes: TargetLanes; batchSize: number }) {}

  /** Resolves with the new delivery rows once committed. */
  enqueue(entries: TOutboxEntry[]): Promise<TWebhookDelivery[]> {
    if (!entries.some((entry) => entry.targets.length > 0)) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.writes.push({ entries, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every write enqueued so far has been committed (or has failed). */
  async drain(): Promise<void> {
    while (this.writes.length || this.writing || this.scheduled) {
      if (this.writing) await this.writing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  get isIdle(): boolean {
    return !this.writes.length && !this.writing && !this.scheduled;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.writing) await this.writing.catch(() => undefined);
    const batch: PendingWrite[] = [];
    let size = 0;
    while (this.writes.length && (size === 0 || size + this.writes[0]!.entries.length <= this.options.batchSize)) {
      const item = this.writes.shift()!;
      size += item.entries.length;
      batch.push(item);
    }
    if (this.writes.length) this.schedule();
    if (batch.length === 0) return;
    const run = this.write(batch, size);
    this.writing = run;
    await run;
    if (this.writing === run) this.writing = null;
    this.options.core.checkIdle();
  }

  private async write(batch: PendingWrite[], size: number): Promise<void> {
    const { core, lanes } = this.options;
    const entries = batch.flatMap((item) => item.entries);
    let rows: ReturnType<typeof buildOutboxRows>;
    try {
      rows = await core.dbQueue.run(async () => {
        const built = buildOutboxRows(entries, { workerId: core.workerId, now: core.clock.now(), claim: (url) => lanes.reserve(url) });
        try {
          await insertOutboxRows(core.db, built);
        } catch (error) {
          for (const row of built.deliveries) if (row.state === "in_flight") lanes.releaseReservation(row.url);
          throw error;
        }
        return built;
      });
    } catch (error) {
      core.logger.error({ err: error, events: size }, "could not write webhook outbox");
      for (const item of batch) item.reject(error);
      return;
    }

    const entryById = new Map(entries.map((entry) => [entry.envelope.id, entry]));
    const ready: TDueDeliveryRow[] = [];
    // Rows of a write that finished after stop() began are released here: no lane sends any more.
    const release: string[] = [];
    let waiting = false;
    for (const row of rows.deliveries) {
      if (row.state !== "in_flight") {
        waiting = true;
        continue;
      }
      lanes.releaseReservation(row.url);
      if (!core.isRunning()) {
        release.push(row.id);
        continue;
      }
      const entry = entryById.get(row.eventId)!;
      ready.push({ ...row, envelope: { body: entry.body, timestamp: new Date(entry.envelope.timestamp) } });
    }
    lanes.admit(ready);

    const dtos = rows.deliveries.map(toDeliveryDto);
    const byEvent = new Map<string, TWebhookDelivery[]>();
    for (const dto of dtos) {
      const list = byEvent.get(dto.eventId);
      if (list) list.push(dto);
      else byEvent.set(dto.eventId, [dto]);
    }
    for (const item of batch) item.resolve(item.entries.flatMap((entry) => byEvent.get(entry.envelope.id) ?? []));
    for (const delivery of dtos) core.emit({ delivery, attempt: null });
    if (release.length) {
      await core.dbQueue
        .run(() => releaseDeliveries(core.db, core.workerId, release))
        .catch((error) => core.logger.warn({ err: error }, "could not release webhook deliveries"));
    }
    if (waiting) core.wake();
  }
}
