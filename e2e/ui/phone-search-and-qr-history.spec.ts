import type { Browser, Page } from "@playwright/test";
import { eventually, type ApiClient } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import type { WhatsAppWebDouble } from "../support/whatsapp-web-double/double";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * Against the real engine and the WhatsApp Web double playing the phone: QR refreshes are one entry of the
 * status history with a count, and minutes of them never push the phone's logout out of it; a phone number
 * typed as the list shows it (or formatted) finds its session, in the table and on a phone's cards; the create
 * form refuses the name `new` (the create page's own) next to the field.
 */

const browserErrors = new BrowserErrors();

// One retry, as in live-login.spec.ts: a fresh session once stayed STARTING with no QR in a full CI run.
test.describe.configure({ mode: "serial", retries: 1 });
test.setTimeout(180_000);
test.use({ serverOptions: { withDouble: true, env: DASHBOARD_ENV } });

test.afterEach(() => browserErrors.expectNone());

type Session = { status: string; statuses: { status: string; reason: string | null; count?: number }[] };
type HistoryEntry = { status: string; reason: string | null; count?: number };

const PHONE = { berlin: "4915112345678", hamburg: "4917012345678" };
const PHONE_PAGE = { width: 390, height: 844 };

async function signedIn(browser: Browser, server: RunningServer, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, { viewport })).newPage();
  await login(page, server);
  return page;
}

const getSession = async (api: ApiClient, name: string) => (await api.get<Session>(`/api/sessions/${name}`)).body;
const rawQr = async (api: ApiClient, name: string) => (await api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`)).body.value;

/** The QR codes the latest status entry counts; 0 unless the session waits for a scan. */
async function qrCodes(api: ApiClient, name: string): Promise<number> {
  const latest = (await getSession(api, name)).statuses.at(-1);
  return latest?.status === "SCAN_QR_CODE" ? (latest.count ?? 1) : 0;
}

/** Has WhatsApp rotate the code `times` times, each once the session counted the one before (none is lost). */
async function rotate(double: WhatsAppWebDouble, api: ApiClient, name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const before = await qrCodes(api, name);
    await double.rotate();
    await eventually(
      () => qrCodes(api, name),
      (codes) => codes === before + 1,
    );
  }
}

/** A started session, waiting for a scan, then logged in as `phone`. */
async function loggedIn(double: WhatsAppWebDouble, api: ApiClient, name: string, phone: string, pushname: string): Promise<void> {
  await eventually(
    () => qrCodes(api, name),
    (codes) => codes > 0,
    60_000,
  );
  await double.scan(await rawQr(api, name), { user: phone, pushname });
  await eventually(
    async () => (await getSession(api, name)).status,
    (status) => status === "WORKING",
    30_000,
  );
}

const timeline = (page: Page) => page.getByTestId("status-timeline").getByTestId("status-entry");

test("QR refreshes are one history entry with a count; the phone's logout stays however many follow", async ({
  browser,
  server,
  api,
  double,
}) => {
  expect((await api.post("/api/sessions", { name: "berlin", start: true })).status).toBe(201);
  await eventually(
    () => qrCodes(api, "berlin"),
    (codes) => codes > 0,
    60_000,
  );
  await rotate(double, api, "berlin", 3);

  // Opened mid-login: the QR's number and countdown come from the entry's count and its last code's time.
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/berlin`);
  await expect(page.getByTestId("qr-canvas")).toHaveAttribute("data-qr-rotation", "3");
  await expect(page.getByText("Code 4")).toBeVisible();
  expect(Number(await page.getByTestId("qr-countdown").getAttribute("data-seconds-left"))).toBeLessThanOrEqual(20);
  await expect(timeline(page)).toHaveCount(2);
  await expect(timeline(page).first()).toHaveAttribute("data-status", "SCAN_QR_CODE");
  await expect(timeline(page).first()).toHaveAttribute("data-count", "4");
  await expect(timeline(page).first().getByTestId("status-qr-count")).toContainText("4 QR codes in a row, the last at");

  // The next code is counted live, in the same entry.
  await rotate(double, api, "berlin", 1);
  await expect(timeline(page).first()).toHaveAttribute("data-count", "5");
  await expect(page.getByTestId("qr-canvas")).toHaveAttribute("data-qr-rotation", "4");
  await expect(timeline(page)).toHaveCount(2);

  await double.scan(await rawQr(api, "berlin"), { user: PHONE.berlin, pushname: "Berlin desk" });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING", { timeout: 30_000 });

  // The phone logs out; the operator starts the session again and nobody scans for seven minutes' worth of codes:
  // 22 codes, more than the 20 entries kept, and the logout is still there.
  await double.logout({ user: PHONE.berlin });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "FAILED", { timeout: 30_000 });
  expect((await api.post("/api/sessions/berlin/start")).status).toBe(201);
  await expect(page.getByTestId("qr-canvas")).toBeVisible({ timeout: 60_000 });
  await rotate(double, api, "berlin", 21);

  const expected = [
    ["SCAN_QR_CODE", "22"],
    ["STARTING", "1"],
    ["FAILED", "1"],
    ["WORKING", "1"],
    ["SCAN_QR_CODE", "5"],
    ["STARTING", "1"],
  ];
  await expect
    .poll(() => timeline(page).evaluateAll((items) => items.map((item) => [item.dataset.status, item.dataset.count])))
    .toEqual(expected);
  await expect(timeline(page).nth(2)).toContainText("LOGOUT");
  await expect(timeline(page).first().getByTestId("status-qr-count")).toContainText("22 QR codes in a row");
  await screenshot(page, "status-history-qr-folded");

  // The stored history folds them the same way.
  const history = (await api.get<HistoryEntry[]>("/api/sessions/berlin/history")).body;
  expect(history.map((entry) => [entry.status, String(entry.count ?? 1)])).toEqual(expected);

  // On a phone the entry reads the same.
  const phone = await signedIn(browser, server, PHONE_PAGE);
  await phone.goto(`${server.url}/sessions/berlin`);
  await expect(timeline(phone).first().getByTestId("status-qr-count")).toBeVisible();
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_PAGE.width);
  await screenshot(phone, "status-history-qr-folded-phone");
  await phone.context().close();
  await page.context().close();
});

