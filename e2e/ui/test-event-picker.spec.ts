import type { Browser, Page } from "@playwright/test";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The test-event picker of a session's Webhook deliveries tab offers only real targets (the session's
 * webhooks with a URL and events, the global webhook only when the server has one), says which event
 * the test is, and the receiver gets that event marked as a test; a webhook subscribed to nothing
 * Switchboard sends is told, before sending, that its test is outside its subscription.
 */

const browserErrors = new BrowserErrors();
test.afterEach(() => browserErrors.expectNone());

async function openDeliveries(
  browser: Browser,
  server: RunningServer,
  session: string,
  options?: Parameters<typeof newClient>[1],
): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${session}`);
  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  return page;
}

const picker = (page: Page) => page.getByLabel("Send a test event to");
const kind = (page: Page) => page.getByTestId("test-event-kind");
const deliveryRows = (page: Page) => page.getByTestId("deliveries").locator("tbody tr");
type Body = { event: string; session: string; payload: { event?: string; status?: string; data?: { test?: boolean } } };

// No global webhook here; test-event-picker-global.spec.ts has one.
test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.describe("without a global webhook", () => {
  let receiver: Receiver;
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body.toString()) as Body);

  test.beforeAll(async ({ api }) => {
    receiver = await startReceiver();
    const created = await api.post("/api/sessions", {
      name: "picker",
      start: false,
      config: {
        webhooks: [
          { url: `${receiver.url}/messages`, events: ["message"] },
          { url: `${receiver.url}/status`, events: ["message", "session.status"] },
          { url: `${receiver.url}/nothing`, events: [] },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect((await api.post("/api/sessions", { name: "bare", start: false })).status).toBe(201);
  });

  test.afterAll(async () => {
    await receiver?.close();
  });

  test("offers the session's usable webhooks only, says what each test is, and sends that", async ({ browser, server }) => {
    const page = await openDeliveries(browser, server, "picker");
    // The webhook without events is not a target, and there is no global webhook to offer.
    await expect(picker(page).locator("option")).toHaveText([`1. ${receiver.url}/messages`, `2. ${receiver.url}/status`]);

    // Subscribed to message only, which Switchboard never sends: said before sending.
    await expect(kind(page)).toHaveAttribute("data-subscribed", "false");
    await expect(kind(page)).toContainText("outside its subscription");
    await expect(kind(page)).toContainText("engine.event");
    await screenshot(page, "session-test-event-outside-subscription");
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(deliveryRows(page).first()).toContainText("engine.event");
    const outside = await eventually(async () => bodies().find((b) => b.event === "engine.event"), Boolean);
    expect(outside).toMatchObject({ session: "picker", payload: { event: "webhook.test", data: { test: true } } });

    await picker(page).selectOption({ label: `2. ${receiver.url}/status` });
    await expect(kind(page)).toHaveAttribute("data-subscribed", "true");
    await expect(kind(page)).toHaveAttribute("data-event", "session.status");
    await expect(kind(page)).toContainText("an event it subscribed to");
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(deliveryRows(page).filter({ hasText: "session.status" })).toHaveCount(1);
    const status = await eventually(async () => bodies().find((b) => b.event === "session.status"), Boolean);
    expect(status).toMatchObject({ session: "picker", payload: { status: "STOPPED", data: { test: true } } });
    expect(receiver.requests.find((r) => JSON.parse(r.body.toString()).event === "session.status")!.path).toBe("/hook/status");
    await screenshot(page, "session-test-event");
    await page.context().close();
  });

  test("a session with no webhook and no global one has nothing to offer, and says so", async ({ browser, server }) => {
    const page = await openDeliveries(browser, server, "bare");
    await expect(page.getByTestId("test-event-unavailable")).toContainText("Nothing to send a test event to");
    await expect(page.getByRole("button", { name: "Send test event" })).toHaveCount(0);
    await page.context().close();
  });
});
