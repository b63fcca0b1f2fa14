import type { Browser, Page } from "@playwright/test";
import type { TSession } from "@/lib/session";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The dashboard's view of session health, each live path driven with the panel it updates open: the
 * health panel (every probe, presence, version), the restriction banners (a timelock and a cap start
 * and end in the WhatsApp Web double), and the sessions list (a fault's reason and failures in a row,
 * a restriction's chip). Nothing here polls: the pages change because the server pushed.
 */

const SESSION = "watched";
const USER = "15550030001";
const browserErrors = new BrowserErrors();

test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);
test.use({
  serverOptions: {
    withDouble: true,
    env: {
      ...DASHBOARD_ENV,
      SWITCHBOARD_HEALTH_INTERVAL_SECONDS: "1",
      SWITCHBOARD_HEALTH_TIMEOUT_SECONDS: "3",
      SWITCHBOARD_RESTART_DELAY_SECONDS: "1",
      SWITCHBOARD_MAX_CONSECUTIVE_FAILURES: "5",
      SWITCHBOARD_QR_STALE_SECONDS: "600",
    },
  },
});

test.beforeAll(async ({ api, double }) => {
  expect((await api.post("/api/sessions", { name: SESSION })).status).toBe(201);
  await expect
    .poll(async () => (await api.get<TSession>(`/api/sessions/${SESSION}`)).body.status, { timeout: 45_000 })
    .toBe("SCAN_QR_CODE");
  const qr = (await api.get<{ value: string }>(`/api/${SESSION}/auth/qr?format=raw`)).body.value;
  await double.scan(qr, { user: USER, pushname: "Watched" });
  await expect
    .poll(async () => (await api.get<TSession>(`/api/sessions/${SESSION}`)).body.me?.lid ?? null, { timeout: 45_000 })
    .not.toBeNull();
});

test.afterEach(() => browserErrors.expectNone());

async function open(browser: Browser, server: RunningServer, path: string): Promise<Page> {
  const context = browserErrors.watch(await newClient(browser));
  const page = await context.newPage();
  await login(page, server);
  await page.goto(`${server.url}${path}`);
  await expect(page.getByTestId("realtime-state")).toContainText("Live");
  return page;
}

const banner = (page: Page, kind: string) => page.locator(`[data-testid="restriction-banner"][data-restriction="${kind}"]`);

test("session page open: the last probe, presence and version follow the server; a timelock and a cap raise banners and lower them", async ({
  browser,
  server,
  double,
}) => {
  const page = await open(browser, server, `/sessions/${SESSION}`);
  const lastProbe = page.getByTestId("last-probe");
  const firstProbe = Number(await lastProbe.getAttribute("data-last-probe"));
  // Every probe is pushed: the page shows a later one without fetching.
  await expect.poll(async () => Number(await lastProbe.getAttribute("data-last-probe")), { timeout: 15_000 }).toBeGreaterThan(firstProbe);
  await expect(page.getByTestId("web-version")).toHaveText(double.version);
  await expect(page.getByTestId("me-lid")).toContainText("@lid");
  await expect(page.getByTestId("health-failures")).toHaveAttribute("data-failures", "0");

  await double.setAvailability({ user: USER }, true);
  await expect(page.getByTestId("presence")).toHaveAttribute("data-presence", "online", { timeout: 15_000 });
  await double.setAvailability({ user: USER }, false);
  await expect(page.getByTestId("presence")).toHaveAttribute("data-presence", "offline", { timeout: 15_000 });

  await expect(banner(page, "reachout-timelock")).toHaveCount(0);
  await double.startTimelock({ user: USER }, { endsInMs: 3600_000 });
  await expect(banner(page, "reachout-timelock")).toContainText("WhatsApp refuses messages to new contacts", { timeout: 15_000 });
  await expect(banner(page, "reachout-timelock")).toContainText("RESTRICT_ALL_COMPANIONS");
  await expect(page.getByTestId("status-timeline")).toContainText("reachout timelock: messages to new contacts are refused");

  const cycleEnd = Math.floor(Date.now() / 1000) + 3 * 24 * 3600;
  await double.setCapping(
    { user: USER },
    { cappingStatus: "CAPPED", totalQuota: 50, usedQuota: 50, cycleStart: cycleEnd - 7 * 86_400, cycleEnd },
  );
  await expect(banner(page, "message-capping")).toContainText("50 of 50 new chats used this cycle", { timeout: 15_000 });
  await screenshot(page, "session-restrictions");

  await double.endTimelock({ user: USER });
  await expect(banner(page, "reachout-timelock")).toHaveCount(0, { timeout: 15_000 });
  await double.setCapping({ user: USER }, null);
  await expect(banner(page, "message-capping")).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING");
  await page.context().close();
});

test("sessions list open: a fault shows its reason and the failures in a row, a timelock its chip, each as it happens", async ({
  browser,
  server,
  double,
}) => {
  const page = await open(browser, server, "/sessions");
  const row = page.locator(`[data-testid="session-row"][data-session="${SESSION}"]`);
  await expect(row.getByTestId("status-badge")).toHaveAttribute("data-status", "WORKING");
  await expect(row.getByTestId("session-attempts")).toHaveCount(0);

  await double.conflict({ user: USER });
  await expect(row.getByTestId("session-attempts")).toHaveText("1/5 failure", { timeout: 15_000 });
  await expect(row.getByTestId("session-reason")).toContainText(/CONFLICT|automatic restart/);
  // The automatic restart brings it back by itself; the count stays until it has been stable a while.
  await expect(row.getByTestId("status-badge")).toHaveAttribute("data-status", "WORKING", { timeout: 45_000 });
  await expect(row.getByTestId("session-attempts")).toHaveText("1/5 failure");

  await double.startTimelock({ user: USER }, { endsInMs: 3600_000 });
  await expect(row.getByTestId("session-restriction")).toHaveText("Timelocked", { timeout: 15_000 });
  await expect(row.getByTestId("session-reason")).toContainText("reachout timelock");
  await screenshot(page, "sessions-health");
  await double.endTimelock({ user: USER });
  await expect(row.getByTestId("session-restriction")).toHaveCount(0, { timeout: 15_000 });
  await page.context().close();
});
