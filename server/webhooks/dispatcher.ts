import { SerialQueue } from "@/lib/serial-queue";
import { settleWithin } from "@/lib/timeout";
import type { TDeliveryUpdate, TWebhookDelivery } from "@/lib/webhook-delivery";
import type { Db } from "@/server/db";
import { systemClock, type Clock } from "@/server/engines/clock";
import { DEFAULT_WEBHOOK_CONCURRENCY } from "@/server/env";
import { currentTraceparent, untraced } from "@/server/request-context";
import { Adopter } from "./adopter";
import { Claimer } from "./claimer";
import { silentLogger, type TDispatchCore, type TWebhookLogger } from "./dispatch-core";
import {
  countOutboxByUrl,
  recoverInFlight,
  releaseDeliveries,
  requeueDelivery,
  toDeliveryDto,
  type TOutboxEntry,
  type TPruned,
  type TRetention,
} from "./outbox";
import { OutboxWriter } from "./outbox-writer";
import { Pruner } from "./pruner";
import { ResultWriter } from "./result-writer";
import { TargetLanes } from "./target-lanes";
import { webhookUserAgent } from "./webhook-request";

export interface WebhookDispatcherOptions {
  db: Db;
  /** Switchboard's version: `User-Agent: Switchboard/<version>`. */
  version: string;
  clock?: Clock;
  logger?: TWebhookLogger;
  /** WAHA_WORKER_ID ("" when unset). Rows are owned by the worker that wrote them; only it dispatches them. */
  workerId?: string;
  /**
   * Cluster mode (PostgreSQL, several workers: docs/cluster.md), with the workers' lease (`env.cluster`).
   * This worker then adopts the pending and in_flight rows of workers whose lease lapsed: every fifth of
   * the lease, at start, and on adoptNow(). Unset (SQLite, the embedded mode): no adoption.
   */
  cluster?: { leaseMs: number } | null;
  /** Rows moved per adopting statement (default 1,000). */
  adoptChunkSize?: number;
  /** Requests in flight per target URL (default DEFAULT_WEBHOOK_CONCURRENCY). */
  concurrencyPerTarget?: number;
  /**
   * Claimed rows held in memory per target, requests in flight included (default 256). Fresh events
   * for a target below this go straight from the outbox write to the sender; above it they wait as
   * pending rows until the target drains.
   */
  maxQueuedPerTarget?: number;
  /** Per request, until the response has been read (default 10 s). */
  requestTimeoutMs?: number;
  /** Events written per outbox transaction at most (default 512). */
  writeBatchSize?: number;
  /** Safety-net poll for due rows; retries also arm an exact timer (default 5 s). */
  pollIntervalMs?: number;
  /** Delivered and dead rows kept (defaults: 7 days, 100,000 rows). */
  retention?: Partial<TRetention>;
  /** How often pruning runs while started (default 60 s); 0 disables the timer (prune() still works). */
  pruneIntervalMs?: number;
  /** Attempt results are written together within this window (default 5 ms; 64 results flush at once). */
  resultFlushDelayMs?: number;
  /** stop() waits this long for requests in flight before aborting them (default 5 s). */
  stopTimeoutMs?: number;
  /** [0, 1) source for exponential jitter. */
  random?: () => number;
  /** Verify TLS certificates of https receivers (default true). */
  rejectUnauthorized?: boolean;
}

export type TDeliveryListener = (update: TDeliveryUpdate) => void;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Delivers the webhook outbox. The parts, one concern each:
 * - OutboxWriter (outbox-writer.ts): enqueue() writes events in batches, one transaction each,
 *   before anything is sent;
 * - TargetLanes (target-lanes.ts): one lane per target URL, at most `concurrencyPerTarget` requests
 *   in flight, the circuit breaker (circuit-breaker.ts) and the sending itself;
 * - Claimer (claimer.ts): claims due rows for targets with room, and the timers that ask for it;
 * - ResultWriter (result-writer.ts): attempt results, written in batches, reported to listeners;
 * - Pruner (pruner.ts): retention;
 * - Adopter (adopter.ts), in cluster mode: the rows of workers that are gone.
 * Requests are built by webhook-request.ts and judged by attempt-result.ts (both pure); every SQL
 * statement is in outbox.ts, run one at a time through one SerialQueue. No ordering per target is
 * guaranteed.
 *
 * Lifecycle: the constructor has no side effects; start() recovers rows a dead process left
 * in_flight and begins dispatching; stop() lets requests finish (up to stopTimeoutMs), puts unsent
 * claimed rows back to pending and flushes results. enqueue() works before start() and after
 * stop(): rows wait in the database. In cluster mode a stopped worker's rows are all pending (or
 * in_flight if their result could not be written) and stay its own until its lease ends; then the
 * live workers adopt them (the hand-over at shutdown: stop(), then end the lease).
 */
