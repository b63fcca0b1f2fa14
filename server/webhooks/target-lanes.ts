import type { ClockTimer } from "@/server/engines/clock";
import { toAttemptRecord } from "./attempt-result";
import { CLOSED_CIRCUIT, inFlightLimit, isClosed, msUntilSend, recordAttempt, type TCircuit } from "./circuit-breaker";
import type { TDispatchCore } from "./dispatch-core";
import { HttpSender, type TSendResult } from "./http-sender";
import type { TAttemptRecord, TDeliveryRow, TDueDeliveryRow } from "./outbox";
import { buildWebhookRequest, type TWebhookRequest } from "./webhook-request";

/** The error of a request aborted by stop(): its row goes back to pending without an attempt. */
const STOP_ABORT_REASON = "aborted: dispatcher stopping";

interface Job {
  row: TDeliveryRow;
  request: TWebhookRequest;
}

interface Lane {
  url: string;
  active: number;
  queue: Job[];
  /** Slots promised to rows being written `in_flight` right now (they join `queue` after the commit). */
  reserved: number;
  /** Due rows of this target may be waiting in the database (it was full when the last claim ran). */
  backlog: boolean;
  circuit: TCircuit;
  /** Pumps the lane again when the circuit half-opens. */
  timer: ClockTimer | null;
}

export interface TargetLanesOptions {
  core: TDispatchCore;
  /** `User-Agent: Switchboard/<version>`. */
  userAgent: string;
  /** Requests in flight per target URL. */
  concurrency: number;
  /** Claimed rows held in memory per target, requests in flight included. */
  maxQueued: number;
  requestTimeoutMs: number;
  rejectUnauthorized: boolean;
  /** [0, 1) source for exponential jitter. */
  random: () => number;
  /** An attempt ended with a result to store. */
  onResult(record: TAttemptRecord, row: TDeliveryRow): void;
}

/**
 * One lane per target URL: a queue of claimed rows, at most `concurrency` requests in flight, and the
 * target's circuit breaker. A target with no free slot is left out of the next claim, so a slow or
 * dead receiver never holds back the others; a lane that drains below half asks for a claim.
 * Sending happens here too: the HttpSender exists between open() and close().
 */
export class TargetLanes {
  private readonly lanes = new Map<string, Lane>();
  private sender: HttpSender | null = null;
  /** Rows whose request stop() aborted: they go back to pending, no attempt counted. */
  private readonly aborted = new Set<string>();
  /** Called whenever a request finishes (whenRequestsDone). */
  private readonly requestWaiters = new Set<() => void>();

  constructor(private readonly options: TargetLanesOptions) {}

  open(): void {
    this.sender = new HttpSender({ clock: this.options.core.clock, rejectUnauthorized: this.options.rejectUnauthorized });
  }

  /** Closes the sender's sockets and forgets every lane (stop(), once nothing is in flight). */
  close(): void {
    this.sender?.close();
    this.sender = null;
    this.lanes.clear();
  }

  /** Takes a slot of the target's lane for a row about to be written in_flight; false when it must wait. */
  reserve(url: string): boolean {
    const lane = this.lane(url);
    if (this.options.core.isRunning() && this.freeSlots(lane) > 0) {
      lane.reserved++;
      return true;
    }
    lane.backlog = true;
    return false;
  }

  /** The row a slot was reserved for is written (or its write failed): the slot is free again. */
  releaseReservation(url: string): void {
    this.lane(url).reserved--;
  }

  /**
   * Rows to send: written in_flight straight from the outbox, or claimed. `asked`: the claim's sizes
   * (claimSizes); a target that got all it asked for may have more due rows waiting, so its lane asks
   * for the next claim once it has room, at once if it has already (its requests may have finished
   * while the claim ran).
   */
  admit(rows: TDueDeliveryRow[], options: { asked?: Map<string, number> } = {}): void {
    const touched = new Set<Lane>();
    const got = new Map<string, number>();
    for (const row of rows) {
      const lane = this.lane(row.url);
      lane.queue.push({ row, request: buildWebhookRequest(row, this.options.userAgent) });
      touched.add(lane);
      got.set(row.url, (got.get(row.url) ?? 0) + 1);
    }
    for (const lane of touched) this.pump(lane);
    let more = false;
    for (const [url, take] of options.asked ?? []) {
      const lane = this.lanes.get(url);
      if (!lane || (got.get(url) ?? 0) < take) continue;
      if (this.isHungry(lane)) more = true;
      else lane.backlog = true;
    }
    if (more) this.options.core.wake();
  }

  /**
   * Rows to claim per target with pending rows: at most its free slots each. Only lanes at least half
   * empty take part: refilling a nearly full lane a few rows at a time would cost one claim per
   * handful of deliveries. The others are marked to ask when they drain.
   */
  claimSizes(urls: string[]): Map<string, number> {
    const take = new Map<string, number>();
    for (const url of urls) {
      const lane = this.lanes.get(url);
      if (!lane) take.set(url, this.options.maxQueued);
      else if (this.isHungry(lane)) take.set(url, this.freeSlots(lane));
      else lane.backlog = true;
    }
    return take;
  }

