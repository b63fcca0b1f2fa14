import type { Browser, Page } from "@playwright/test";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * Every live update path of the session page, each driven with the panel it updates open: webhook
 * deliveries (test event, retries, redeliver), live events, the login panel (QR rotation, scan, log
 * out) and the sessions list. The session has a webhook to a real receiver on loopback, so every
 * status change also pushes delivery updates. Any page error or console error fails the test: a
 * pushed message must never take the page down.
 */

let receiver: Receiver;
const browserErrors = new BrowserErrors();
const SESSION = "hooks";

// One retry: once in a full-suite run, the session relaunched after the logout stayed STARTING with no
// QR for 45 s (alone it passed 5 of 5 runs). One cause found, maybe not the only one: docs/session-health.md.
test.describe.configure({ mode: "serial", retries: 1 });
test.setTimeout(120_000);
// The QR watchdog would restart a session whose code did not rotate for 90 s; not under test here.
test.use({ serverOptions: { withDouble: true, env: { ...DASHBOARD_ENV, SWITCHBOARD_QR_STALE_SECONDS: "600" } } });

test.beforeAll(async ({ api }) => {
  receiver = await startReceiver();
  const created = await api.post("/api/sessions", {
    name: SESSION,
    start: false,
    config: {
      webhooks: [{ url: receiver.url, events: ["session.status"], retries: { policy: "constant", delaySeconds: 1, attempts: 20 } }],
    },
  });
  expect(created.status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

test.afterAll(async () => {
  await receiver?.close();
});

async function openSession(browser: Browser, server: RunningServer): Promise<Page> {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${SESSION}`);
  await expect(page.getByTestId("realtime-state")).toContainText("Live");
  return page;
}

const deliveryRows = (page: Page) => page.getByTestId("deliveries").locator("tbody tr");

/** Opens the tab and waits for the delivery log to be loaded. */
async function openDeliveries(page: Page): Promise<void> {
  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  await expect(page.getByTestId("deliveries").or(page.getByText("No deliveries yet"))).toBeVisible();
}

test("deliveries tab open: a test event appears with its state, follows its retries, and Redeliver updates the row", async ({
  browser,
  server,
}) => {
  receiver.setReply(() => ({ status: 503 }));
  const page = await openSession(browser, server);
  await openDeliveries(page);
  await expect(page.getByText("No deliveries yet")).toBeVisible();

  await page.getByRole("button", { name: "Send test event" }).click();
  const row = deliveryRows(page).first();
  // The webhook subscribes to session.status, so its test is one.
  await expect(row).toContainText("session.status");
  // Attempts after the first are only pushed: the list is not fetched again.
  await expect(row).toContainText("HTTP 503", { timeout: 15_000 });
  receiver.setReply(() => ({ status: 200 }));
  await expect(row).toContainText("Delivered", { timeout: 15_000 });
  await expect(row).toContainText("HTTP 200");
  await expect(deliveryRows(page)).toHaveCount(1);

  await row.getByRole("button", { name: /^Redeliver/ }).click();
  await expect(row).toContainText("(cycle 2)", { timeout: 15_000 });
  await expect(row).toContainText("Delivered");
  await expect(deliveryRows(page)).toHaveCount(1);
  await screenshot(page, "session-deliveries-live");
  await page.context().close();
});

test("live events tab open while the session starts: its events stream in, and the delivery log kept up", async ({ browser, server }) => {
  receiver.setReply(() => ({ status: 200 }));
  const page = await openSession(browser, server);
  // Seen once, so its list stays cached while another tab is open (as when an operator looks around).
  await openDeliveries(page);
  await page.getByRole("tab", { name: "Live events" }).click();

  await page.getByRole("button", { name: "Start", exact: true }).click();
  const stream = page.getByTestId("event-stream");
  await expect(stream).toContainText("session.status", { timeout: 45_000 });
  await expect(stream).toContainText("SCAN_QR_CODE", { timeout: 45_000 });
  await page.getByRole("switch", { name: "Raw engine events" }).click();
  await expect(stream.getByText("qr", { exact: true }).first()).toBeVisible();

  await openDeliveries(page);
  const statusRows = deliveryRows(page).filter({ hasText: "session.status" });
  // STARTING and SCAN_QR_CODE, and the test event of the test above (a session.status too).
  await expect(statusRows).toHaveCount(3);
  await expect(statusRows.first()).toContainText("Delivered");
  await page.context().close();
});

test("login panel and sessions list open while the QR rotates, the phone scans and the session logs out", async ({
  browser,
  double,
  server,
  api,
}) => {
  receiver.setReply(() => ({ status: 200 }));
  // Already waiting for a scan after the test above; started here when this test runs alone.
  await api.post(`/api/sessions/${SESSION}/start`);
  const page = await openSession(browser, server);
  const list = await page.context().newPage();
  await list.goto(`${server.url}/sessions`);
  const listed = list.locator(`[data-testid="session-row"][data-session="${SESSION}"]`).getByTestId("status-badge");
  await expect(listed).toHaveAttribute("data-status", "SCAN_QR_CODE", { timeout: 45_000 });

  await openDeliveries(page);
  const canvas = page.getByTestId("qr-canvas");
  await expect(canvas).toBeVisible();
  await expect(canvas).toHaveAttribute("data-qr-rotation", "0");
  const before = await deliveryRows(page).count();

  await double.rotate();
  await expect(canvas).toHaveAttribute("data-qr-rotation", "1", { timeout: 15_000 });
  // Every rotation re-emits SCAN_QR_CODE, which the webhook receives.
  await expect(deliveryRows(page)).toHaveCount(before + 1);
  await expect(deliveryRows(page).first()).toContainText("Delivered");

  const qr = (await api.get<{ value: string }>(`/api/${SESSION}/auth/qr?format=raw`)).body.value;
  await double.scan(qr, { user: "15550003333", pushname: "Hooks" });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING", { timeout: 30_000 });
  await expect(page.getByTestId("me")).toContainText("+15550003333");
  await expect(listed).toHaveAttribute("data-status", "WORKING");
  await expect.poll(() => deliveryRows(page).count()).toBeGreaterThan(before + 1);

  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Log out" }).click();
  await expect(canvas).toBeVisible({ timeout: 45_000 });
  await expect(listed).toHaveAttribute("data-status", "SCAN_QR_CODE");
  await expect(page.getByTestId("status-timeline")).toContainText("Working");
  await expect(deliveryRows(page).first()).toContainText("session.status");
  await page.context().close();
});

test("a panel that fails to render shows its own alert, the rest of the page keeps working, and Try again recovers", async ({
  browser,
  server,
}) => {
  const page = await openSession(browser, server);
  // A delivery row without a state, as the broken push used to insert: the REST answer is faked once.
  const isList = (url: URL) => url.pathname === `/api/sessions/${SESSION}/webhooks/deliveries`;
  await page.route(
    isList,
    async (route) => {
      const real = await (await route.fetch()).json();
      await route.fulfill({ json: { ...real, items: [{ ...real.items[0], state: undefined }, ...real.items.slice(1)] } });
    },
    { times: 1 },
  );
  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "The webhook deliveries could not be shown" });
  await expect(alert).toBeVisible();
  await expect(page.getByTestId("status-badge").first()).toBeVisible();
  await page.getByRole("tab", { name: "Live events" }).click();
  await expect(page.getByRole("switch", { name: "Raw engine events" })).toBeVisible();

  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(deliveryRows(page).first()).toContainText("Delivered");
  await expect(alert).toHaveCount(0);
  browserErrors.expectProvoked(/reading 'tone'/);
  await page.context().close();
});
