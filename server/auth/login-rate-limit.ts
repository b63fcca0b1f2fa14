import { remember } from "../remember";

/**
 * Failed-login throttle, per client address: after `maxFailures` failed logins within `windowMs`,
 * every further attempt from that address is refused (HTTP 429) until the oldest failure leaves the
 * window. A global ceiling over all addresses stops a brute force that rotates addresses (or forges
 * X-Forwarded-For when no proxy is in front). A successful login clears the address's failures.
 * Sliding window: each address keeps at most `maxFailures` timestamps.
 */
export interface LoginRateLimitOptions {
  maxFailures?: number;
  windowMs?: number;
  globalMaxFailures?: number;
  now?: () => number;
}

export type LoginVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class LoginRateLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly globalMaxFailures: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, number[]>();
  private global: number[] = [];

  constructor(options: LoginRateLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.globalMaxFailures = options.globalMaxFailures ?? 100;
    this.now = options.now ?? Date.now;
  }

  check(address: string): LoginVerdict {
    const now = this.now();
    const own = this.recent(address, now);
    if (own.length >= this.maxFailures) return { allowed: false, retryAfterMs: own[0] + this.windowMs - now };
    this.global = this.global.filter((t) => t > now - this.windowMs);
    if (this.global.length >= this.globalMaxFailures) {
      return { allowed: false, retryAfterMs: this.global[0] + this.windowMs - now };
    }
    return { allowed: true };
  }

  recordFailure(address: string): void {
    const now = this.now();
    const own = this.recent(address, now);
    own.push(now);
    this.failures.set(address, own.slice(-this.maxFailures));
    this.global.push(now);
    if (this.global.length > this.globalMaxFailures) this.global = this.global.slice(-this.globalMaxFailures);
    if (this.failures.size > 10_000) this.sweep(now);
  }

  reset(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string, now: number): number[] {
    const kept = (this.failures.get(address) ?? []).filter((t) => t > now - this.windowMs);
    if (kept.length) this.failures.set(address, kept);
    else this.failures.delete(address);
    return kept;
  }

  private sweep(now: number): void {
    for (const address of [...this.failures.keys()]) this.recent(address, now);
  }
}

export function loginRateLimiter(): LoginRateLimiter {
  return remember("login-rate-limiter", () => new LoginRateLimiter());
}

/**
 * The client's address. The custom server has already replaced X-Forwarded-For with the one address
 * it resolved from the socket and the trusted proxies' hops (server/http/forwarded.ts), so it is a
 * fact here, not something the client wrote.
 */
export function clientAddress(headers: Headers): string {
  return headers.get("x-forwarded-for")?.trim() || "unknown";
}
