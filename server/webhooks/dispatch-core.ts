import type { SerialQueue } from "@/lib/serial-queue";
import type { TDeliveryUpdate } from "@/lib/webhook-delivery";
import type { Db } from "@/server/db";
import type { Clock } from "@/server/engines/clock";

/** The subset of a pino logger the dispatcher uses. */
export interface TWebhookLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: TWebhookLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** What the parts of the dispatcher share; WebhookDispatcher builds it once and hands it to each. */
export interface TDispatchCore {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: TWebhookLogger;
  /** WAHA_WORKER_ID ("" when unset): the rows this dispatcher owns. */
  readonly workerId: string;
  /**
   * Every database call of the dispatcher, one at a time. The better-sqlite3 adapter shares one
   * connection, and a query issued while another call's transaction is open would run inside it.
   */
  readonly dbQueue: SerialQueue;
  /** Between start() and stop(). */
  isRunning(): boolean;
  /** Look for due rows now (cheap and coalesced). */
  wake(): void;
  /** Tell the delivery listeners. */
  emit(update: TDeliveryUpdate): void;
  /** Some work settled: resolves whenIdle() callers if nothing is left. */
  checkIdle(): void;
}
