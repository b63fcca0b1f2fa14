import type { ClockTimer } from "@/server/engines/clock";
import { rank } from "@/server/cluster/rendezvous";
import type { TDispatchCore } from "./dispatch-core";
import { adoptDeliveries, findLiveWorkers, findOrphanOwners, findOwnedUrls } from "./outbox";

/**
 * Cluster mode only (PostgreSQL): this worker adopts the pending and in_flight rows of workers whose
 * lease lapsed (or that never had one), so a dead worker's deliveries are not lost. A pass runs every
 * `intervalMs`, at start, and whenever adoptNow() is called (a peer is known to be gone).
 *
 * Each orphaned target URL goes to one worker: the first of the live, non-draining workers ranked by
 * rendezvous hashing of the URL (server/cluster/rendezvous.ts), so every receiver's rows meet one
 * worker's lane and circuit breaker, and no coordinator is needed: each worker computes the same
 * answer. A URL still orphaned after two passes is taken by the second-ranked worker as well, after
 * four by the third, and so on, so a ranked worker that never adopts cannot strand it. A row moves once
 * whoever races for it (adoptDeliveries), keeps its id and therefore its X-Webhook-Request-Id, and is
 * pending again; an in_flight one is sent again (a duplicate if the dead worker's request had reached
 * the receiver).
 */
export class Adopter {
  private timer: ClockTimer | null = null;
  private current: Promise<number> | null = null;
  private next: Promise<number> | null = null;
  /** Passes in a row each orphaned URL was seen in. */
  private seen = new Map<string, number>();

  constructor(
    private readonly options: {
      core: TDispatchCore;
      intervalMs: number;
      /** Rows per adopting statement. */
      chunkSize: number;
      /** Rows were adopted: claim the due ones now, arm the timer for the others. */
      onAdopted(): void;
    },
  ) {}

  /** start(): a first pass now, then one every intervalMs. */
  start(): void {
    void this.adoptNow();
    this.schedule();
  }

  stopTimer(): void {
    if (this.timer) this.options.core.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when no pass is running or queued. */
  async settled(): Promise<void> {
    while (this.current || this.next) await (this.next ?? this.current)!.catch(() => undefined);
  }

  get isIdle(): boolean {
    return !this.current && !this.next;
  }

  /**
   * One pass now (after the one running, if any, since a peer may have gone after that one looked).
   * Resolves with the number of rows adopted; a failure is logged and counts as none.
   */
  adoptNow(): Promise<number> {
    if (!this.options.core.isRunning()) return Promise.resolve(0);
    if (!this.current) return this.run();
    this.next ??= this.current.then(() => {
      this.next = null;
      return this.run();
    });
    return this.next;
  }

  private run(): Promise<number> {
    const { core } = this.options;
    const pass = this.pass().catch((error) => {
      core.logger.warn({ err: error }, "could not adopt the webhook deliveries of workers that are gone; retrying at the next pass");
      return 0;
    });
    this.current = pass;
    void pass.finally(() => {
      if (this.current === pass) this.current = null;
      core.checkIdle();
    });
    return pass;
  }

  private schedule(): void {
    const { core, intervalMs } = this.options;
    if (!core.isRunning()) return;
    this.timer = core.clock.setTimeout(() => {
      this.timer = null;
      void this.adoptNow().finally(() => this.schedule());
    }, intervalMs);
  }

  private async pass(): Promise<number> {
    const { core, chunkSize } = this.options;
    const owners = await core.dbQueue.run(() => findOrphanOwners(core.db));
    if (owners.length === 0) {
      this.seen.clear();
      return 0;
    }
    const { live, urls } = await core.dbQueue.run(async () => ({
      live: await findLiveWorkers(core.db),
      urls: await findOwnedUrls(core.db, owners),
    }));
    const seen = new Map(urls.map((url) => [url, (this.seen.get(url) ?? 0) + 1]));
    this.seen = seen;
    const candidates = live.filter((worker) => !worker.draining).map((worker) => worker.id);
    // Draining, or this worker's own lease has lapsed: it adopts nothing.
    if (!candidates.includes(core.workerId)) return 0;
    const mine = urls.filter((url) => rank(url, candidates).indexOf(core.workerId) <= Math.floor((seen.get(url)! - 1) / 2));
    if (mine.length === 0) return 0;

    let adopted = 0;
    for (;;) {
      const ids = await core.dbQueue.run(() =>
        adoptDeliveries(core.db, { workerId: core.workerId, owners, urls: mine, now: core.clock.now(), limit: chunkSize }),
      );
      adopted += ids.length;
      if (ids.length < chunkSize || !core.isRunning()) break;
    }
    if (adopted > 0) {
      core.logger.info({ adopted, from: owners, urls: mine.length }, "adopted the webhook deliveries of workers that are gone");
      this.options.onAdopted();
    }
    return adopted;
  }
}
