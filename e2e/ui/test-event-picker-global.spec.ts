import { expect, test } from "../support/fixtures";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/** The test-event picker with a global webhook configured: it is offered, and its test goes to it. */

const browserErrors = new BrowserErrors();
const GLOBAL = "http://127.0.0.1:9/global";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { ...DASHBOARD_ENV, WHATSAPP_HOOK_URL: GLOBAL, WHATSAPP_HOOK_EVENTS: "session.status" } } });
test.afterEach(() => browserErrors.expectNone());

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: "bare", start: false })).status).toBe(201);
});

test("a session without webhooks is offered the global one, and its test goes to it (on a phone)", async ({ browser, server }) => {
  const page = await browserErrors.watch(await newClient(browser, { viewport: { width: 390, height: 844 } })).newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/bare`);
  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  await expect(page.getByLabel("Send a test event to").locator("option")).toHaveText([`The global webhook: ${GLOBAL}`]);
  const kind = page.getByTestId("test-event-kind");
  await expect(kind).toHaveAttribute("data-event", "session.status");
  await expect(kind).toHaveAttribute("data-subscribed", "true");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Send test event" }).click();
  const row = page.getByTestId("deliveries").locator("tbody tr").first();
  await expect(row).toContainText("global");
  await expect(row).toContainText("session.status");
  await screenshot(page, "session-test-event-global-phone");
  await page.context().close();
});
