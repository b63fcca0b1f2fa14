import { createHmac, timingSafeEqual } from "node:crypto";
import type { DashboardAuth } from "./dashboard-auth";

/**
 * The "known browser" cookie: set on every successful dashboard login, it lets that browser past
 * the login throttle's global ceiling, so a brute force from many addresses cannot lock the operator
 * out (the per-address limit still applies to it). It proves only that this browser logged in
 * before: a signed issue time, no session and no secret. HMAC-SHA256 with the next-auth secret, bound
 * to the credentials fingerprint, so a new password or secret makes every such cookie worthless.
 * httpOnly, SameSite=Strict, and sent only to /api/auth (the login's own routes).
 */
export const KNOWN_BROWSER_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
const COOKIE_PATH = "/api/auth";
// A clock that runs a little ahead elsewhere (several servers sharing a data folder) is not forgery.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

type Signer = Pick<DashboardAuth, "secret" | "credentialsFingerprint" | "secureCookies">;

/** `__Secure-` prefixed behind TLS, as next-auth's own cookies are. */
export function knownBrowserCookieName(auth: Pick<DashboardAuth, "secureCookies">): string {
  return `${auth.secureCookies ? "__Secure-" : ""}switchboard.known-browser`;
}

/** The Set-Cookie header value that marks this browser as known from `nowMs` on. */
export function knownBrowserCookie(auth: Signer, nowMs: number): string {
  const issuedAt = Math.floor(nowMs / 1000);
  const attributes = [`Path=${COOKIE_PATH}`, `Max-Age=${KNOWN_BROWSER_MAX_AGE_SECONDS}`, "HttpOnly", "SameSite=Strict"];
  if (auth.secureCookies) attributes.push("Secure");
  return [`${knownBrowserCookieName(auth)}=${issuedAt}.${signature(auth, issuedAt)}`, ...attributes].join("; ");
}

/** Whether a cookie value was issued by this server for the current credentials and has not expired. */
export function isKnownBrowser(auth: Signer, value: string | undefined, nowMs: number): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return false;
  const issuedAt = Number(match[1]);
  const ageMs = nowMs - issuedAt * 1000;
  if (ageMs < -CLOCK_SKEW_MS || ageMs > KNOWN_BROWSER_MAX_AGE_SECONDS * 1000) return false;
  return timingSafeEqual(Buffer.from(match[2]), Buffer.from(signature(auth, issuedAt)));
}

function signature(auth: Signer, issuedAt: number): string {
  return createHmac("sha256", auth.secret)
    .update(`switchboard.known-browser\n${auth.credentialsFingerprint}\n${issuedAt}`)
    .digest("base64url");
}
