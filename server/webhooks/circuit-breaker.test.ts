import { describe, expect, it } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { CLOSED_CIRCUIT, OPEN_AFTER_FAILURES, inFlightLimit, isClosed, msUntilSend, recordAttempt, type TCircuit } from "./circuit-breaker";

const CONCURRENCY = 8;
const retried = (retryDelayMs: number | null) => ({ retried: true, retryDelayMs });
const answered = { retried: false, retryDelayMs: null };

/** Feeds attempts one after another at the clock's time. */
function fail(circuit: TCircuit, clock: FakeClock, times: number, retryDelayMs: number): TCircuit {
  let next = circuit;
  for (let i = 0; i < times; i++) next = recordAttempt(next, retried(retryDelayMs), clock.now());
  return next;
}

describe("circuit breaker", () => {
  it("a closed circuit sends at full concurrency, now", () => {
    const clock = new FakeClock();
    expect(isClosed(CLOSED_CIRCUIT)).toBe(true);
    expect(msUntilSend(CLOSED_CIRCUIT, clock.now())).toBe(0);
    expect(inFlightLimit(CLOSED_CIRCUIT, CONCURRENCY)).toBe(CONCURRENCY);
  });

  it("stays usable below OPEN_AFTER_FAILURES failures in a row", () => {
    const clock = new FakeClock();
    const circuit = fail(CLOSED_CIRCUIT, clock, OPEN_AFTER_FAILURES - 1, 2_000);
    expect(circuit.failures).toBe(OPEN_AFTER_FAILURES - 1);
    expect(isClosed(circuit)).toBe(false);
    expect(msUntilSend(circuit, clock.now())).toBe(0);
    expect(inFlightLimit(circuit, CONCURRENCY)).toBe(CONCURRENCY);
  });

  it("opens for the failed row's retry delay, then lets one probe through at a time", async () => {
    const clock = new FakeClock();
    await clock.advance(10_000);
    const circuit = fail(CLOSED_CIRCUIT, clock, OPEN_AFTER_FAILURES, 2_000);
    expect(circuit).toEqual({ failures: OPEN_AFTER_FAILURES, openUntil: 12_000 });
    expect(msUntilSend(circuit, clock.now())).toBe(2_000);
    await clock.advance(1_500);
    expect(msUntilSend(circuit, clock.now())).toBe(500);
    await clock.advance(500);
    expect(msUntilSend(circuit, clock.now())).toBe(0);
    expect(inFlightLimit(circuit, CONCURRENCY)).toBe(1);
  });

  it("a failed probe opens it again from its own delay; a shorter delay never shortens the wait", async () => {
    const clock = new FakeClock();
    let circuit = fail(CLOSED_CIRCUIT, clock, OPEN_AFTER_FAILURES, 1_000);
    await clock.advance(1_000);
    circuit = recordAttempt(circuit, retried(4_000), clock.now());
    expect(circuit).toEqual({ failures: OPEN_AFTER_FAILURES + 1, openUntil: 5_000 });
    circuit = recordAttempt(circuit, retried(100), clock.now());
    expect(circuit.openUntil).toBe(5_000);
    // A retry without a delay (delaySeconds 0, no Retry-After) opens it until now: probing goes on at once.
    expect(recordAttempt(fail(CLOSED_CIRCUIT, clock, OPEN_AFTER_FAILURES - 1, 0), retried(null), clock.now()).openUntil).toBe(clock.now());
  });

  it("any answer that is not retried closes it at once", async () => {
    const clock = new FakeClock();
    const open = fail(CLOSED_CIRCUIT, clock, OPEN_AFTER_FAILURES + 2, 60_000);
    const closed = recordAttempt(open, answered, clock.now());
    expect(closed).toBe(CLOSED_CIRCUIT);
    expect(isClosed(closed)).toBe(true);
    expect(msUntilSend(closed, clock.now())).toBe(0);
    expect(inFlightLimit(closed, CONCURRENCY)).toBe(CONCURRENCY);
  });

  it("is pure: the state it was given never changes", () => {
    const clock = new FakeClock();
    const before: TCircuit = Object.freeze({ failures: OPEN_AFTER_FAILURES - 1, openUntil: 0 });
    const after = recordAttempt(before, retried(1_000), clock.now());
    expect(before).toEqual({ failures: OPEN_AFTER_FAILURES - 1, openUntil: 0 });
    expect(after).not.toBe(before);
    expect(recordAttempt(before, retried(1_000), clock.now())).toEqual(after);
  });
});
