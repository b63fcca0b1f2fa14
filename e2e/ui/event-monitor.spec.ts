import type { Browser, Page } from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import { checkServerMessage } from "../../lib/realtime-messages";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The event monitor (/events) open while sessions of the TEST ONLY fake engine emit a numbered `message`
 * every few hundred ms (metadata fake.eventEveryMs): every session's envelopes stream in, the filters
 * narrow them, Pause freezes the list while events keep arriving; on a phone and in dark mode too. A
 * Socket.IO client of the spec's own subscribes to `*` beside the page and checks every pushed message
 * against its schema, and any page or console error fails the test (the page drops and logs a message
 * that fails its schema). Also the Workers page outside cluster mode, which only explains and shows this server.
 */

const browserErrors = new BrowserErrors();
const PACE = { "fake.eventEveryMs": "300" };
let wire: Socket;
const wireProblems: string[] = [];
let wireEvents = 0;

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { ...DASHBOARD_ENV, SWITCHBOARD_TEST_ENGINE: "fake" } } });

test.beforeAll(async ({ server }) => {
  wire = io(server.url, { auth: { apiKey: server.apiKey }, transports: ["websocket"], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    wire.on("connect", () => resolve());
    wire.on("connect_error", reject);
  });
  for (const name of ["event", "engine.event", "session.status"] as const) {
    wire.on(name, (payload: unknown) => {
      const checked = checkServerMessage(name, payload);
      if (!checked.ok) wireProblems.push(`${name}: ${checked.issues.join("; ")}`);
      if (name === "event") wireEvents++;
    });
  }
  await wire.emitWithAck("subscribe", { session: "*" });
});

test.afterEach(() => {
  browserErrors.expectNone();
  expect(wireProblems, "pushed messages that fail their schema").toEqual([]);
});

test.afterAll(() => {
  wire?.close();
});

async function openMonitor(browser: Browser, server: RunningServer, options: Parameters<typeof newClient>[1] = {}): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, server);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByTestId("monitor-state")).toHaveAttribute("data-state", "connected");
  return page;
}

const rows = (page: Page) => page.getByTestId("monitor-event");
const attributes = (page: Page, name: string) =>
  rows(page).evaluateAll((items, attribute) => items.map((item) => item.getAttribute(attribute)), name);

test("open while sessions start and emit: every session's events stream in, and the filters narrow them", async ({
  browser,
  server,
  api,
}) => {
  const page = await openMonitor(browser, server);
  await expect(page.getByText("Listening for events…")).toBeVisible();
  for (const name of ["mon-a", "mon-b"]) {
    expect((await api.post("/api/sessions", { name, config: { metadata: PACE } })).status).toBe(201);
  }

  // Both sessions' status changes and their numbered messages, pushed only.
  await expect(rows(page).filter({ hasText: "mon-a" }).filter({ hasText: "WORKING" }).first()).toBeVisible({ timeout: 20_000 });
  await expect(rows(page).filter({ hasText: "mon-b" }).filter({ hasText: '"seq":3' }).first()).toBeVisible({ timeout: 20_000 });
  await expect(rows(page).filter({ hasText: "engine.event" }).first()).toContainText("message");

  await page.getByLabel("Filter by session").selectOption("mon-a");
  await expect(page).toHaveURL(/[?&]session=mon-a/);
  await expect.poll(async () => new Set(await attributes(page, "data-session"))).toEqual(new Set(["mon-a"]));
  // New events of the other session keep arriving, and stay hidden.
  const count = await rows(page).count();
  await expect.poll(() => rows(page).count(), { timeout: 15_000 }).toBeGreaterThan(count);
  expect(new Set(await attributes(page, "data-session"))).toEqual(new Set(["mon-a"]));

  await page.getByLabel("Filter by event").selectOption("session.status");
  await expect.poll(async () => new Set(await attributes(page, "data-event"))).toEqual(new Set(["session.status"]));
  await expect(rows(page).first()).toContainText("WORKING");

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect.poll(async () => new Set(await attributes(page, "data-session"))).toEqual(new Set(["mon-a", "mon-b"]));

  // The text filter searches the envelope's content: one numbered message of one session.
  await page.getByLabel("Search events").fill('"seq":2,"session":"mon-b"');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toHaveAttribute("data-session", "mon-b");
  await rows(page).getByText("engine.event", { exact: true }).click();
  await expect(rows(page).locator("pre")).toContainText('"environment"');
  await expect(rows(page).getByRole("link", { name: "Open mon-b" })).toHaveAttribute("href", "/sessions/mon-b");

  // A filtered view can be linked: the filters come back from the address.
  await page.getByLabel("Search events").fill("");
  await page.getByRole("button", { name: "mon-b" }).first().click();
  await expect(page).toHaveURL(/[?&]session=mon-b/);
  await page.reload();
  await expect(page.getByLabel("Filter by session")).toHaveValue("mon-b");
  await expect(rows(page).first()).toHaveAttribute("data-session", "mon-b", { timeout: 15_000 });
  await screenshot(page, "event-monitor-desktop");
  await page.context().close();
});

