import { describe, expect, it } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { describeFailure, toAttemptRecord } from "./attempt-result";
import type { TSendResult } from "./http-sender";
import { resolveRetrySettings } from "./retry-policy";

const settings = resolveRetrySettings({ policy: "constant", delaySeconds: 2, attempts: 3 });
const row = { id: "dlv_01", attempts: 0, cycle: 2 };

function response(statusCode: number | null, extra: Partial<TSendResult> = {}): TSendResult {
  return { statusCode, error: null, latencyMs: 12, responseExcerpt: "body", retryAfter: undefined, location: undefined, ...extra };
}

async function judge(result: TSendResult, attempts = 0) {
  const clock = new FakeClock();
  const startedAt = clock.now();
  await clock.advance(12);
  return toAttemptRecord({ row: { ...row, attempts }, settings, startedAt, result, now: clock.now(), random: () => 0 });
}

describe("toAttemptRecord", () => {
  it("a 2xx delivers: no error, the attempt logged with its cycle and number", async () => {
    const record = await judge(response(204));
    expect(record).toMatchObject({ deliveryId: "dlv_01", state: "delivered", retryDelayMs: null, lastError: null });
    expect(record.attempt).toMatchObject({
      cycle: 2,
      number: 1,
      startedAt: 0,
      latencyMs: 12,
      statusCode: 204,
      error: null,
      outcome: "delivered",
    });
    expect(record.attempt.id).toMatch(/^att_[0-9a-z]{26}$/);
  });

  it("a 5xx with retries left waits for the policy's delay, or longer for Retry-After", async () => {
    expect(await judge(response(503))).toMatchObject({ state: "pending", retryDelayMs: 2_000, lastError: "HTTP 503" });
    const clock = new FakeClock();
    await clock.advance(1_000);
    const retryAt = new Date(clock.now() + 30_000).toUTCString();
    const record = toAttemptRecord({
      row,
      settings,
      startedAt: 0,
      result: response(429, { retryAfter: retryAt }),
      now: clock.now(),
      random: () => 0,
    });
    // An HTTP date counts from the clock's now (whole seconds).
    expect(record.retryDelayMs).toBeGreaterThan(28_000);
    expect(record.retryDelayMs).toBeLessThanOrEqual(30_000);
  });

  it("gives up after the last retry, saying so", async () => {
    expect(await judge(response(500), 3)).toMatchObject({
      state: "dead",
      retryDelayMs: null,
      lastError: "HTTP 500; gave up after 4 attempts",
    });
  });

  it("a 4xx or a redirect ends the delivery at once", async () => {
    expect(await judge(response(404))).toMatchObject({ state: "dead", lastError: "HTTP 404; not retried" });
    const redirect = await judge(response(302, { location: "http://elsewhere.test/" }));
    expect(redirect.lastError).toBe("HTTP 302: redirect to http://elsewhere.test/ not followed; not retried");
  });

  it("a network error or timeout is retried with the error logged", async () => {
    const record = await judge(response(null, { error: "timeout after 150 ms", responseExcerpt: null }));
    expect(record).toMatchObject({ state: "pending", lastError: "timeout after 150 ms" });
    expect(record.attempt).toMatchObject({ statusCode: null, error: "timeout after 150 ms", outcome: "retry" });
  });
});

describe("describeFailure", () => {
  it("names the status, a redirect's target, or the network error", () => {
    expect(describeFailure({ statusCode: 500, error: null, location: undefined })).toBe("HTTP 500");
    expect(describeFailure({ statusCode: 301, error: null, location: undefined })).toBe("HTTP 301: redirect not followed");
    expect(describeFailure({ statusCode: null, error: "ECONNREFUSED: connect", location: undefined })).toBe("ECONNREFUSED: connect");
    expect(describeFailure({ statusCode: null, error: null, location: undefined })).toBe("no response");
  });
});