  /** stop(): the queued rows that were never sent (their ids), and no lane pumps again. */
  takeUnsent(): string[] {
    const unsent = [...this.lanes.values()].flatMap((lane) => lane.queue.splice(0).map((job) => job.row.id));
    for (const lane of this.lanes.values()) if (lane.timer) this.options.core.clock.clearTimeout(lane.timer);
    return unsent;
  }

  /** stop(): aborts the requests still in flight; their rows are collected by takeAborted(). */
  abortInFlight(): void {
    for (const lane of this.lanes.values()) {
      if (lane.active > 0) this.options.core.logger.warn({ url: lane.url, inFlight: lane.active }, "aborting webhook requests at shutdown");
    }
    this.sender?.abortAll(STOP_ABORT_REASON);
  }

  takeAborted(): string[] {
    const ids = [...this.aborted];
    this.aborted.clear();
    return ids;
  }

  activeCount(): number {
    let active = 0;
    for (const lane of this.lanes.values()) active += lane.active;
    return active;
  }

  /** Resolves once no request is in flight. */
  whenRequestsDone(): Promise<void> {
    if (this.activeCount() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.activeCount() > 0) return;
        this.requestWaiters.delete(check);
        resolve();
      };
      this.requestWaiters.add(check);
    });
  }

  /** Each target with a lane: its circuit (metrics), requests in flight and queued here. */
  circuits(now: number): { url: string; failures: number; open: boolean; active: number; queued: number }[] {
    return [...this.lanes.values()].map((lane) => ({
      url: lane.url,
      failures: lane.circuit.failures,
      open: msUntilSend(lane.circuit, now) > 0,
      active: lane.active,
      queued: lane.queue.length,
    }));
  }

  /** Nothing queued or in flight. */
  get isIdle(): boolean {
    for (const lane of this.lanes.values()) if (lane.active || lane.queue.length) return false;
    return true;
  }

  private lane(url: string): Lane {
    let lane = this.lanes.get(url);
    if (!lane) {
      lane = { url, active: 0, queue: [], reserved: 0, backlog: false, circuit: CLOSED_CIRCUIT, timer: null };
      this.lanes.set(url, lane);
    }
    return lane;
  }

  private dropLane(lane: Lane): void {
    if (lane.timer) this.options.core.clock.clearTimeout(lane.timer);
    this.lanes.delete(lane.url);
  }

  private isHungry(lane: Lane): boolean {
    return this.freeSlots(lane) >= this.options.maxQueued / 2;
  }

  private freeSlots(lane: Lane): number {
    return this.options.maxQueued - lane.active - lane.queue.length - lane.reserved;
  }

  private pump(lane: Lane): void {
    const { core } = this.options;
    if (!core.isRunning()) return;
    const wait = msUntilSend(lane.circuit, core.clock.now());
    if (wait > 0) {
      if (lane.queue.length > 0 && !lane.timer) {
        lane.timer = core.clock.setTimeout(() => {
          lane.timer = null;
          this.pump(lane);
        }, wait);
      }
      return;
    }
    const limit = inFlightLimit(lane.circuit, this.options.concurrency);
    while (lane.active < limit && lane.queue.length > 0) {
      const job = lane.queue.shift()!;
      lane.active++;
      void this.attempt(lane, job);
    }
  }

  private async attempt(lane: Lane, job: Job): Promise<void> {
    const { core } = this.options;
    const startedAt = core.clock.now();
    let result: TSendResult;
    try {
      result = await this.sender!.send({
        url: job.row.url,
        body: job.request.body,
        headers: job.request.headers,
        timeoutMs: this.options.requestTimeoutMs,
      });
    } catch (error) {
      result = { statusCode: null, error: String(error), latencyMs: 0, responseExcerpt: null, retryAfter: undefined, location: undefined };
    }
    lane.active--;

    if (!core.isRunning() && result.error === STOP_ABORT_REASON) {
      this.aborted.add(job.row.id);
    } else {
      const now = core.clock.now();
      const record = toAttemptRecord({ row: job.row, settings: job.request.settings, startedAt, result, now, random: this.options.random });
      lane.circuit = recordAttempt(lane.circuit, { retried: record.state === "pending", retryDelayMs: record.retryDelayMs }, now);
      this.options.onResult(record, job.row);
    }

    this.pump(lane);
    if (core.isRunning() && lane.backlog && this.isHungry(lane)) {
      lane.backlog = false;
      core.wake();
    }
    // A failing target's lane stays, so its circuit survives the moments its queue is empty.
    if (lane.active === 0 && lane.queue.length === 0 && lane.reserved === 0 && !lane.backlog && isClosed(lane.circuit)) this.dropLane(lane);
    for (const waiter of [...this.requestWaiters]) waiter();
    core.checkIdle();
  }
}