test("a phone number as the list shows it, or formatted, finds its session: table and phone cards", async ({
  browser,
  server,
  api,
  double,
}) => {
  expect((await api.post("/api/sessions", { name: "hamburg", start: true })).status).toBe(201);
  // A stopped session whose name holds the same digits: found by bare digits, not by a formatted number.
  expect((await api.post("/api/sessions", { name: "desk-49170", start: false })).status).toBe(201);
  await loggedIn(double, api, "hamburg", PHONE.hamburg, "Hamburg desk");

  const page = await signedIn(browser, server);
  const search = page.getByRole("searchbox", { name: "Search sessions" });
  const rows = page.getByTestId("session-row");
  // The number as the list shows it.
  await expect(page.locator('[data-testid="session-row"][data-session="hamburg"]')).toContainText(`+${PHONE.hamburg}`);

  for (const typed of [`+${PHONE.hamburg}`, "+49 170 1234-5678", "+49 (170) 12345678"]) {
    await search.fill(typed);
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe(typed);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-session", "hamburg");
  }
  await search.fill("49170");
  await expect(rows).toHaveCount(2);
  await screenshot(page, "sessions-phone-search");
  await page.context().close();

  const phone = await signedIn(browser, server, PHONE_PAGE);
  await phone.goto(`${server.url}/sessions?q=${encodeURIComponent("+49 170 1234-5678")}`);
  const cards = phone.getByTestId("session-card");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAttribute("data-session", "hamburg");
  await expect(cards.first()).toContainText(`+${PHONE.hamburg}`);
  await expect(phone.getByRole("searchbox", { name: "Search sessions" })).toHaveValue("+49 170 1234-5678");
  await screenshot(phone, "sessions-phone-search-phone");
  await phone.context().close();
});

test("the create form refuses the name `new` next to the field, as the API does", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/new`);
  await page.getByLabel(/^Name/).fill("new");
  await page.getByRole("button", { name: "Create session" }).click();
  await expect(page.locator("#f-name-error")).toContainText("is reserved");
  await expect(page.getByLabel(/^Name/)).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sessions\/new$/);
  expect((await api.get("/api/sessions/new")).status).toBe(404);
  await page.context().close();
});
