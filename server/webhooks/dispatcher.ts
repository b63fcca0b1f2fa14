import type { TDeliveryUpdate, TWebhookAttempt, TWebhookDelivery } from "@/lib/webhook-delivery";
import { systemClock, type Clock, type ClockTimer } from "@/server/engines/clock";
import type { Db } from "@/server/db";
import { HttpSender, type TSendResult } from "./http-sender";
import {
  buildOutboxRows,
  claimDueDeliveries,
  findNextDueAt,
  findPendingUrls,
  insertOutboxRows,
  newId,
  parseSnapshot,
  pruneDeliveries,
  recordAttempts,
  recoverInFlight,
  releaseDeliveries,
  requeueDelivery,
  toDeliveryDto,
  type TAttemptRecord,
  type TDeliveryRow,
  type TDueDeliveryRow,
  type TOutboxEntry,
  type TRetention,
  type TWebhookSnapshot,
} from "./outbox";
import { classifyStatus, decideNextStep, parseRetryAfter, resolveRetrySettings, type TRetrySettings } from "./retry-policy";
import { HMAC_ALGORITHM, signBody } from "./signing";

/** The subset of a pino logger the dispatcher uses. */
export interface TWebhookLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silentLogger: TWebhookLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface WebhookDispatcherOptions {
  db: Db;
  /** Switchboard's version: `User-Agent: Switchboard/<version>`. */
  version: string;
  clock?: Clock;
  logger?: TWebhookLogger;
  /** WAHA_WORKER_ID ("" when unset). Rows are owned by the worker that wrote them; only it dispatches them. */
  workerId?: string;
  /** Requests in flight per target URL (default 8). */
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

interface Job {
  row: TDeliveryRow;
  body: Buffer;
  headers: Record<string, string>;
  settings: TRetrySettings;
}

interface Lane {
  url: string;
  active: number;
  queue: Job[];
  /** Slots promised to rows being written `in_flight` right now (they join `queue` after the commit). */
  reserved: number;
  /** Due rows of this target may be waiting in the database (it was full when the last claim ran). */
  backlog: boolean;
  /** Attempts in a row that ended in a retry (see trackHealth). */
  failures: number;
  /** While the circuit is open (failures >= OPEN_AFTER_FAILURES), nothing is sent before this time. */
  openUntil: number;
  /** Pumps the lane again when the circuit half-opens. */
  timer: ClockTimer | null;
}

/** Header names a custom header may not set: they would break the request or its signature. */
const RESERVED_HEADERS = new Set([
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
  "x-webhook-request-id",
  "x-webhook-timestamp",
  "x-webhook-hmac",
  "x-webhook-hmac-algorithm",
]);

const STOP_ABORT_REASON = "aborted: dispatcher stopping";
/**
 * A target whose last attempts in a row all failed this many times is treated as down: it gets one
 * request per retry delay until one succeeds (see trackHealth).
 */
const OPEN_AFTER_FAILURES = 3;
/** Results that are written at once instead of waiting for the coalescing window. */
const RESULT_BATCH = 64;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Delivers the webhook outbox. Events are written by enqueue() (one transaction per batch, before
 * anything is sent); the dispatcher claims due rows in batches, sends them with at most
 * `concurrencyPerTarget` requests in flight per target URL, records every attempt and schedules
 * retries. A target with no free slot is left out of the claim, so a slow or dead receiver never
 * holds back the others, and a target that keeps failing gets one request per retry delay until it
 * answers (trackHealth). No ordering per target is guaranteed.
 *
 * Lifecycle: the constructor has no side effects; start() recovers rows a dead process left
 * in_flight and begins dispatching; stop() lets requests finish (up to stopTimeoutMs), puts unsent
 * claimed rows back to pending and flushes results. enqueue() works before start() and after
 * stop(): rows wait in the database.
 */
export class WebhookDispatcher {
  readonly workerId: string;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: TWebhookLogger;
  private readonly random: () => number;
  private readonly userAgent: string;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly requestTimeoutMs: number;
  private readonly writeBatchSize: number;
  private readonly pollIntervalMs: number;
  private readonly pruneIntervalMs: number;
  private readonly stopTimeoutMs: number;
  private readonly resultFlushDelayMs: number;
  private readonly retention: TRetention;
  private readonly rejectUnauthorized: boolean;

