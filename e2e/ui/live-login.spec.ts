import type { Page } from "@playwright/test";
import jsQR from "jsqr";
import { eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The live login panel against the real engine (whatsapp-web.js + Chromium) and the WhatsApp Web
 * double playing the phone: the QR is drawn from the pushed value, follows every rotation with its
 * countdown, and the page turns WORKING on the scan, all without a reload.
 */

const browserErrors = new BrowserErrors();

// One retry, as in live-updates.spec.ts: in a full CI run a fresh session once stayed STARTING with no
// QR for 45 s (the same stall seen there; one cause found, maybe not the only one: docs/session-health.md).
test.describe.configure({ mode: "serial", retries: 1 });
test.setTimeout(120_000);
test.use({ serverOptions: { withDouble: true, env: DASHBOARD_ENV } });

test.afterEach(() => browserErrors.expectNone());

const rawQr = async (api: ApiClient, name: string) => (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;

/** What the page's QR canvas encodes, read back from its pixels. */
async function shownQr(page: Page): Promise<string | null> {
  const image = await page.getByTestId("qr-canvas").evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(data.data), width: data.width, height: data.height };
  });
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

test("QR pushed and drawn in the browser, rotation with countdown, scan -> WORKING live", async ({ browser, double, server, api }) => {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  const list = await context.newPage();
  await list.goto(`${server.url}/sessions`);

  expect((await api.post("/api/sessions", { name: "alice", start: true, config: { metadata: { team: "qa" } } })).status).toBe(201);
  await page.goto(`${server.url}/sessions/alice`);

  const canvas = page.getByTestId("qr-canvas");
  await expect(canvas).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "SCAN_QR_CODE");
  const first = await rawQr(api, "alice");
  await expect.poll(() => shownQr(page)).toBe(first);
  const countdown = page.getByTestId("qr-countdown");
  await expect(countdown).toContainText(/Refreshes in \d+ s/);
  expect(Number(await countdown.getAttribute("data-seconds-left"))).toBeGreaterThan(20);
  await screenshot(page, "session-qr");

  // WhatsApp rotates the code: the new one is pushed and drawn, with the shorter lifetime.
  await double.rotate();
  await expect(canvas).toHaveAttribute("data-qr-rotation", "1", { timeout: 15_000 });
  const second = await eventually(
    () => rawQr(api, "alice"),
    (value) => value !== first,
  );
  await expect.poll(() => shownQr(page)).toBe(second);
  expect(Number(await countdown.getAttribute("data-seconds-left"))).toBeLessThanOrEqual(20);

  // The list page (opened before the session existed) shows it, and follows its status live.
  const row = list.locator('[data-testid="session-row"][data-session="alice"]');
  await expect(row.getByTestId("status-badge")).toHaveAttribute("data-status", "SCAN_QR_CODE", { timeout: 15_000 });

  await double.scan(second, { user: "15550001111", pushname: "Alice" });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING", { timeout: 30_000 });
  await expect(page.getByTestId("me")).toContainText("+15550001111");
  await expect(page.getByTestId("me")).toContainText("Alice");
  await expect(canvas).toHaveCount(0);
  await expect(page.getByTestId("status-timeline")).toContainText("Working");
  // Raw engine events (whatsapp-web.js's own: qr, authenticated, ready, ...) stream in live.
  await page.getByRole("switch", { name: "Raw engine events" }).click();
  await expect(page.getByTestId("event-stream")).toContainText(/authenticated|ready/);
  await expect(row.getByTestId("status-badge")).toHaveAttribute("data-status", "WORKING");
  await expect(row).toContainText("+15550001111");
  await screenshot(page, "session-working");
  await screenshot(list, "sessions-live");

  // The screenshot viewer shows the session's browser page.
  await page.getByRole("tab", { name: "Screenshot" }).click();
  await page.getByRole("button", { name: "Take screenshot" }).click();
  await expect(page.getByTestId("screenshot")).toBeVisible({ timeout: 15_000 });
  await context.close();
});

test("pairing code: requested from the page, entered on the phone -> WORKING", async ({ browser, double, server, api }) => {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  expect((await api.post("/api/sessions", { name: "bob", start: true })).status).toBe(201);
  await page.goto(`${server.url}/sessions/bob`);
  await expect(page.getByTestId("qr-canvas")).toBeVisible({ timeout: 45_000 });

  await page.getByLabel("Phone number").fill("+1 555 000 2222");
  await page.getByRole("button", { name: "Get code" }).click();
  const code = page.getByTestId("pairing-code");
  await expect(code).toHaveText(/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/, { timeout: 20_000 });
  await screenshot(page, "session-pairing-code");
  await double.enterCode((await code.textContent())!.trim());
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING", { timeout: 30_000 });
  await expect(page.getByTestId("me")).toContainText("+15550002222");
  await context.close();
});

test("log out from the page asks first, then the session wants a new QR", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/bob`);
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("dialog")).toContainText("Log out of WhatsApp?");
  await page.getByRole("dialog").getByRole("button", { name: "Log out" }).click();
  await expect(page.getByTestId("qr-canvas")).toBeVisible({ timeout: 45_000 });
  await context.close();
});
