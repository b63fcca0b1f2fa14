import type { Page } from "@playwright/test";
import jsQR from "jsqr";
import { apiClient, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The Keys page (create with the key shown once, deactivate, delete, last use) and the QR link: one
 * session's live QR opened without the dashboard login, from the session's control key, against the real
 * engine and the WhatsApp Web double playing the phone.
 */

const browserErrors = new BrowserErrors();

test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);
test.use({ serverOptions: { withDouble: true, env: DASHBOARD_ENV } });

test.afterEach(() => browserErrors.expectNone());

type ApiKey = { id: string; key: string; isActive: boolean; lastUsedAt: string | null };

const rawQr = async (api: ApiClient, name: string) => (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;

async function shownQr(page: Page): Promise<string | null> {
  const image = await page.getByTestId("qr-link-canvas").evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(data.data), width: data.width, height: data.height };
  });
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

test("Keys page: a session key created with its actions is shown once, then masked; deactivate, last use, delete", async ({
  browser,
  server,
  api,
}) => {
  expect((await api.post("/api/sessions", { name: "shop", start: false })).status).toBe(201);
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/keys$/);

  await page.locator("#key-session").selectOption("shop");
  await page.locator('input[name="action-control"]').check();
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = (await page.getByTestId("created-key").textContent())!;
  expect(shown).toMatch(/^key_[A-Za-z0-9_-]{32}$/);
  await expect(page.getByRole("button", { name: "Copy the key" })).toBeVisible();
  await screenshot(page, "api-keys");

  const [created] = (await api.get<ApiKey[]>("/api/keys")).body;
  const row = page.locator(`tr[data-key-id="${created.id}"]`);
  await expect(row).toContainText(shown.slice(0, 12));
  await expect(row).not.toContainText(shown);
  await expect(row).toContainText("read");
  await expect(row).toContainText("control");
  await expect(row).toContainText("never");

  // Used once: its last use appears (written within a second or so, at most once a minute after).
  expect((await apiClient({ url: server.url, apiKey: shown }).get("/api/sessions/shop")).status).toBe(200);
  await expect.poll(async () => (await api.get<ApiKey[]>("/api/keys")).body[0].lastUsedAt, { timeout: 10_000 }).not.toBeNull();
  await page.reload();
  await expect(row).not.toContainText("never");

  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("inactive");
  expect((await apiClient({ url: server.url, apiKey: shown }).get("/api/sessions/shop")).status).toBe(401);
  await row.getByRole("button", { name: /^Delete key/ }).click();
  await page.getByRole("button", { name: "Delete key", exact: true }).click();
  await expect(row).toHaveCount(0);
  expect((await api.get<ApiKey[]>("/api/keys")).body).toEqual([]);
  await context.close();
});

test("QR link: opened without the dashboard login, it shows the session's live QR; scanned, it says so", async ({
  browser,
  double,
  server,
  api,
}) => {
  expect((await api.post("/api/sessions", { name: "front-desk", start: true })).status).toBe(201);
  const admin = browserErrors.watch(await newClient(browser));
  const page = await admin.newPage();
  await login(page, server);
  await page.goto(`${server.url}/keys`);
  await page.locator("#qr-session").selectOption("front-desk");
  await page.getByRole("button", { name: "Make QR link" }).click();
  const link = (await page.getByTestId("qr-link").getAttribute("href"))!;
  expect(link).toMatch(/\/link\/front-desk#key=key_/);

  // Another person: a browser with no dashboard login.
  const person = browserErrors.watch(await newClient(browser));
  const linkPage = await person.newPage();
  await linkPage.goto(link);
  await expect(linkPage.getByTestId("qr-link-canvas")).toBeVisible({ timeout: 45_000 });
  await expect.poll(() => shownQr(linkPage)).toBe(await rawQr(api, "front-desk"));
  await screenshot(linkPage, "qr-link");

  // The link's key reaches nothing but the session's lifecycle and pairing.
  const key = decodeURIComponent(link.split("#key=")[1]);
  const scoped = apiClient({ url: server.url, apiKey: key });
  expect((await scoped.get("/api/sessions")).status).toBe(403);
  expect((await scoped.get("/api/sessions/front-desk")).status).toBe(403);
  expect((await scoped.get("/api/keys")).status).toBe(403);
  // Without its key the page says so.
  await linkPage.goto(link.split("#")[0]);
  await expect(linkPage.getByText("This link lacks its key")).toBeVisible();

  await linkPage.goto(link);
  await expect(linkPage.getByTestId("qr-link-canvas")).toBeVisible({ timeout: 15_000 });
  await double.scan(await rawQr(api, "front-desk"), { user: "15550003333", pushname: "Desk" });
  await expect(linkPage.getByTestId("qr-link-message")).toBeVisible({ timeout: 30_000 });
  await admin.close();
  await person.close();
});
