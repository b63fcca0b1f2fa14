import { describe, expect, it } from "vitest";
import {
  MAX_RETRY_AFTER_MS,
  classifyStatus,
  decideNextStep,
  parseRetryAfter,
  resolveRetrySettings,
  retryDelayMs,
  type TRetrySettings,
} from "./retry-policy";

const fixedRandom = (value: number) => () => value;
const delays = (settings: TRetrySettings, retryAfterMs = 0, random = fixedRandom(0)) =>
  [1, 2, 3, 4].map((n) => retryDelayMs(settings, n, retryAfterMs, random));

describe("resolveRetrySettings", () => {
  it("defaults to WAHA's 15 retries, 2 s, constant", () => {
    expect(resolveRetrySettings(undefined)).toEqual({ policy: "constant", delayMs: 2000, retries: 15 });
    expect(resolveRetrySettings({ policy: null, delaySeconds: null, attempts: null })).toEqual({
      policy: "constant",
      delayMs: 2000,
      retries: 15,
    });
  });

  it("takes what is set", () => {
    expect(resolveRetrySettings({ policy: "linear", delaySeconds: 0.5, attempts: 3 })).toEqual({
      policy: "linear",
      delayMs: 500,
      retries: 3,
    });
  });
});

describe("retryDelayMs", () => {
  it("constant: d every time", () => {
    expect(delays({ policy: "constant", delayMs: 2000, retries: 15 })).toEqual([2000, 2000, 2000, 2000]);
  });

  it("linear: n*d -> 2, 4, 6, 8 s", () => {
    expect(delays({ policy: "linear", delayMs: 2000, retries: 15 })).toEqual([2000, 4000, 6000, 8000]);
  });

  it("exponential: 2^n*d -> 4, 8, 16, 32 s without jitter", () => {
    expect(delays({ policy: "exponential", delayMs: 2000, retries: 15 })).toEqual([4000, 8000, 16000, 32000]);
  });

  it("exponential: jitter adds random*20% of the delay", () => {
    const settings: TRetrySettings = { policy: "exponential", delayMs: 2000, retries: 15 };
    expect(delays(settings, 0, fixedRandom(0.5))).toEqual([4400, 8800, 17600, 35200]);
    const nearlyOne = delays(settings, 0, fixedRandom(0.999999));
    expect(nearlyOne[0]).toBe(4800);
    expect(nearlyOne[3]).toBeLessThanOrEqual(32000 * 1.2);
  });

  it("Retry-After is a lower bound for every policy", () => {
    expect(delays({ policy: "constant", delayMs: 2000, retries: 15 }, 5000)).toEqual([5000, 5000, 5000, 5000]);
    expect(delays({ policy: "linear", delayMs: 2000, retries: 15 }, 5000)).toEqual([5000, 5000, 6000, 8000]);
    // exponential: D = max(2^n*d, RA), then jitter on D.
    expect(delays({ policy: "exponential", delayMs: 2000, retries: 15 }, 10000, fixedRandom(0.5))).toEqual([11000, 11000, 17600, 35200]);
  });

  it("delaySeconds 0 waits only for Retry-After", () => {
    expect(delays({ policy: "constant", delayMs: 0, retries: 15 })).toEqual([0, 0, 0, 0]);
    expect(delays({ policy: "exponential", delayMs: 0, retries: 15 }, 3000)).toEqual([3000, 3000, 3000, 3000]);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-24T10:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter(["7", "9"], now)).toBe(7000);
  });

  it("reads an HTTP date relative to now", () => {
    expect(parseRetryAfter("Tue, 24 Nov 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 24 Nov 2026 09:59:00 GMT", now)).toBe(0);
  });

  it("treats absent or malformed values as 0", () => {
    expect(parseRetryAfter(undefined, now)).toBe(0);
    expect(parseRetryAfter("", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBe(0);
    expect(parseRetryAfter("-5", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(0);
  });

  it("is capped at a day", () => {
    expect(parseRetryAfter("999999999", now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe("classifyStatus", () => {
  it.each([
    [null, "retry"],
    [200, "delivered"],
    [201, "delivered"],
    [204, "delivered"],
    [299, "delivered"],
    [301, "dead"],
    [302, "dead"],
    [307, "dead"],
    [400, "dead"],
    [401, "dead"],
    [403, "dead"],
    [404, "dead"],
    [410, "dead"],
    [413, "dead"],
    [422, "dead"],
    [408, "retry"],
    [409, "retry"],
    [425, "retry"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
  ] as const)("status %s -> %s", (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe("decideNextStep", () => {
  const settings: TRetrySettings = { policy: "linear", delayMs: 1000, retries: 2 };
  const decide = (attempt: number, statusCode: number | null, retryAfterMs = 0) =>
    decideNextStep({ settings, attempt, statusCode, retryAfterMs, random: fixedRandom(0) });

  it("retries until `retries` retries were made, then gives up (attempts + 1 requests at most)", () => {
    expect(decide(1, 503)).toEqual({ outcome: "retry", delayMs: 1000 });
    expect(decide(2, null)).toEqual({ outcome: "retry", delayMs: 2000 });
    expect(decide(3, 503)).toEqual({ outcome: "dead" });
  });

  it("is delivered or dead at once when retrying cannot help", () => {
    expect(decide(1, 200)).toEqual({ outcome: "delivered" });
    expect(decide(1, 404)).toEqual({ outcome: "dead" });
  });

  it("honours Retry-After on 429", () => {
    expect(decide(1, 429, 30_000)).toEqual({ outcome: "retry", delayMs: 30_000 });
  });

  it("attempts 0 means a single request", () => {
    const once = decideNextStep({
      settings: { ...settings, retries: 0 },
      attempt: 1,
      statusCode: 500,
      retryAfterMs: 0,
      random: Math.random,
    });
    expect(once).toEqual({ outcome: "dead" });
  });
});
