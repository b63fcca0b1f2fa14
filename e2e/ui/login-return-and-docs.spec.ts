import { expect, test } from "../support/fixtures";
import { BrowserErrors, DASHBOARD_ENV, PASSWORD, USERNAME, newClient, screenshot } from "./dashboard";

/** Links kept across login (a page asked for signed out is where the login returns), and /docs: a way back, dark mode, signed out. */

const browserErrors = new BrowserErrors();

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: "kept", start: false })).status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

async function signIn(page: import("@playwright/test").Page): Promise<void> {
  // Reached by a link: the URL changes before the page is loaded.
  await page.waitForLoadState("load");
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a page asked for while signed out is where the login returns, with its query; another site is never", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await page.goto(`${server.url}/sessions/kept/edit?tab=json`);
  await expect(page).toHaveURL(`${server.url}/login?callbackUrl=${encodeURIComponent("/sessions/kept/edit?tab=json")}`);
  await signIn(page);
  await expect(page).toHaveURL(`${server.url}/sessions/kept/edit?tab=json`);
  await context.close();

  // A forged header naming another site is overwritten by the server: the login returns to a page of this site.
  const forged = browserErrors.watch(await newClient(browser));
  const other = await forged.newPage();
  await other.setExtraHTTPHeaders({ "X-Switchboard-Request-Path": "//evil.example/x" });
  await other.goto(`${server.url}/events`);
  await expect(other).toHaveURL(`${server.url}/login?callbackUrl=%2Fevents`);
  await forged.close();
});

test("/docs signed out: a styled screen that offers the login and returns to /docs; a bar leads back", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await page.goto(`${server.url}/docs`);
  const card = page.locator("#key");
  await expect(card.getByRole("heading", { name: "Sign in to read the API docs" })).toBeVisible();
  // Styled: a bordered card, not the bare form.
  expect(await card.evaluate((el) => getComputedStyle(el).borderRadius)).toBe("12px");
  await screenshot(page, "docs-signed-out");
  await card.getByRole("link", { name: "sign in" }).click();
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdocs$/);
  await signIn(page);
  await expect(page).toHaveURL(`${server.url}/docs`);
  await expect(page.getByText("/api/sessions/{session}/start").first()).toBeVisible();
  await page.getByRole("link", { name: "← Dashboard" }).click();
  await expect(page).toHaveURL(`${server.url}/sessions`);
  await context.close();
});

test("/docs follows the dark theme, on a phone too", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser, { colorScheme: "dark", viewport: { width: 390, height: 844 } }));
  const page = await context.newPage();
  await page.goto(`${server.url}/docs`);
  await expect(page.locator("html")).toHaveClass(/dark/);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(9, 9, 11)");
  await expect(page.getByRole("link", { name: "← Dashboard" })).toBeVisible();
  await screenshot(page, "docs-dark-phone");
  await context.close();
});
