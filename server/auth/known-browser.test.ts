import { describe, expect, it } from "vitest";
import { isKnownBrowser, knownBrowserCookie, knownBrowserCookieName, KNOWN_BROWSER_MAX_AGE_SECONDS } from "./known-browser";

const auth = { secret: "s3cret", credentialsFingerprint: "fp-1", secureCookies: false };
const NOW = Date.UTC(2026, 0, 1);

/** The cookie's value from its Set-Cookie header. */
const valueOf = (header: string) => header.split(";")[0].split("=")[1];

describe("known-browser cookie", () => {
  it("is httpOnly, SameSite=Strict, scoped to /api/auth, long-lived, and Secure behind TLS", () => {
    expect(knownBrowserCookie(auth, NOW)).toMatch(
      new RegExp(
        `^switchboard\\.known-browser=\\d+\\.[\\w-]{43}; Path=/api/auth; Max-Age=${KNOWN_BROWSER_MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict$`,
      ),
    );
    const secure = { ...auth, secureCookies: true };
    expect(knownBrowserCookie(secure, NOW)).toMatch(/^__Secure-switchboard\.known-browser=.*; Secure$/);
    expect(knownBrowserCookieName(secure)).toBe("__Secure-switchboard.known-browser");
  });

  it("is recognised until it expires", () => {
    const value = valueOf(knownBrowserCookie(auth, NOW));
    expect(isKnownBrowser(auth, value, NOW)).toBe(true);
    expect(isKnownBrowser(auth, value, NOW + KNOWN_BROWSER_MAX_AGE_SECONDS * 1000)).toBe(true);
    expect(isKnownBrowser(auth, value, NOW + KNOWN_BROWSER_MAX_AGE_SECONDS * 1000 + 1000)).toBe(false);
  });

  it("refuses forgeries, other secrets, changed credentials and values from the future", () => {
    const value = valueOf(knownBrowserCookie(auth, NOW));
    const [issuedAt, signature] = value.split(".");
    expect(isKnownBrowser(auth, undefined, NOW)).toBe(false);
    expect(isKnownBrowser(auth, "", NOW)).toBe(false);
    expect(isKnownBrowser(auth, `${Number(issuedAt) + 1}.${signature}`, NOW)).toBe(false);
    expect(isKnownBrowser(auth, `${issuedAt}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`, NOW)).toBe(false);
    expect(isKnownBrowser({ ...auth, secret: "other" }, value, NOW)).toBe(false);
    expect(isKnownBrowser({ ...auth, credentialsFingerprint: "fp-2" }, value, NOW)).toBe(false);
    const ahead = valueOf(knownBrowserCookie(auth, NOW + 60 * 60 * 1000));
    expect(isKnownBrowser(auth, ahead, NOW)).toBe(false);
  });
});
