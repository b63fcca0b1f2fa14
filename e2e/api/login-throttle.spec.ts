import { expect, test } from "@playwright/test";
import { attemptLogin } from "../support/login";
import { startServer, type RunningServer } from "../support/server";

/**
 * The login throttle (docs/dashboard.md): X-Forwarded-For is believed only from a trusted proxy, so a
 * client cannot reset its own limit.
 */

const PASSWORD = "throttle-test-password";
const WRONG = { password: "not-the-password" };
const RIGHT = { password: PASSWORD };
const from = (address: string) => ({ "X-Forwarded-For": address });

test.describe.configure({ mode: "serial" });

test.describe("without a trusted proxy", () => {
  let server: RunningServer;
  test.beforeAll(async () => {
    server = await startServer({ env: { WAHA_DASHBOARD_PASSWORD: PASSWORD } });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test("POST /api/auth/callback/credentials: a forged X-Forwarded-For does not reset the per-address limit", async () => {
    for (let i = 1; i <= 5; i++) {
      expect((await attemptLogin(server, WRONG, { headers: from(`203.0.113.${i}`) })).status).toBe(401);
    }
    const refused = await attemptLogin(server, RIGHT, { headers: from("203.0.113.99") });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });
});
