import { apiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { DASHBOARD_ENV, PASSWORD, USERNAME, login, newClient, screenshot } from "./dashboard";

/** Dashboard login: next-auth credentials, the throttle, the page gate and the cookie on the REST API. */

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test("every dashboard page needs the login: / and /sessions/x lead to /login (x kept as callbackUrl)", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${server.url}/sessions/anything/edit`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsessions%2Fanything%2Fedit$/);
  await expect(page.getByRole("heading", { name: "Sign in to Switchboard" })).toBeVisible();
  await screenshot(page, "login");
  await context.close();
});

test("a wrong password is refused with a message and no session cookie", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-error")).toContainText("Wrong username or password");
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).map((c) => c.name)).not.toContain("next-auth.session-token");
  await screenshot(page, "login-refused");
  await context.close();
});

test("after 5 failed logins the address is refused (429), even with the right password", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Username").fill(USERNAME);
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Password", { exact: true }).fill(`wrong-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("#login-error")).toContainText("Wrong username or password");
  }
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/auth/callback/credentials"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  const response = await refused;
  expect(response.status()).toBe(429);
  expect(Number(response.headers()["retry-after"])).toBeGreaterThan(0);
  await expect(page.getByTestId("rate-limited")).toContainText(/Try again in \d+ s/);
  await expect(page.getByRole("button", { name: /Wait \d+ s/ })).toBeDisabled();
  await expect(page).toHaveURL(/\/login$/);
  await screenshot(page, "login-rate-limited");

  // Another client address is not affected.
  const other = await newClient(browser);
  const otherPage = await other.newPage();
  await login(otherPage, server);
  await other.close();
  await context.close();
});

test("login, the cookie works on the REST API, and neither the password nor the API key reach the page", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await login(page, server);
  await expect(page.getByRole("button", { name: `Sign out ${USERNAME}` })).toBeVisible();

  const cookie = (await context.cookies()).find((c) => c.name === "next-auth.session-token");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");

  // Same-origin fetch with the cookie only (the page never holds the API key).
  const status = await page.evaluate(async () => (await fetch("/api/sessions?all=true", { credentials: "same-origin" })).status);
  expect(status).toBe(200);
  // Without the cookie, the API still wants a key.
  expect((await apiClient(server).get("/api/sessions", { apiKey: null })).status).toBe(401);

  for (const path of ["/sessions", "/sessions/new"]) {
    await page.goto(`${server.url}${path}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const html = await page.content();
    expect(html).not.toContain(PASSWORD);
    expect(html).not.toContain(server.apiKey);
    const storage = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
    );
    expect(storage).not.toContain(PASSWORD);
    expect(storage).not.toContain(server.apiKey);
    expect(storage).not.toContain("session-token");
  }
  const raw = await (await context.request.get(`${server.url}/sessions`)).text();
  expect(raw).not.toContain(PASSWORD);
  expect(raw).not.toContain(server.apiKey);

  // Sign out ends the login.
  await page.getByRole("button", { name: `Sign out ${USERNAME}` }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${server.url}/sessions`);
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test("a state-changing API call with the cookie from another origin is refused", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await login(page, server);
  const response = await context.request.post(`${server.url}/api/sessions`, {
    headers: { Origin: "http://evil.example", "Content-Type": "application/json" },
    data: { name: "csrf", start: false },
  });
  expect(response.status()).toBe(401);
  await context.close();
});

test("GET /login?callbackUrl= sends a signed-in browser to same-site paths only (307), never a 500", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await login(page, server);
  const cases: [string, string][] = [
    ["/%09/evil.example", "/sessions"],
    ["/%0a/x", "/sessions"],
    ["/%0d%0aSet-Cookie:%20a=b", "/sessions"],
    ["//evil.example", "/sessions"],
    ["/%5C%5Cevil.example", "/sessions"],
    ["https://evil.example/", "/sessions"],
    ["javascript:alert(1)", "/sessions"],
    ["/login", "/sessions"],
    ["/sessions/new?x=1", "/sessions/new?x=1"],
  ];
  for (const [callbackUrl, location] of cases) {
    const response = await context.request.get(`${server.url}/login?callbackUrl=${callbackUrl}`, { maxRedirects: 0 });
    expect(response.status(), callbackUrl).toBe(307);
    expect(response.headers().location, callbackUrl).toBe(location);
  }
  await context.close();
});

test("the login form follows a callbackUrl only to a same-site path", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/login?callbackUrl=/%09/evil.example`);
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${server.url}/sessions`);
  await context.close();
});

test("WAHA_DASHBOARD_ENABLED=false: pages and login are 404, the API key still works", async ({ startExtraServer }) => {
  const off = await startExtraServer({ env: { ...DASHBOARD_ENV, WAHA_DASHBOARD_ENABLED: "false" } });
  for (const path of ["/", "/login", "/sessions", "/api/auth/csrf"]) {
    const response = await fetch(`${off.url}${path}`, { redirect: "manual" });
    expect(response.status, path).toBe(404);
  }
  expect((await apiClient(off).get("/api/sessions")).status).toBe(200);
});

test("without WAHA_DASHBOARD_PASSWORD a password is generated once into the data folder (mode 600)", async ({
  browser,
  startExtraServer,
}) => {
  const generated = await startExtraServer({});
  const context = await newClient(browser);
  const page = await context.newPage();
  await page.goto(`${generated.url}/login`);
  const fs = await import("node:fs");
  const file = `${generated.dataDir}/dashboard-password`;
  await expect.poll(() => fs.existsSync(file)).toBe(true);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const password = fs.readFileSync(file, "utf8").trim();
  expect(generated.output()).toContain(password);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await context.close();
});