  private running = false;
  private startPromise: Promise<void> | null = null;
  private sender: HttpSender | null = null;
  private readonly lanes = new Map<string, Lane>();
  private readonly listeners = new Set<TDeliveryListener>();

  /** Every database call of the dispatcher runs through this chain, one at a time (see serial()). */
  private dbChain: Promise<unknown> = Promise.resolve();

  private writes: { entries: TOutboxEntry[]; resolve: (rows: TWebhookDelivery[]) => void; reject: (e: unknown) => void }[] = [];
  private writeScheduled = false;
  private writing: Promise<void> | null = null;

  private results: TAttemptRecord[] = [];
  private resultRows = new Map<string, TDeliveryRow>();
  private resultsScheduled = false;
  private resultTimer: ClockTimer | null = null;
  private flushing: Promise<void> | null = null;
  private resultRetryTimer: ClockTimer | null = null;

  private fetchRequested = false;
  private fetching: Promise<void> | null = null;

  private dueTimer: ClockTimer | null = null;
  private dueAt = Infinity;
  private pollTimer: ClockTimer | null = null;
  private pruneTimer: ClockTimer | null = null;
  private pruning: Promise<unknown> | null = null;

  private readonly stopAborted = new Set<string>();
  /** whenIdle() callers. */
  private idleWaiters: (() => void)[] = [];
  /** Called whenever a request finishes (stop() waits for requests in flight). */
  private requestWaiters = new Set<() => void>();

  constructor(options: WebhookDispatcherOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.workerId = options.workerId ?? "";
    this.userAgent = `Switchboard/${options.version}`;
    this.concurrency = options.concurrencyPerTarget ?? 8;
    this.maxQueued = Math.max(this.concurrency, options.maxQueuedPerTarget ?? 256);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.writeBatchSize = options.writeBatchSize ?? 512;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.resultFlushDelayMs = options.resultFlushDelayMs ?? 5;
    this.retention = { maxAgeMs: options.retention?.maxAgeMs ?? 7 * DAY_MS, maxRows: options.retention?.maxRows ?? 100_000 };
    this.rejectUnauthorized = options.rejectUnauthorized ?? true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---------------------------------------------------------------- public API

  /**
   * Durably stores events for their webhooks: one transaction per batch (concurrent calls in the
   * same tick share it). Resolves with the new delivery rows once committed; wakes the dispatcher.
   */
  enqueue(entries: TOutboxEntry[]): Promise<TWebhookDelivery[]> {
    if (!entries.some((entry) => entry.targets.length > 0)) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.writes.push({ entries, resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        setImmediate(() => void this.flushWrites());
      }
    });
  }

  /** Look for due rows now (after an enqueue, a redelivery, or from outside). Cheap and coalesced. */
  wake(): void {
    if (!this.running) return;
    this.fetchRequested = true;
    if (!this.fetching) this.fetching = this.fetchLoop();
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
    this.sender = new HttpSender({ clock: this.clock, rejectUnauthorized: this.rejectUnauthorized });
    this.startPromise = (async () => {
      const recovered = await this.serial(() => recoverInFlight(this.db, this.workerId));
      if (recovered > 0) this.logger.info({ recovered }, "webhook deliveries left in flight by a previous run are pending again");
      if (!this.running) return;
      this.schedulePoll();
      this.schedulePrune();
      this.wake();
      void this.refreshDueTimer();
    })();
    return this.startPromise;
  }

  /**
   * Idempotent. Stops claiming; waits up to stopTimeoutMs for requests in flight, then aborts the
   * rest; claimed-but-unsent and aborted rows go back to pending (no attempt counted); all results
   * and pending enqueues are written before it resolves.
   */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      await this.startPromise?.catch(() => undefined);
      for (const timer of [this.pollTimer, this.pruneTimer, this.dueTimer]) if (timer) this.clock.clearTimeout(timer);
      this.pollTimer = this.pruneTimer = this.dueTimer = null;
      this.dueAt = Infinity;
      await this.fetching;
      // Rows of a write still in progress are released by flushWrites itself once it sees !running.
      await this.drainWrites();