test("Pause freezes the list while events keep arriving; Resume shows them, Clear empties it", async ({ browser, server }) => {
  const page = await openMonitor(browser, server);
  await expect(rows(page).nth(4)).toBeVisible({ timeout: 15_000 });
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("monitor-state")).toHaveAttribute("data-state", "paused");
  const frozen = await attributes(page, "data-key");
  const before = wireEvents;

  const resume = page.getByRole("button", { name: /^Resume \(\d+ new\)$/ });
  await expect(resume).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => wireEvents).toBeGreaterThan(before + 3);
  expect(await attributes(page, "data-key")).toEqual(frozen);

  await resume.click();
  await expect(page.getByTestId("monitor-state")).toHaveAttribute("data-state", "connected");
  await expect.poll(async () => (await attributes(page, "data-key"))[0]).not.toBe(frozen[0]);
  expect((await attributes(page, "data-key")).length).toBeGreaterThan(frozen.length);

  // Cleared: every row shown afterwards arrived after the click.
  const cleared = await attributes(page, "data-key");
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(rows(page).first()).toBeVisible({ timeout: 15_000 });
  await expect.poll(async () => (await attributes(page, "data-key")).filter((key) => cleared.includes(key!))).toEqual([]);
  await page.context().close();
});

test("on a phone in dark mode: live events fit the screen, and a row opens to its envelope", async ({ browser, server }) => {
  const page = await openMonitor(browser, server, { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await expect(rows(page).nth(4)).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(page.locator("html")).toHaveClass(/dark/);

  // Located by its key: new rows keep arriving above it.
  const key = await rows(page).filter({ hasText: "engine.event" }).first().getAttribute("data-key");
  const row = page.locator(`[data-testid="monitor-event"][data-key="${key}"]`);
  await row.getByText("engine.event", { exact: true }).click();
  await expect(row.locator("pre")).toContainText('"seq"');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, "event-monitor-phone-dark");
  await page.context().close();
});

test("outside cluster mode the Workers page is not in the menu, explains why, and shows this server's load live", async ({
  browser,
  server,
  api,
}) => {
  const page = await openMonitor(browser, server);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" })).toHaveCount(0);
  await page.goto(`${server.url}/workers`);
  await expect(page.getByText("Not in cluster mode", { exact: true })).toBeVisible();
  const worker = page.getByTestId("worker");
  await expect(worker).toHaveCount(1);
  await expect(worker.getByTestId("worker-state")).toHaveText("Alive");
  await expect(worker.getByTestId("worker-lease")).toContainText("None");
  const running = (await api.get<{ name: string; status: string }[]>("/api/sessions")).body.filter((s) => s.status === "WORKING").length;
  await expect(worker.getByTestId("worker-load")).toContainText(`${running} session`);

  // Refreshed by itself: a session started meanwhile is counted.
  expect((await api.post("/api/sessions", { name: "mon-c" })).status).toBe(201);
  await expect(worker.getByTestId("worker-load")).toContainText(`${running + 1} session`, { timeout: 15_000 });
  await screenshot(page, "workers-embedded");
  await page.context().close();
});
