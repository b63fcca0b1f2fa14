/**
 * The request's path and query, set by the custom server's HTTP layer on every request (a client's own
 * value is overwritten): the page gate reads it, since a layout is not told which page it wraps.
 */
export const REQUEST_PATH_HEADER = "x-switchboard-request-path";

/** Where a login goes when it was not sent from a page of this site. */
export const AFTER_LOGIN_PATH = "/sessions";

/** Longer than any page of the dashboard with its filters; anything beyond is not ours. */
const MAX_LENGTH = 2048;

// A host no request can name, to resolve against: if the result leaves it, the value named another site.
const DUMMY_ORIGIN = "http://callback.invalid";

// C0 controls and DEL: the URL parser silently drops tabs and newlines ("/\t/evil" becomes "//evil"),
// and a newline in a Location header makes the response fail. Backslashes count as "/" for browsers.
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f\\]/;

/**
 * The page to go to after login, given `?callbackUrl=`: a path on this site, or `/sessions`.
 * Used by the login page (its server redirect) and the login form (its client navigation), so both
 * follow the same rule and neither can be sent to another site (an open redirect):
 *
 *   safeCallbackPath("/sessions/a?status=WORKING")  // "/sessions/a?status=WORKING"
 *   safeCallbackPath("/\t/evil.example")            // "/sessions"
 *
 * The value is resolved by the URL parser against a dummy origin; anything whose origin changes,
 * that contains a control character or a backslash, leads back to /login, or resolves to a path
 * starting with `//` is refused, and so is anything but one string (a repeated `?callbackUrl=`
 * arrives as an array). The result is the parser's serialisation (percent-encoded ASCII), so it is
 * always a valid header value.
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || value.length > MAX_LENGTH || !value.startsWith("/") || UNSAFE_CHARACTER.test(value))
    return AFTER_LOGIN_PATH;
  let url: URL;
  try {
    url = new URL(value, DUMMY_ORIGIN);
  } catch {
    return AFTER_LOGIN_PATH;
  }
  if (url.origin !== DUMMY_ORIGIN) return AFTER_LOGIN_PATH;
  // "/a/../..//evil" stays on this origin but serialises to "//evil", which a browser reads as a host.
  if (url.pathname.startsWith("//")) return AFTER_LOGIN_PATH;
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return AFTER_LOGIN_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}