      const unsent = [...this.lanes.values()].flatMap((lane) => lane.queue.splice(0));
      for (const lane of this.lanes.values()) if (lane.timer) this.clock.clearTimeout(lane.timer);
      await this.waitForRequests(this.stopTimeoutMs);
      if (this.activeCount() > 0) {
        for (const lane of this.lanes.values()) if (lane.active > 0) this.logger.warn({ url: lane.url, inFlight: lane.active }, "aborting webhook requests at shutdown");
        this.sender?.abortAll(STOP_ABORT_REASON);
        await this.waitForRequests(Infinity);
      }
      const release = [...unsent.map((job) => job.row.id), ...this.stopAborted];
      this.stopAborted.clear();
      if (release.length) await this.serial(() => releaseDeliveries(this.db, release));
      this.sender?.close();
      this.sender = null;
      this.lanes.clear();
      await this.pruning?.catch(() => undefined);
    }
    await this.drainWrites();
    await this.drainResults();
  }

  /** Resolves when nothing is claimed, sending, or waiting to be written (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Deletes old delivered/dead rows (age and count limits) and events no delivery needs. */
  async prune(): Promise<{ expired: number; deliveries: number; events: number }> {
    const run = pruneDeliveries(this.db, {
      ...this.retention,
      now: this.clock.now(),
      chunkSize: 1_000,
      between: (work) => this.serial(work),
    });
    this.pruning = run;
    try {
      const result = await run;
      if (result.expired) this.logger.warn({ expired: result.expired }, "webhook deliveries expired undelivered (receiver down longer than the retention age)");
      if (result.deliveries || result.events) this.logger.debug(result, "pruned webhook deliveries");
      return result;
    } finally {
      if (this.pruning === run) this.pruning = null;
    }
  }

  /**
   * Redelivery (see requeueDelivery): the stored request again, same body and request id; wakes the
   * dispatcher and reports the update. Null when the row does not exist (or belongs to another
   * session than `options.session`).
   */
  async requeue(id: string, options: { session?: string } = {}): Promise<TWebhookDelivery | null> {
    const row = await this.serial(() =>
      requeueDelivery(this.db, id, { workerId: this.workerId, now: this.clock.now(), session: options.session }),
    );
    if (!row) return null;
    const delivery = toDeliveryDto(row);
    this.emit({ delivery, attempt: null });
    this.wake();
    return delivery;
  }

  // ---------------------------------------------------------------- writing the outbox

  /**
   * Writes a batch of enqueued events. A delivery whose target has a free slot is written `in_flight`
   * and handed to its lane straight after the commit (no claim query on the hot path); the others are
   * written `pending` and wait for a claim. Either way nothing is sent before the commit.
   */
  private async flushWrites(): Promise<void> {
    this.writeScheduled = false;
    if (this.writing) await this.writing.catch(() => undefined);
    const batch: typeof this.writes = [];
    let size = 0;
    while (this.writes.length && (size === 0 || size + this.writes[0]!.entries.length <= this.writeBatchSize)) {
      const item = this.writes.shift()!;
      size += item.entries.length;
      batch.push(item);
    }
    if (this.writes.length && !this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => void this.flushWrites());
    }
    if (batch.length === 0) return;
    const entries = batch.flatMap((item) => item.entries);
    const run = (async () => {
      let rows: ReturnType<typeof buildOutboxRows> | null = null;
      try {
        rows = await this.serial(async () => {
          const built = buildOutboxRows(entries, { workerId: this.workerId, now: this.clock.now(), claim: (url) => this.reserve(url) });
          try {
            await insertOutboxRows(this.db, built);
          } catch (error) {
            for (const row of built.deliveries) if (row.state === "in_flight") this.lane(row.url).reserved--;
            throw error;
          }
          return built;
        });
      } catch (error) {
        this.logger.error({ err: error, events: size }, "could not write webhook outbox");
        for (const item of batch) item.reject(error);
        return;
      }

      const entryById = new Map(entries.map((entry) => [entry.envelope.id, entry]));
      const touched = new Set<Lane>();
      const release: string[] = [];
      let waiting = false;
      for (const row of rows.deliveries) {
        if (row.state !== "in_flight") {
          waiting = true;
          continue;
        }
        const lane = this.lane(row.url);
        lane.reserved--;
        if (!this.running) {
          release.push(row.id);
          continue;
        }
        const entry = entryById.get(row.eventId)!;
        lane.queue.push(this.toJob({ ...row, envelope: { body: entry.body, timestamp: new Date(entry.envelope.timestamp) } }));
        touched.add(lane);
      }
      for (const lane of touched) this.pump(lane);

      const dtos = rows.deliveries.map(toDeliveryDto);
      const byEvent = new Map<string, TWebhookDelivery[]>();
      for (const dto of dtos) {
        const list = byEvent.get(dto.eventId);
        if (list) list.push(dto);
        else byEvent.set(dto.eventId, [dto]);
      }
      for (const item of batch) item.resolve(item.entries.flatMap((entry) => byEvent.get(entry.envelope.id) ?? []));
      for (const delivery of dtos) this.emit({ delivery, attempt: null });
      if (release.length) await this.serial(() => releaseDeliveries(this.db, release)).catch((error) => this.logger.warn({ err: error }, "could not release webhook deliveries"));
      if (waiting) this.wake();
    })();
    this.writing = run;
    await run;
    if (this.writing === run) this.writing = null;
    this.checkIdle();
  }

  /** Takes a slot of the target's lane for a row about to be written in_flight; false when it must wait. */
  private reserve(url: string): boolean {
    const lane = this.lane(url);
    if (this.running && this.freeSlots(lane) > 0) {
      lane.reserved++;
      return true;
    }
    lane.backlog = true;
    return false;
  }

  private async drainWrites(): Promise<void> {
    while (this.writes.length || this.writing || this.writeScheduled) {
      if (this.writing) await this.writing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // ---------------------------------------------------------------- claiming

  private async fetchLoop(): Promise<void> {
    try {
      while (this.running && this.fetchRequested) {
        this.fetchRequested = false;
        // Yield once so wakes from the same tick coalesce into one claim.
        await new Promise((resolve) => setImmediate(resolve));
        await this.fetchOnce();
      }
    } catch (error) {
      this.logger.error({ err: error }, "could not claim webhook deliveries; retrying at the next poll");
    } finally {
      this.fetching = null;
      this.checkIdle();
    }
  }

  /**
   * Claims due rows for every target with room: at most its free slots each, so a full target (a
   * slow receiver, or a dead one's retries) is never read. Lanes left without room ask for the next
   * claim when they drain (attempt()).
   */
  private async fetchOnce(): Promise<void> {
    const claimed = await this.serial(async () => {
      const take = new Map<string, number>();
      for (const url of await findPendingUrls(this.db, this.workerId)) {
        const lane = this.lanes.get(url);
        // Only lanes at least half empty take part: refilling a nearly full lane a few rows at a time
        // would cost one claim per handful of deliveries.
        if (!lane) take.set(url, this.maxQueued);
        else if (this.isHungry(lane)) take.set(url, this.freeSlots(lane));
        else lane.backlog = true;
      }
      return claimDueDeliveries(this.db, { workerId: this.workerId, now: this.clock.now(), take });
    });
    if (!this.running) {
      await this.serial(() => releaseDeliveries(this.db, claimed.map((row) => row.id)));
      return;
    }
    const touched = new Set<Lane>();
    for (const row of claimed) {
      const lane = this.lane(row.url);
      lane.queue.push(this.toJob(row));
      touched.add(lane);
    }
    for (const lane of touched) {
      if (!this.isHungry(lane)) lane.backlog = true;
      this.pump(lane);
    }
  }

  private lane(url: string): Lane {
    let lane = this.lanes.get(url);
    if (!lane) {
      lane = { url, active: 0, queue: [], reserved: 0, backlog: false, failures: 0, openUntil: 0, timer: null };
      this.lanes.set(url, lane);
    }
    return lane;
  }

  private dropLane(lane: Lane): void {
    if (lane.timer) this.clock.clearTimeout(lane.timer);
    this.lanes.delete(lane.url);
  }

  private isHungry(lane: Lane): boolean {
    return this.freeSlots(lane) >= this.maxQueued / 2;
  }

  private freeSlots(lane: Lane): number {
    return this.maxQueued - lane.active - lane.queue.length - lane.reserved;
  }

  private toJob(row: TDueDeliveryRow): Job {
    const snapshot = parseSnapshot(row);
    const body = Buffer.from(row.envelope.body, "utf8");
    return {
      row,
      body,
      headers: this.buildHeaders(row.id, row.envelope.timestamp.getTime(), body, snapshot),
      settings: resolveRetrySettings(snapshot.retries),
    };
  }

  /** WAHA's headers (waha-contract.md 5.4). Custom headers may replace User-Agent, never the protocol headers. */
  private buildHeaders(requestId: string, timestamp: number, body: Buffer, snapshot: TWebhookSnapshot): Record<string, string> {
    const headers: Record<string, string> = { "User-Agent": this.userAgent };
    for (const { name, value } of snapshot.customHeaders ?? []) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower)) continue;
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
      headers[name] = value;
    }
    headers["Content-Type"] = "application/json";
    headers["X-Webhook-Request-Id"] = requestId;
    headers["X-Webhook-Timestamp"] = String(timestamp);
    const key = snapshot.hmac?.key;
    if (key) {
      headers["X-Webhook-Hmac"] = signBody(body, key);
      headers["X-Webhook-Hmac-Algorithm"] = HMAC_ALGORITHM;
    }
    return headers;
  }

  // ---------------------------------------------------------------- sending

  private pump(lane: Lane): void {
    if (!this.running) return;
    const wait = lane.openUntil - this.clock.now();
    if (wait > 0) {
      if (lane.queue.length > 0 && !lane.timer) {
        lane.timer = this.clock.setTimeout(() => {
          lane.timer = null;
          this.pump(lane);
        }, wait);
      }
      return;
    }
    // Half-open: one probe at a time until a request succeeds.
    const limit = lane.failures >= OPEN_AFTER_FAILURES ? 1 : this.concurrency;
    while (lane.active < limit && lane.queue.length > 0) {
      const job = lane.queue.shift()!;
      lane.active++;
      void this.attempt(lane, job);
    }
  }

  /**
   * A circuit breaker per target. After OPEN_AFTER_FAILURES attempts in a row ended in a retry
   * (refused, unreachable, timed out, 429, 5xx), the target is down: nothing more is sent to it until
   * the failed row's own retry delay (Retry-After included) has passed, then one probe at a time. Its
   * other deliveries wait in the lane, and then as pending rows, without spending an attempt, so a dead
   * receiver costs one request per retry delay instead of one per delivery (and never starves the
   * others), and no event dies of retries while its receiver is simply down. Any answer that is not
   * retried (2xx, or a 4xx that kills the row) closes the circuit.
   */
  private trackHealth(lane: Lane, record: TAttemptRecord): void {
    if (record.state === "pending") {
      lane.failures++;
      if (lane.failures >= OPEN_AFTER_FAILURES) lane.openUntil = Math.max(lane.openUntil, this.clock.now() + (record.retryDelayMs ?? 0));
    } else {
      lane.failures = 0;
      lane.openUntil = 0;
    }
  }

  private async attempt(lane: Lane, job: Job): Promise<void> {
    const startedAt = this.clock.now();
    let result: TSendResult;
    try {
      result = await this.sender!.send({ url: job.row.url, body: job.body, headers: job.headers, timeoutMs: this.requestTimeoutMs });
    } catch (error) {
      result = { statusCode: null, error: String(error), latencyMs: 0, responseExcerpt: null, retryAfter: undefined, location: undefined };
    }
    lane.active--;

    if (!this.running && result.error === STOP_ABORT_REASON) {
      this.stopAborted.add(job.row.id);
    } else {
      const record = this.toRecord(job, startedAt, result);
      this.trackHealth(lane, record);
      this.results.push(record);
      this.resultRows.set(job.row.id, job.row);
      this.scheduleResults();
    }

    this.pump(lane);
    if (this.running && lane.backlog && this.isHungry(lane)) {
      lane.backlog = false;
      this.wake();
    }
    // A failing target's lane stays, so its circuit survives the moments its queue is empty.
    if (lane.active === 0 && lane.queue.length === 0 && lane.reserved === 0 && !lane.backlog && lane.failures === 0) this.dropLane(lane);
    this.checkIdle();
  }

  private toRecord(job: Job, startedAt: number, result: TSendResult): TAttemptRecord {
    const number = job.row.attempts + 1;
    const step = decideNextStep({
      settings: job.settings,
      attempt: number,
      statusCode: result.statusCode,
      retryAfterMs: parseRetryAfter(result.retryAfter, this.clock.now()),
      random: this.random,
    });
    const failure = describeFailure(result);
    const lastError =
      step.outcome === "delivered"
        ? null
        : step.outcome === "dead" && classifyStatus(result.statusCode) === "retry"
          ? `${failure}; gave up after ${number} attempts`
          : step.outcome === "dead"
            ? `${failure}; not retried`
            : failure;
    const attempt: TWebhookAttempt = {
      id: newId("att", startedAt),
      cycle: job.row.cycle,
      number,
      startedAt,
      latencyMs: result.latencyMs,
      statusCode: result.statusCode,
      error: step.outcome === "delivered" ? null : failure,
      responseExcerpt: result.responseExcerpt,
      outcome: step.outcome,
    };
    return {
      deliveryId: job.row.id,
      attempt,
      state: step.outcome === "retry" ? "pending" : step.outcome,
      retryDelayMs: step.outcome === "retry" ? step.delayMs : null,
      lastError,
    };
  }

  private activeCount(): number {
    let active = 0;
    for (const lane of this.lanes.values()) active += lane.active;
    return active;
  }

  private async waitForRequests(timeoutMs: number): Promise<void> {
    if (this.activeCount() === 0) return;
    await new Promise<void>((resolve) => {
      let timer: ClockTimer | null = null;
      const done = () => {
        if (timer) this.clock.clearTimeout(timer);
        this.requestWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.activeCount() === 0) done();
      };
      if (timeoutMs !== Infinity) timer = this.clock.setTimeout(done, timeoutMs);
      this.requestWaiters.add(check);
    });
  }

  // ---------------------------------------------------------------- recording results

  private scheduleResults(): void {
    if (this.results.length >= RESULT_BATCH || this.resultFlushDelayMs <= 0 || !this.running) {
      if (this.resultTimer) {
        this.clock.clearTimeout(this.resultTimer);
        this.resultTimer = null;
      }
      if (this.resultsScheduled) return;
      this.resultsScheduled = true;
      setImmediate(() => void this.flushResults());
      return;
    }
    if (this.resultsScheduled || this.resultTimer) return;
    this.resultTimer = this.clock.setTimeout(() => {
      this.resultTimer = null;
      if (this.resultsScheduled) return;
      this.resultsScheduled = true;
      void this.flushResults();
    }, this.resultFlushDelayMs);
  }

  private async flushResults(): Promise<void> {
    this.resultsScheduled = false;
    if (this.flushing) {
      await this.flushing.catch(() => undefined);
      if (this.results.length && !this.resultsScheduled) this.scheduleResults();
      return;
    }
    const batch = this.results.splice(0);
    if (batch.length === 0) return;
    const run = (async () => {
      let recordedAt = 0;
      try {
        await this.serial(() => {
          recordedAt = this.clock.now();
          return recordAttempts(this.db, batch, recordedAt);
        });
      } catch (error) {
        this.logger.error({ err: error, results: batch.length }, "could not record webhook attempts; retrying in 1 s");
        this.results.unshift(...batch);
        if (!this.resultRetryTimer) {
          this.resultRetryTimer = this.clock.setTimeout(() => {
            this.resultRetryTimer = null;
            this.scheduleResults();
          }, 1_000);
        }
        return;
      }
      let earliestRetry = Infinity;
      for (const record of batch) {
        const row = this.resultRows.get(record.deliveryId);
        this.resultRows.delete(record.deliveryId);
        const nextAttemptAt = record.retryDelayMs !== null ? recordedAt + record.retryDelayMs : null;
        if (nextAttemptAt !== null) earliestRetry = Math.min(earliestRetry, nextAttemptAt);
        if (!row || this.listeners.size === 0) continue;
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
        this.emit({ delivery: toDeliveryDto(updated), attempt: record.attempt });
      }
      if (earliestRetry !== Infinity) this.armDueTimer(earliestRetry);
    })();
    this.flushing = run;
    await run;
    this.flushing = null;
    if (this.results.length) this.scheduleResults();
    this.checkIdle();
  }

  private async drainResults(): Promise<void> {
    if (this.resultRetryTimer) {
      this.clock.clearTimeout(this.resultRetryTimer);
      this.resultRetryTimer = null;
    }
    if (this.resultTimer) {
      this.clock.clearTimeout(this.resultTimer);
      this.resultTimer = null;
    }
    for (let round = 0; this.results.length || this.flushing || this.resultsScheduled; round++) {
      if (this.flushing) await this.flushing;
      else if (this.results.length) {
        const before = this.results.length;
        await this.flushResults();
        // A failing database: give up after a few rounds; the rows stay in_flight and are recovered at boot.
        if (this.results.length >= before && round > 3) {
          this.logger.error({ results: this.results.length }, "dropping unrecorded webhook results at shutdown");
          this.results = [];
        }
      } else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // ---------------------------------------------------------------- timers

  private armDueTimer(at: number): void {
    if (!this.running || at >= this.dueAt) return;
    if (this.dueTimer) this.clock.clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = this.clock.setTimeout(() => {
      this.dueTimer = null;
      this.dueAt = Infinity;
      this.wake();
      void this.refreshDueTimer();
    }, Math.max(0, at - this.clock.now()));
  }

  private async refreshDueTimer(): Promise<void> {
    try {
      const next = await this.serial(() => findNextDueAt(this.db, this.workerId, this.clock.now()));
      if (next !== null) this.armDueTimer(next);
    } catch (error) {
      this.logger.warn({ err: error }, "could not read the next webhook retry time");
    }
  }

  private schedulePoll(): void {
    if (!this.running || this.pollIntervalMs <= 0) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = null;
      this.wake();
      this.schedulePoll();
    }, this.pollIntervalMs);
  }

  private schedulePrune(): void {
    if (!this.running || this.pruneIntervalMs <= 0) return;
    this.pruneTimer = this.clock.setTimeout(() => {
      this.pruneTimer = null;
      this.prune()
        .catch((error) => this.logger.warn({ err: error }, "could not prune webhook deliveries"))
        .finally(() => this.schedulePrune());
    }, this.pruneIntervalMs);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs database work one call at a time. The better-sqlite3 adapter shares one connection, and a
   * query issued while another call's transaction is open would run inside that transaction.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.dbChain.then(work, work);
    this.dbChain = run.catch(() => undefined);
    return run;
  }

  private emit(update: TDeliveryUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.logger.warn({ err: error }, "webhook delivery listener failed");
      }
    }
  }

  private isIdle(): boolean {
    if (this.writes.length || this.writing || this.writeScheduled) return false;
    if (this.results.length || this.flushing || this.resultsScheduled || this.resultTimer) return false;
    if (this.fetching) return false;
    for (const lane of this.lanes.values()) if (lane.active || lane.queue.length) return false;
    return true;
  }

  private checkIdle(): void {
    for (const waiter of [...this.requestWaiters]) waiter();
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** What went wrong, for the attempt log; null for a 2xx. */
function describeFailure(result: TSendResult): string {
  if (result.statusCode === null) return result.error ?? "no response";
  if (result.statusCode >= 300 && result.statusCode < 400) {
    return `HTTP ${result.statusCode}: redirect${result.location ? ` to ${result.location}` : ""} not followed`;
  }
  return `HTTP ${result.statusCode}`;
}