export class WebhookDispatcher {
  readonly workerId: string;
  private readonly core: TDispatchCore;
  private readonly stopTimeoutMs: number;
  private readonly lanes: TargetLanes;
  private readonly writer: OutboxWriter;
  private readonly results: ResultWriter;
  private readonly claimer: Claimer;
  private readonly pruner: Pruner;
  private readonly adopter: Adopter | null;

  private running = false;
  private startPromise: Promise<void> | null = null;
  private readonly listeners = new Set<TDeliveryListener>();
  /** whenIdle() callers. */
  private idleWaiters: (() => void)[] = [];

  constructor(options: WebhookDispatcherOptions) {
    this.workerId = options.workerId ?? "";
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    const core: TDispatchCore = {
      db: options.db,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? silentLogger,
      workerId: this.workerId,
      dbQueue: new SerialQueue(),
      isRunning: () => this.running,
      wake: () => this.claimer.wake(),
      emit: (update) => this.emit(update),
      checkIdle: () => this.checkIdle(),
    };
    this.core = core;
    const concurrency = options.concurrencyPerTarget ?? DEFAULT_WEBHOOK_CONCURRENCY;
    this.lanes = new TargetLanes({
      core,
      userAgent: webhookUserAgent(options.version),
      concurrency,
      maxQueued: Math.max(concurrency, options.maxQueuedPerTarget ?? 256),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      random: options.random ?? Math.random,
      onResult: (record, row) => this.results.add(record, row),
    });
    this.writer = new OutboxWriter({ core, lanes: this.lanes, batchSize: options.writeBatchSize ?? 512 });
    this.results = new ResultWriter({
      core,
      flushDelayMs: options.resultFlushDelayMs ?? 5,
      hasListeners: () => this.listeners.size > 0,
      onRetryScheduled: (at) => this.claimer.armDueTimer(at),
    });
    this.claimer = new Claimer({ core, lanes: this.lanes, pollIntervalMs: options.pollIntervalMs ?? 5_000 });
    this.pruner = new Pruner({
      core,
      retention: { maxAgeMs: options.retention?.maxAgeMs ?? 7 * DAY_MS, maxRows: options.retention?.maxRows ?? 100_000 },
      intervalMs: options.pruneIntervalMs ?? 60_000,
    });
    // Cluster mode runs on PostgreSQL only (env.cluster); the adoption SQL is PostgreSQL's.
    this.adopter =
      options.cluster && options.db.$provider() === "postgresql"
        ? new Adopter({
            core,
            intervalMs: options.cluster.leaseMs / 5,
            chunkSize: options.adoptChunkSize ?? 1_000,
            onAdopted: () => this.claimer.rescan(),
          })
        : null;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Durably stores events for their webhooks: one transaction per batch (concurrent calls in the
   * same tick share it). Resolves with the new delivery rows once committed; wakes the dispatcher.
   */
  enqueue(entries: TOutboxEntry[]): Promise<TWebhookDelivery[]> {
    // Deliveries caused by a request carry its trace (stored with them, so every retry sends it too);
    // the writer's own timers and sockets belong to no request.
    const traceparent = currentTraceparent();
    const traced = traceparent ? entries.map((entry) => (entry.traceparent ? entry : { ...entry, traceparent })) : entries;
    return untraced(() => this.writer.enqueue(traced));
  }

  /** Look for due rows now (after an enqueue, a redelivery, or from outside). Cheap and coalesced. */
  wake(): void {
    untraced(() => this.claimer.wake());
  }

  /** For /metrics: the outbox's rows waiting or in flight per target URL, and each target's circuit. */
  async targets(): Promise<{
    outbox: { url: string; state: "pending" | "in_flight"; count: number }[];
    circuits: ReturnType<TargetLanes["circuits"]>;
  }> {
    const outbox = await this.core.dbQueue.run(() => countOutboxByUrl(this.core.db, this.workerId));
    return { outbox, circuits: this.lanes.circuits(this.core.clock.now()) };
  }

  /** Listen to delivery changes (new, attempted, retried, delivered, dead, redelivered). Returns unsubscribe. */
  onDeliveryUpdate(listener: TDeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Idempotent. Recovers in_flight rows of this worker (left by a crash), then dispatches. */
  start(): Promise<void> {
    if (this.running) return this.startPromise ?? Promise.resolve();
    this.running = true;
    this.lanes.open();
    const { core } = this;
    this.startPromise = (async () => {
      const recovered = await core.dbQueue.run(() => recoverInFlight(core.db, core.workerId));
      if (recovered > 0) core.logger.info({ recovered }, "webhook deliveries left in flight by a previous run are pending again");
      if (!this.running) return;
      this.pruner.start();
      this.claimer.start();
      this.adopter?.start();
    })();
    return this.startPromise;
  }

  /**
   * Idempotent. Stops claiming; waits up to stopTimeoutMs for requests in flight, then aborts the
   * rest; claimed-but-unsent and aborted rows go back to pending (no attempt counted); all results
   * and pending enqueues are written before it resolves.
   */
  async stop(): Promise<void> {
    const { core } = this;
    if (this.running) {
      this.running = false;
      await this.startPromise?.catch(() => undefined);
      this.claimer.stopTimers();
      this.pruner.stopTimer();
      this.adopter?.stopTimer();
      await this.adopter?.settled();
      await this.claimer.settled();
      // Rows of a write still in progress are released by the writer itself once it sees !running.
      await this.writer.drain();

      const unsent = this.lanes.takeUnsent();
      await settleWithin(this.lanes.whenRequestsDone(), this.stopTimeoutMs, core.clock);
      if (this.lanes.activeCount() > 0) {
        this.lanes.abortInFlight();
        await this.lanes.whenRequestsDone();
      }
      const release = [...unsent, ...this.lanes.takeAborted()];
      if (release.length) await core.dbQueue.run(() => releaseDeliveries(core.db, core.workerId, release));
      this.lanes.close();
      await this.pruner.settled();
    }
    await this.writer.drain();
    await this.results.drain();
  }

  /** Resolves when nothing is claimed, sending, or waiting to be written (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Cluster mode: adopt the rows of workers that are gone now, rather than at the next periodic pass
   * (call it when a worker is known to be gone). Adopted rows that are due are claimed at once. Resolves
   * with the number of rows adopted: 0 outside cluster mode, while stopped, or when the pass failed
   * (logged).
   */
  adoptNow(): Promise<number> {
    return this.adopter?.adoptNow() ?? Promise.resolve(0);
  }

  /** Deletes old delivered/dead rows (age and count limits) and events no delivery needs. */
  prune(): Promise<TPruned> {
    return this.pruner.prune();
  }

  /**
   * Redelivery (see requeueDelivery): the stored request again, same body and request id; wakes the
   * dispatcher and reports the update. Null when the row does not exist (or belongs to another
   * session than `options.session`).
   */
  async requeue(id: string, options: { session?: string } = {}): Promise<TWebhookDelivery | null> {
    const { core } = this;
    const row = await core.dbQueue.run(() =>
      requeueDelivery(core.db, id, { workerId: core.workerId, now: core.clock.now(), session: options.session }),
    );
    if (!row) return null;
    const delivery = toDeliveryDto(row);
    this.emit({ delivery, attempt: null });
    this.wake();
    return delivery;
  }

  private emit(update: TDeliveryUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.core.logger.warn({ err: error }, "webhook delivery listener failed");
      }
    }
  }

  private isIdle(): boolean {
    return this.writer.isIdle && this.results.isIdle && this.claimer.isIdle && this.lanes.isIdle && (this.adopter?.isIdle ?? true);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
