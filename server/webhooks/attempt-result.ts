import type { TWebhookAttempt } from "@/lib/webhook-delivery";
import type { TSendResult } from "./http-sender";
import { newId, type TAttemptRecord, type TDeliveryRow } from "./outbox";
import { classifyStatus, decideNextStep, parseRetryAfter, type TRetrySettings } from "./retry-policy";

/**
 * What one HTTP attempt means for its delivery, as a pure function of the row, the response and the
 * time: the attempt log entry, the delivery's next state, the retry delay and the error to show.
 */
export function toAttemptRecord(input: {
  row: Pick<TDeliveryRow, "id" | "attempts" | "cycle">;
  settings: TRetrySettings;
  startedAt: number;
  result: TSendResult;
  now: number;
  /** [0, 1) source for exponential jitter. */
  random: () => number;
}): TAttemptRecord {
  const { row, result, startedAt } = input;
  const number = row.attempts + 1;
  const step = decideNextStep({
    settings: input.settings,
    attempt: number,
    statusCode: result.statusCode,
    retryAfterMs: parseRetryAfter(result.retryAfter, input.now),
    random: input.random,
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
    cycle: row.cycle,
    number,
    startedAt,
    latencyMs: result.latencyMs,
    statusCode: result.statusCode,
    error: step.outcome === "delivered" ? null : failure,
    responseExcerpt: result.responseExcerpt,
    outcome: step.outcome,
  };
  return {
    deliveryId: row.id,
    attempt,
    state: step.outcome === "retry" ? "pending" : step.outcome,
    retryDelayMs: step.outcome === "retry" ? step.delayMs : null,
    lastError,
  };
}

/** What went wrong, for the attempt log. */
export function describeFailure(result: Pick<TSendResult, "statusCode" | "error" | "location">): string {
  if (result.statusCode === null) return result.error ?? "no response";
  if (result.statusCode >= 300 && result.statusCode < 400) {
    return `HTTP ${result.statusCode}: redirect${result.location ? ` to ${result.location}` : ""} not followed`;
  }
  return `HTTP ${result.statusCode}`;
}
