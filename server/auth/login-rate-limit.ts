import { getEnv } from "../env";
import { remember } from "../remember";

/**
 * Failed-login throttle, per client address: after `maxFailures` failed logins within `windowMs`,
 * every further attempt from that address is refused (HTTP 429) until the oldest failure leaves the
 * window. A global ceiling over all addresses stops a brute force that rotates addresses. So that
 * such an attack cannot lock the operator out, the ceiling does not apply to a client that logged in
 * before: an address with a successful login in the last `knownAddressTtlMs` (at most
 * `maxKnownAddresses` remembered, the least recent forgotten first), or a browser carrying the
 * known-browser cookie (server/auth/known-browser.ts; the caller says so). The per-address limit
 * applies to everyone. A successful login clears the address's failures.
 * Sliding window: each address keeps at most `maxFailures` timestamps.
 */
export interface LoginRateLimitOptions {
  maxFailures?: number;
  windowMs?: number;
  globalMaxFailures?: number;
  knownAddressTtlMs?: number;
  maxKnownAddresses?: number;
  now?: () => number;
}

export type LoginVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

const DAY_MS = 24 * 60 * 60 * 1000;

export class LoginRateLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly globalMaxFailures: number;
  private readonly knownAddressTtlMs: number;
  private readonly maxKnownAddresses: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, number[]>();
  private global: number[] = [];
  /** Address -> when its last successful login stops counting; in order of that login. */
  private readonly knownAddresses = new Map<string, number>();

  constructor(options: LoginRateLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.globalMaxFailures = options.globalMaxFailures ?? 100;
    this.knownAddressTtlMs = options.knownAddressTtlMs ?? 30 * DAY_MS;
    this.maxKnownAddresses = options.maxKnownAddresses ?? 1000;
    this.now = options.now ?? Date.now;
  }

  check(address: string, client: { knownBrowser?: boolean } = {}): LoginVerdict {
    const now = this.now();
    const own = this.recent(address, now);
    if (own.length >= this.maxFailures) return { allowed: false, retryAfterMs: own[0] + this.windowMs - now };
    if (client.knownBrowser || this.isKnownAddress(address, now)) return { allowed: true };
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

  recordSuccess(address: string): void {
    this.failures.delete(address);
    this.knownAddresses.delete(address); // re-inserted last: the most recent login is forgotten last
    this.knownAddresses.set(address, this.now() + this.knownAddressTtlMs);
    for (const oldest of this.knownAddresses.keys()) {
      if (this.knownAddresses.size <= this.maxKnownAddresses) break;
      this.knownAddresses.delete(oldest);
    }
  }

  private isKnownAddress(address: string, now: number): boolean {
    const until = this.knownAddresses.get(address);
    if (until === undefined) return false;
    if (until > now) return true;
    this.knownAddresses.delete(address);
    return false;
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
  return remember("login-rate-limiter", () => new LoginRateLimiter({ globalMaxFailures: getEnv().dashboard.globalMaxFailures }));
}

/**
 * The client's address. The custom server has already replaced X-Forwarded-For with the one address
 * it resolved from the socket and the trusted proxies' hops (server/http/forwarded.ts), so it is a
 * fact here, not something the client wrote.
 */
export function clientAddress(headers: Headers): string {
  return headers.get("x-forwarded-for")?.trim() || "unknown";
}
