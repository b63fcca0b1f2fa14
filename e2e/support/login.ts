import type { RunningServer } from "./server";

/** Cookies by name, as a browser keeps them for one server. */
export type CookieJar = Record<string, string>;

export function cookieHeader(jar: CookieJar): string {
  return Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join("; ");
}

export interface LoginAttempt {
  status: number;
  /** The jar passed in, plus every cookie the server set. */
  jar: CookieJar;
  /** The Set-Cookie headers of the login answer itself. */
  setCookies: string[];
  retryAfter: string | null;
}

/**
 * One dashboard login over plain HTTP, as the login form does it: next-auth's CSRF token, then the
 * credentials callback with `json=true`. `asHtmlForm` leaves `json` out, as a plain HTML form post
 * would (next-auth then answers 302 whether the password was right or not). `headers` go with both
 * requests (X-Forwarded-For, Origin).
 */
export async function attemptLogin(
  server: Pick<RunningServer, "url">,
  credentials: { username?: string; password: string },
  options: { headers?: Record<string, string>; jar?: CookieJar; asHtmlForm?: boolean } = {},
): Promise<LoginAttempt> {
  const jar: CookieJar = { ...options.jar };
  const send = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      redirect: "manual",
      headers: { ...options.headers, ...(init.headers as Record<string, string>), Cookie: cookieHeader(jar) },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const pair = setCookie.split(";")[0];
      jar[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
    }
    return response;
  };
  const { csrfToken } = (await (await send("/api/auth/csrf")).json()) as { csrfToken: string };
  const form = new URLSearchParams({ username: credentials.username ?? "admin", password: credentials.password, csrfToken });
  if (!options.asHtmlForm) form.set("json", "true");
  const response = await send("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  await response.body?.cancel();
  return { status: response.status, jar, setCookies: response.headers.getSetCookie(), retryAfter: response.headers.get("retry-after") };
}
