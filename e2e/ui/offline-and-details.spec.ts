import type { Browser, Page } from "@playwright/test";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * A session waiting for its QR scan (the WhatsApp Web double), with a webhook to a real receiver: the
 * shell's connection state, version, worker and uptime; the page while the server is down (the QR blurred,
 * times stopped and marked) and its catching up when the server is back; a delivery's detail; the raw
 * engine events switch; the tab bar without a stray scrollbar. Any page or console error fails a test.
 */

let receiver: Receiver;
const browserErrors = new BrowserErrors();
const SESSION = "offline";
const PHONE = { width: 390, height: 844 };

test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);
// The QR watchdog would restart a session whose code did not rotate for 90 s; not under test here.
test.use({ serverOptions: { withDouble: true, env: { ...DASHBOARD_ENV, SWITCHBOARD_QR_STALE_SECONDS: "600" } } });

test.beforeAll(async ({ api }) => {
  receiver = await startReceiver((_, index) => (index === 0 ? { status: 500, body: "not yet" } : { status: 200, body: "thanks" }));
  const created = await api.post("/api/sessions", {
    name: SESSION,
    start: true,
    config: {
      webhooks: [
        {
          url: receiver.url,
          events: ["session.status"],
          hmac: { key: "hmac-key-not-shown" },
          customHeaders: [{ name: "Authorization", value: "Bearer header-not-shown" }],
          retries: { policy: "constant", delaySeconds: 1, attempts: 3 },
        },
      ],
    },
  });
  expect(created.status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

test.afterAll(async () => {
  await receiver?.close();
});

async function openSession(browser: Browser, server: RunningServer, viewport?: { width: number; height: number }): Promise<Page> {
  const context = browserErrors.watch(await newClient(browser, { viewport }));
  const page = await context.newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${SESSION}`);
  await expect(page.getByTestId("realtime-state")).toHaveAttribute("data-state", "connected");
  return page;
}

test("server down with the session open: the shell says so, the QR blurs, times stop; back up, the page catches up", async ({
  browser,
  server,
}) => {
  const page = await openSession(browser, server);
  const info = page.getByTestId("server-info");
  await expect(info).toContainText(/Switchboard \d+\.\d+\.\d+ · worker \S+ · up \d+/);
  const startedBefore = await info.getAttribute("data-started");
  const canvas = page.getByTestId("qr-canvas");
  await expect(canvas).toBeVisible({ timeout: 45_000 });
  await expect(canvas).not.toHaveAttribute("data-stale", /.*/);
  const activity = page.getByTestId("activity-time");
  await expect(activity).toHaveAttribute("data-stale", "false");

  await server.stop();
  await expect(page.getByTestId("realtime-state")).toHaveAttribute("data-state", "reconnecting");
  await expect(page.getByTestId("realtime-state")).toContainText("Offline");
  await expect(canvas).toHaveAttribute("data-stale", "offline");
  await expect(page.getByTestId("qr-stale")).toContainText("Not live");
  await expect(page.getByTestId("qr-countdown")).toHaveText("Not live");
  await expect(activity).toHaveAttribute("data-stale", "true");
  await expect(activity).toContainText("(not live)");
  await expect(page.getByTestId("server-uptime")).toContainText("not live");
  // Stopped: the same text after the page's clock has moved on by more than a second.
  const frozen = [await activity.textContent(), await page.getByTestId("server-uptime").textContent()];
  const at = await page.evaluate(() => Date.now());
  await page.waitForFunction((since) => Date.now() > since + 2500, at);
  expect([await activity.textContent(), await page.getByTestId("server-uptime").textContent()]).toEqual(frozen);
  await screenshot(page, "session-offline");

  await server.start();
  await expect(page.getByTestId("realtime-state")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  // Caught up: the new process's start, times running again, and the QR of the restored session, sharp.
  await expect(info).not.toHaveAttribute("data-started", startedBefore ?? "");
  await expect(activity).toHaveAttribute("data-stale", "false");
  await expect(page.getByTestId("server-uptime")).not.toContainText("not live");
  await expect(canvas).toBeVisible({ timeout: 45_000 });
  await expect(canvas).not.toHaveAttribute("data-stale", "offline");
  // The browser reports each refused reconnect (and fallback fetch) while the server was down.
  browserErrors.forget(/WebSocket connection to .* failed/);
  await page.context().close();
});

test("on a phone the connection state shows too, and the tab bars have no scrollbar", async ({ browser, server }) => {
  const page = await openSession(browser, server, PHONE);
  await expect(page.getByTestId("realtime-state")).toBeVisible();
  await expect(page.getByTestId("server-info")).toBeVisible();
  const overflow = () => page.getByRole("tablist").evaluateAll((lists) => lists.map((list) => list.scrollHeight - list.clientHeight));
  expect(await overflow()).toEqual([0]);
  await page.setViewportSize({ width: 1360, height: 900 });
  expect(await overflow()).toEqual([0]);
  await page.goto(`${server.url}/sessions/${SESSION}/edit`);
  await expect(page.getByRole("tablist")).toBeVisible();
  expect(await overflow()).toEqual([0]);
  await page.context().close();
});

test("a delivery's detail: the request with its secrets redacted, every attempt with status, latency and answer", async ({
  browser,
  server,
}) => {
  const page = await openSession(browser, server);
  await page.getByRole("tab", { name: "Webhook deliveries" }).click();
  const rows = page.getByTestId("deliveries").locator("tbody tr");
  // The receiver answered the first request 500: that delivery was retried (attempt 2 of 4) and answered 200.
  const retried = rows.filter({ hasText: "2/4" });
  await expect(retried).toHaveCount(1, { timeout: 30_000 });
  await expect(retried).toContainText("Delivered");
  await retried.getByRole("button", { name: /^Details of session\.status/ }).click();

  const detail = page.getByRole("dialog").getByTestId("delivery-detail");
  await expect(detail).toBeVisible();
  const header = (name: string) => detail.locator(`[data-header="${name}"] td`);
  await expect(header("Authorization")).toHaveText("[redacted]");
  await expect(header("X-Webhook-Hmac")).toHaveText(/^[0-9a-f]{128}$/);
  await expect(header("Content-Type")).toHaveText("application/json");
  await expect(detail.getByTestId("delivery-body")).toContainText(`"session": "${SESSION}"`);
  const attempts = detail.getByTestId("delivery-attempt");
  await expect(attempts).toHaveCount(2);
  await expect(attempts.nth(0)).toHaveAttribute("data-status-code", "500");
  await expect(attempts.nth(0).getByTestId("attempt-response")).toHaveText("not yet");
  await expect(attempts.nth(1)).toHaveAttribute("data-status-code", "200");
  await expect(attempts.nth(1).getByTestId("attempt-response")).toHaveText("thanks");
  await expect(attempts.nth(1).getByTestId("attempt-latency")).toHaveText(/^\d+ ms$/);
  const text = (await page.getByRole("dialog").textContent()) ?? "";
  expect(text).not.toContain("hmac-key-not-shown");
  expect(text).not.toContain("header-not-shown");
  await screenshot(page, "delivery-detail");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // On a phone the dialog fits the screen.
  await page.setViewportSize(PHONE);
  await retried.getByRole("button", { name: /^Details of/ }).click();
  await expect(detail).toBeVisible();
  const box = await page.getByRole("dialog").boundingBox();
  expect(box!.width).toBeLessThanOrEqual(PHONE.width);
  await screenshot(page, "delivery-detail-phone");
  await page.context().close();
});

test("raw engine events: off shows none, on shows each once", async ({ browser, server, double }) => {
  const page = await openSession(browser, server);
  await page.getByRole("tab", { name: "Live events" }).click();
  const events = page.getByTestId("stream-event");
  const engine = page.locator('[data-testid="stream-event"][data-event="engine.event"]');
  // A rotation: a raw `qr` engine event and a session.status envelope.
  await double.rotate();
  await expect(page.locator('[data-testid="stream-event"][data-event="session.status"]').first()).toBeVisible({ timeout: 15_000 });
  await expect(engine).toHaveCount(0);

  await page.getByRole("switch", { name: "Raw engine events" }).click();
  await expect(engine.first()).toBeVisible();
  await expect(engine.first()).toContainText("qr");
  // Only envelopes are listed: a raw engine message under its library name would be the same event again.
  const names = await events.evaluateAll((items) => items.map((item) => item.getAttribute("data-event")));
  expect(names.filter((name) => name !== "engine.event" && name !== "session.status")).toEqual([]);

  await page.getByRole("switch", { name: "Raw engine events" }).click();
  await expect(engine).toHaveCount(0);
  await page.context().close();
});

test("saving metadata, webhooks or ignore applies to the running session without a restart; other fields warn first", async ({
  browser,
  server,
  api,
  double,
}) => {
  const page = await openSession(browser, server);
  await page.goto(`${server.url}/sessions/${SESSION}/edit`);
  await page.getByRole("tab", { name: "Raw JSON" }).click();
  const editor = page.getByLabel("Request body as JSON");
  const body = JSON.parse(await editor.inputValue()) as { config: Record<string, unknown> };
  const saveButton = page.getByRole("button", { name: /^Save/ });
  await expect(saveButton).toHaveText("Save");
  await expect(page.getByText("Saving restarts this session")).toHaveCount(0);

  // A field the browser reads: the warning names it and the button says it restarts.
  await editor.fill(JSON.stringify({ config: { ...body.config, debug: true } }));
  await expect(page.getByText("Saving restarts this session")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Saving restarts this session" })).toContainText("Debug logs");
  await expect(saveButton).toHaveText("Save and restart");

  // Metadata only: saved at once, no question, no restart.
  await editor.fill(JSON.stringify({ config: { ...body.config, metadata: { tenant: "acme" } } }));
  await expect(page.getByText("Saving restarts this session")).toHaveCount(0);
  await saveButton.click();
  await expect(page).toHaveURL(`${server.url}/sessions/${SESSION}`);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const session = (await api.get<{ status: string; statuses: { reason?: string | null }[] }>(`/api/sessions/${SESSION}`)).body;
  expect(session.status).toBe("SCAN_QR_CODE");
  expect(session.statuses.map((s) => s.reason)).not.toContain("config updated");

  // The next event carries the new metadata.
  const seen = receiver.requests.length;
  await double.rotate();
  await expect
    .poll(() => receiver.requests.slice(seen).map((r) => (JSON.parse(r.body.toString()) as { metadata?: unknown }).metadata), {
      timeout: 15_000,
    })
    .toContainEqual({ tenant: "acme" });
  await page.context().close();
});

test("a QR code whose time ran out before the next one arrived is blurred and says it expired", async ({ browser, server }) => {
  const page = await openSession(browser, server);
  const canvas = page.getByTestId("qr-canvas");
  await expect(canvas).toBeVisible({ timeout: 45_000 });
  await expect(canvas).not.toHaveAttribute("data-stale", /.*/);
  // The page's clock jumps past the code's lifetime (its timers keep running); the double rotates no code meanwhile.
  await page.clock.install();
  await page.clock.setSystemTime(Date.now() + 61_000);
  await expect(canvas).toHaveAttribute("data-stale", "expired");
  await expect(page.getByTestId("qr-stale")).toContainText("This code expired");
  await expect(page.getByTestId("qr-countdown")).toHaveAttribute("data-seconds-left", "0");
  await page.context().close();
});
