/**
 * The circuit breaker of one target URL, as pure functions of its state and the time.
 *
 * After OPEN_AFTER_FAILURES attempts in a row ended in a retry (refused, unreachable, timed out, 429,
 * 5xx), the target counts as down: nothing more is sent to it until the failed row's own retry delay
 * (Retry-After included) has passed, then one probe at a time. Its other deliveries wait in its lane,
 * and then as pending rows, without spending an attempt, so a dead receiver costs one request per
 * retry delay instead of one per delivery (and never starves the others), and no event dies of
 * retries while its receiver is simply down. Any answer that is not retried (2xx, or a 4xx that ends
 * the delivery) closes the circuit. docs/webhooks.md, "When a receiver is down", is the user's view.
 */

/** Attempts in a row that ended in a retry before the target counts as down. */
export const OPEN_AFTER_FAILURES = 3;

export interface TCircuit {
  /** Attempts in a row that ended in a retry. */
  readonly failures: number;
  /** While the target counts as down, nothing is sent before this time (ms); 0 otherwise. */
  readonly openUntil: number;
}

export const CLOSED_CIRCUIT: TCircuit = Object.freeze({ failures: 0, openUntil: 0 });

/** The circuit after an attempt: `retried` when the delivery will be tried again after `retryDelayMs`. */
export function recordAttempt(circuit: TCircuit, attempt: { retried: boolean; retryDelayMs: number | null }, now: number): TCircuit {
  if (!attempt.retried) return CLOSED_CIRCUIT;
  const failures = circuit.failures + 1;
  if (failures < OPEN_AFTER_FAILURES) return { failures, openUntil: circuit.openUntil };
  return { failures, openUntil: Math.max(circuit.openUntil, now + (attempt.retryDelayMs ?? 0)) };
}

/** Milliseconds before anything may be sent to the target; 0 when it may be sent now. */
export function msUntilSend(circuit: TCircuit, now: number): number {
  return Math.max(0, circuit.openUntil - now);
}

/** Requests the target may have in flight: one probe at a time while it counts as down (half-open). */
export function inFlightLimit(circuit: TCircuit, concurrency: number): number {
  return circuit.failures >= OPEN_AFTER_FAILURES ? 1 : concurrency;
}

/** No failure since the last answer that was not retried. */
export function isClosed(circuit: TCircuit): boolean {
  return circuit.failures === 0;
}
