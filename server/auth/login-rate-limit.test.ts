import { describe, expect, it } from "vitest";
import { clientAddress, LoginRateLimiter } from "./login-rate-limit";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A limiter on a clock the test moves, with the global ceiling already tripped by rotating addresses. */
function underAttack(options: { maxKnownAddresses?: number } = {}) {
  const clock = { now: 1_000_000 };
  const limiter = new LoginRateLimiter({ globalMaxFailures: 3, now: () => clock.now, ...options });
  const trip = () => ["6.6.6.1", "6.6.6.2", "6.6.6.3"].forEach((address) => limiter.recordFailure(address));
  return { clock, limiter, trip };
}

describe("LoginRateLimiter", () => {
  it("refuses an address after 5 failures in a minute, until the oldest leaves the window", () => {
    let now = 1_000_000;
    const limiter = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 5; i++) {
      expect(limiter.check("1.2.3.4")).toEqual({ allowed: true });
      limiter.recordFailure("1.2.3.4");
      now += 1000;
    }
    expect(limiter.check("1.2.3.4")).toEqual({ allowed: false, retryAfterMs: 55_000 });
    expect(limiter.check("5.6.7.8")).toEqual({ allowed: true });
    now += 55_000;
    expect(limiter.check("1.2.3.4")).toEqual({ allowed: true });
  });

  it("forgets an address's failures after a successful login", () => {
    const limiter = new LoginRateLimiter({ maxFailures: 2 });
    limiter.recordFailure("a");
    limiter.recordSuccess("a");
    limiter.recordFailure("a");
    expect(limiter.check("a").allowed).toBe(true);
  });

  it("has a global ceiling against rotating addresses, lifted a minute after the oldest failure", () => {
    const { clock, limiter, trip } = underAttack();
    trip();
    expect(limiter.check("d")).toEqual({ allowed: false, retryAfterMs: 60_000 });
    clock.now += 60_000;
    expect(limiter.check("d")).toEqual({ allowed: true });
  });

  it("lets an address that logged in before past the global ceiling, for 30 days", () => {
    const { clock, limiter, trip } = underAttack();
    limiter.recordSuccess("192.0.2.10");
    clock.now += 29 * DAY_MS;
    trip();
    expect(limiter.check("192.0.2.10")).toEqual({ allowed: true });
    expect(limiter.check("192.0.2.11").allowed).toBe(false);
    clock.now += DAY_MS;
    trip();
    expect(limiter.check("192.0.2.10").allowed).toBe(false);
  });

  it("lets a known browser past the global ceiling, from any address", () => {
    const { limiter, trip } = underAttack();
    trip();
    expect(limiter.check("198.51.100.1", { knownBrowser: true })).toEqual({ allowed: true });
    expect(limiter.check("198.51.100.1", { knownBrowser: false }).allowed).toBe(false);
  });

  it("still applies the per-address limit to a known browser and a known address", () => {
    const { limiter } = underAttack();
    limiter.recordSuccess("192.0.2.10");
    for (let i = 0; i < 5; i++) limiter.recordFailure("192.0.2.10");
    expect(limiter.check("192.0.2.10", { knownBrowser: true }).allowed).toBe(false);
  });

  it("remembers a bounded number of addresses, forgetting the least recent login first", () => {
    const { limiter, trip } = underAttack({ maxKnownAddresses: 2 });
    limiter.recordSuccess("a");
    limiter.recordSuccess("b");
    limiter.recordSuccess("a"); // a logged in again: b is now the least recent
    limiter.recordSuccess("c");
    trip();
    expect(["a", "b", "c"].map((address) => limiter.check(address).allowed)).toEqual([true, false, true]);
  });

  it("reads the client address the custom server resolved into X-Forwarded-For", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "10.0.0.7" }))).toBe("10.0.0.7");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
