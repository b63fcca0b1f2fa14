import { describe, expect, it } from "vitest";
import { clientAddress, LoginRateLimiter } from "./login-rate-limit";

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
    limiter.reset("a");
    limiter.recordFailure("a");
    expect(limiter.check("a").allowed).toBe(true);
  });

  it("has a global ceiling against rotating addresses", () => {
    const limiter = new LoginRateLimiter({ globalMaxFailures: 3, now: () => 0 });
    ["a", "b", "c"].forEach((address) => limiter.recordFailure(address));
    expect(limiter.check("d").allowed).toBe(false);
  });

  it("reads the client address the custom server resolved into X-Forwarded-For", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "10.0.0.7" }))).toBe("10.0.0.7");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
