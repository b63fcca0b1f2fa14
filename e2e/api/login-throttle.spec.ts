import { expect, test } from "../support/fixtures";
import { attemptLogin, type CookieJar } from "../support/login";

/**
 * The login throttle (docs/dashboard.md): X-Forwarded-For is believed only from a trusted proxy, so a
 * client cannot reset its own limit; and a brute force that trips the global ceiling does not lock
 * out a browser or an address that logged in before.
 */

const PASSWORD = "throttle-test-password";
const WRONG = { password: "not-the-password" };
const RIGHT = { password: PASSWORD };
const from = (address: string) => ({ "X-Forwarded-For": address });

test.describe.configure({ mode: "serial" });
// The file's server is the one behind a trusted proxy; the test without one starts its own.
test.use({
  serverOptions: {
    env: { WAHA_DASHBOARD_PASSWORD: PASSWORD, SWITCHBOARD_TRUSTED_PROXIES: "127.0.0.1,::1", SWITCHBOARD_LOGIN_GLOBAL_MAX_FAILURES: "3" },
  },
});

test.describe("without a trusted proxy", () => {
  test("POST /api/auth/callback/credentials: a forged X-Forwarded-For does not reset the per-address limit", async ({
    startExtraServer,
  }) => {
    const server = await startExtraServer({ env: { WAHA_DASHBOARD_PASSWORD: PASSWORD } });
    for (let i = 1; i <= 5; i++) {
      expect((await attemptLogin(server, WRONG, { headers: from(`203.0.113.${i}`) })).status).toBe(401);
    }
    const refused = await attemptLogin(server, RIGHT, { headers: from("203.0.113.99") });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });
});

test.describe("behind a trusted proxy (loopback), with a global ceiling of 3 failures a minute", () => {
  let operator: CookieJar;

  test("POST /api/auth/callback/credentials: a browser or address that logged in before still logs in while rotating addresses trip the ceiling", async ({
    server,
  }) => {
    const login = await attemptLogin(server, RIGHT, { headers: from("192.0.2.10") });
    expect(login.status).toBe(200);
    const knownBrowser = login.setCookies.find((c) => c.startsWith("switchboard.known-browser="));
    expect(knownBrowser).toMatch(/; Path=\/api\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    operator = { "switchboard.known-browser": login.jar["switchboard.known-browser"] };

    for (let i = 1; i <= 3; i++) {
      expect((await attemptLogin(server, WRONG, { headers: from(`203.0.113.${i}`) })).status).toBe(401);
    }
    // The ceiling holds for everyone else, even with the right password or a forged cookie.
    expect((await attemptLogin(server, RIGHT, { headers: from("203.0.113.50") })).status).toBe(429);
    const forged = { "switchboard.known-browser": `${Math.floor(Date.now() / 1000)}.${"A".repeat(43)}` };
    expect((await attemptLogin(server, RIGHT, { headers: from("203.0.113.51"), jar: forged })).status).toBe(429);

    // The operator's browser, from an address never seen before, and the operator's address without it.
    expect((await attemptLogin(server, RIGHT, { headers: from("198.51.100.77"), jar: operator })).status).toBe(200);
    expect((await attemptLogin(server, RIGHT, { headers: from("192.0.2.10") })).status).toBe(200);
  });

  test("POST /api/auth/callback/credentials: failures posted as a plain HTML form (answered 302) count too", async ({ server }) => {
    for (let i = 0; i < 5; i++) {
      const failed = await attemptLogin(server, WRONG, { headers: from("198.51.100.88"), jar: operator, asHtmlForm: true });
      expect(failed.status).toBe(302);
    }
    // The known browser passes the ceiling, not its address's own limit.
    expect((await attemptLogin(server, RIGHT, { headers: from("198.51.100.88"), jar: operator })).status).toBe(429);
  });
});
