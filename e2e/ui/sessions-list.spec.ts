import type { Browser, Page, Request } from "@playwright/test";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The sessions list at scale, on sessions of the TEST ONLY fake engine (WORKING a moment after a start): search
 * fetched directly (no navigation, a spinner while it loads, the URL kept in sync), pages prefetched only on
 * intent, whole rows clickable, sortable headers, status chips with live counts, filters re-applied after a
 * live status change, a FAILED session's hint matching its reason, and bulk actions on the rows shown or on
 * every matching session (log out, delete), on a phone too.
 */

const browserErrors = new BrowserErrors();
const LIST = Array.from({ length: 30 }, (_, i) => `list-${String(i).padStart(2, "0")}`);
const WORKING = ["list-00", "list-01", "list-02"];

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { ...DASHBOARD_ENV, SWITCHBOARD_TEST_ENGINE: "fake" } } });

test.beforeAll(async ({ api }) => {
  for (const name of LIST) {
    const created = await api.post("/api/sessions", { name, start: WORKING.includes(name), config: { metadata: { tenant: "acme" } } });
    expect(created.status).toBe(201);
  }
  // A start the fake engine refuses, saying why: FAILED, and not restarted automatically.
  expect((await api.post("/api/sessions", { name: "broken", config: { metadata: { "fake.eventEveryMs": "soon" } } })).status).toBe(201);
  await eventually(
    async () => (await api.get<{ name: string; status: string }[]>("/api/sessions")).body.map((s) => s.status).sort(),
    (statuses) => statuses.join() === "FAILED,WORKING,WORKING,WORKING",
  );
});

test.afterEach(() => browserErrors.expectNone());

async function signedIn(browser: Browser, server: RunningServer, options?: Parameters<typeof newClient>[1]): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, server);
  return page;
}

const rows = (page: Page) => page.getByTestId("session-row");
const isRsc = (request: Request) => request.headers()["rsc"] === "1";
const isPrefetch = (request: Request) => isRsc(request) && request.headers()["next-router-prefetch"] === "1";
const chip = (page: Page, status: string) => page.locator(`[data-testid="status-chip"][data-status="${status}"]`);

test("the first page of the list comes in the HTML, for its filters, and never without a login", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  // The page as the server sends it, before any script runs.
  const html = await (await page.context().request.get(`${server.url}/sessions?q=list-2&limit=25`)).text();
  const names = [...html.matchAll(/<tr[^>]*data-testid="session-row"[^>]*data-session="([^"]+)"/g)].map((match) => match[1]);
  expect(names).toEqual(LIST.filter((name) => name.startsWith("list-2")));
  // The browser then asks for the same page itself (the live status starts from a fresh answer), and shows it.
  const asked = page.waitForRequest(
    (request) => new URL(request.url()).pathname === "/api/sessions" && new URL(request.url()).searchParams.get("q") === "list-2",
  );
  await page.goto(`${server.url}/sessions?q=list-2&limit=25`);
  await asked;
  await expect(rows(page)).toHaveCount(10);
  await page.context().close();

  const signedOut = await (await newClient(browser)).request.get(`${server.url}/sessions?q=list-2`, { maxRedirects: 0 });
  expect(signedOut.status()).toBe(307);
  expect(signedOut.headers().location).toContain("/login");
  // The redirect names the page asked for (list-2 in its callbackUrl), never a session of it.
  const body = await signedOut.text();
  expect(body).not.toContain("data-session=");
  expect(body).not.toContain("list-20");
});

test("search asks the API directly: no navigation, a spinner while it loads, the URL in sync", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await expect(rows(page)).toHaveCount(31);
  const navigations: string[] = [];
  page.on("request", (request) => void (isRsc(request) && !isPrefetch(request) && navigations.push(request.url())));
  // Hold the answer for the search back, so the loading state can be seen.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname === "/api/sessions" && url.searchParams.get("q") === "list-1" && !url.searchParams.has("status"),
    async (route) => {
      await held;
      await route.continue();
    },
  );

  await page.getByLabel("Search sessions").fill("list-1");
  await expect(page).toHaveURL(/\?q=list-1$/);
  await expect(page.getByTestId("sessions-loading")).toBeVisible();
  await expect(page.getByRole("table")).toHaveAttribute("aria-busy", "true");
  await screenshot(page, "sessions-search-loading");
  release();
  await expect(rows(page)).toHaveCount(10);
  await expect(page.getByTestId("sessions-loading")).toHaveCount(0);
  await expect(page.getByRole("table")).toHaveAttribute("aria-busy", "false");
  expect(navigations, "no navigation round trip for a search").toEqual([]);

  // The URL is the search: a reload shows the same list, and history holds no entry per keystroke.
  await page.reload();
  await expect(page.getByLabel("Search sessions")).toHaveValue("list-1");
  await expect(rows(page)).toHaveCount(10);
  await page.context().close();
});

test("pages are prefetched only on intent, never one per row drawn", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser));
  await login(await context.newPage(), server);
  // A page of its own, whose pointer rests in a corner (after login it would rest over a row).
  const page = await context.newPage();
  const prefetches: string[] = [];
  page.on("request", (request) => void (isPrefetch(request) && prefetches.push(request.url())));
  await page.goto(`${server.url}/sessions`);
  await expect(rows(page)).toHaveCount(31);
  // Let any viewport prefetch happen before counting.
  await page.waitForLoadState("networkidle");
  expect(
    prefetches.filter((url) => url.includes("/sessions/list-")),
    "no session page prefetched for rows drawn",
  ).toEqual([]);

  // The rows come in the HTML: a pointer that enters one before the page is hydrated is never seen as intent.
  // The live socket connects only once the page runs.
  await expect(page.getByTestId("realtime-state")).toHaveAttribute("data-state", "connected");
  await rows(page).filter({ hasText: "list-07" }).hover();
  await expect.poll(() => prefetches.filter((url) => url.includes("/sessions/list-07")).length).toBeGreaterThan(0);
  expect(prefetches.filter((url) => /\/sessions\/list-(?!07)/.test(url))).toEqual([]);
  await context.close();
});

test("the whole row opens its session; its checkbox and chips do not", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  const row = rows(page).filter({ hasText: "list-05" });
  await row.getByRole("checkbox").check();
  await expect(page).toHaveURL(/\/sessions$/);
  await row.getByRole("button", { name: /tenant/ }).click();
  await expect(page).toHaveURL(/\/sessions\?q=tenant%3Dacme$/);
  await row.locator("td").last().click(); // last activity, far from the name
  await expect(page).toHaveURL(/\/sessions\/list-05$/);

  const phone = await signedIn(browser, server, { viewport: { width: 390, height: 844 } });
  await phone.getByTestId("session-card").filter({ hasText: "list-06" }).getByTestId("status-badge").click();
  await expect(phone).toHaveURL(/\/sessions\/list-06$/);
  await page.context().close();
  await phone.context().close();
});

test("the search icon stays inside the input when metadata chips appear", async ({ browser, server }) => {
  for (const viewport of [undefined, { width: 390, height: 844 }]) {
    const page = await signedIn(browser, server, { viewport });
    await page.getByLabel("Search sessions").fill("tenant=acme list");
    await expect(page.getByRole("search")).toContainText("Metadata:");
    const input = (await page.getByLabel("Search sessions").boundingBox())!;
    const icon = (await page.getByTestId("search-icon").boundingBox())!;
    expect(icon.y).toBeGreaterThanOrEqual(input.y);
    expect(icon.y + icon.height).toBeLessThanOrEqual(input.y + input.height);
    expect(icon.x).toBeGreaterThanOrEqual(input.x);
    await screenshot(page, `sessions-search-chips-${viewport ? "phone" : "desktop"}`);
    await page.context().close();
  }
});

test("the name, status, memory and last activity headers sort the list on the server, in the URL", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  const name = page.getByRole("columnheader", { name: /Name/ });
  const memory = page.getByRole("columnheader", { name: /Memory/ });
  await expect(name).toHaveAttribute("aria-sort", "ascending");
  await expect(memory).toHaveAttribute("aria-sort", "none");
  await memory.getByRole("button").click();
  await expect(page).toHaveURL(/\?sort=memory$/);
  await expect(memory).toHaveAttribute("aria-sort", "descending");
  await expect(name).toHaveAttribute("aria-sort", "none");
  const status = page.getByRole("columnheader", { name: /Status/ });
  await status.getByRole("button").click();
  await expect(page).toHaveURL(/\?sort=status$/);
  await expect(status).toHaveAttribute("aria-sort", "ascending");
  await expect(rows(page).first()).toHaveAttribute("data-session", "broken"); // FAILED first
  await expect(rows(page).nth(1)).toHaveAttribute("data-session", "list-00"); // then WORKING, by name
  await expect(rows(page).last()).toHaveAttribute("data-session", "list-29"); // STOPPED last
  const activity = page.getByRole("columnheader", { name: /Last activity/ });
  await activity.getByRole("button").click();
  await expect(page).toHaveURL(/\?sort=activity$/);
  await expect(activity).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByLabel("Sort sessions")).toHaveValue("activity");
  await name.getByRole("button").click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(rows(page).first()).toHaveAttribute("data-session", "broken");
  await page.context().close();
});

test("status chips count the search's sessions, live; a status filter is re-applied after a live change", async ({
  browser,
  server,
  api,
}) => {
  const page = await signedIn(browser, server);
  await expect(chip(page, "WORKING")).toHaveAttribute("data-count", "3");
  await expect(chip(page, "STOPPED")).toHaveAttribute("data-count", "27");
  await expect(chip(page, "FAILED")).toHaveAttribute("data-count", "1");
  await page.getByLabel("Search sessions").fill("list-0");
  await expect(chip(page, "STOPPED")).toHaveAttribute("data-count", "7");
  await page.getByLabel("Search sessions").fill("");
  await expect(chip(page, "STOPPED")).toHaveAttribute("data-count", "27");

  await chip(page, "WORKING").click();
  await expect(page).toHaveURL(/\?status=WORKING$/);
  await expect(rows(page)).toHaveCount(3);
  await screenshot(page, "sessions-status-counts");

  // A session that stops leaves the filtered list; one that starts joins it, without a reload.
  expect((await api.post("/api/sessions/list-01/stop")).status).toBe(201);
  await expect(rows(page).filter({ hasText: "list-01" })).toHaveCount(0);
  await expect(chip(page, "WORKING")).toHaveAttribute("data-count", "2");
  expect((await api.post("/api/sessions/list-20/start")).status).toBe(201);
  await expect(rows(page).filter({ hasText: "list-20" })).toHaveCount(1);
  await expect(rows(page)).toHaveCount(3);
  await expect(chip(page, "WORKING")).toHaveAttribute("data-count", "3");
  await expect(chip(page, "STOPPED")).toHaveAttribute("data-count", "27");
  await page.context().close();
});

test("a FAILED session's hint matches its reason", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  const badge = rows(page).filter({ hasText: "broken" }).getByTestId("status-badge");
  await expect(badge).toHaveAttribute("data-status", "FAILED");
  await expect(badge).toHaveAttribute("title", /fake\.eventEveryMs.*will not restart by itself/);
  await expect(rows(page).filter({ hasText: "list-10" }).getByTestId("status-badge")).toHaveAttribute("title", /Start it/);
  await page.context().close();
});

test("a selection holds only rows shown; select all matching, then log out and delete them, confirmed with a count", async ({
  browser,
  server,
  api,
}) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions?q=list&limit=25`);
  await expect(rows(page)).toHaveCount(25);
  const bar = page.getByTestId("bulk-actions");

  // Another page clears the selection: an action never reaches rows the user cannot see.
  await page.getByRole("checkbox", { name: "Select list-03" }).check();
  await expect(bar).toContainText("1 selected on this page");
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(rows(page)).toHaveCount(5);
  await expect(bar).toHaveCount(0);
  await page.getByRole("button", { name: "Previous page" }).click();

  // Log out two working sessions: asked first, with the count and what it does.
  await page.getByRole("checkbox", { name: "Select list-00" }).check();
  await page.getByRole("checkbox", { name: "Select list-02" }).check();
  await bar.getByRole("button", { name: "Log out" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Log out 2 sessions?");
  await expect(dialog).toContainText("new QR scan");
  await dialog.getByRole("button", { name: "Log out 2 sessions" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 sessions logged out" })).toBeVisible();

  // The whole page selected: offer every matching session, on every page.
  await page.getByRole("checkbox", { name: "Select all sessions on this page" }).check();
  await expect(bar).toContainText("25 selected on this page");
  await bar.getByRole("button", { name: "Select all 30 matching" }).click();
  await expect(bar).toHaveAttribute("data-target", "matching");
  await expect(bar).toContainText("All 30 sessions matching the filters selected");
  await screenshot(page, "sessions-select-all-matching");
  await bar.getByRole("button", { name: "Delete" }).click();
  await expect(dialog).toContainText("Delete 30 sessions?");
  await expect(dialog).toContainText("cannot be undone");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await api.get("/api/sessions/list-29")).status).toBe(200);
  await bar.getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete 30 sessions" }).click();
  await expect(page.getByRole("status").filter({ hasText: "30 sessions deleted" })).toBeVisible();
  await eventually(
    async () => (await api.get<unknown[]>("/api/sessions?all=true")).body.length,
    (count) => count === 1,
  );
  await expect(rows(page)).toHaveCount(0);
  await page.context().close();
});

test("a session whose webhook deliveries fail is marked, and the mark opens its delivery log", async ({ browser, server, api }) => {
  // Nothing listens on the discard port: every attempt is refused, and retries wait a minute.
  const webhook = {
    url: "http://127.0.0.1:9/hook",
    events: ["session.status"],
    retries: { policy: "constant", delaySeconds: 60, attempts: 5 },
  };
  expect((await api.post("/api/sessions", { name: "hooked", config: { webhooks: [webhook] } })).status).toBe(201);
  expect((await api.post("/api/sessions", { name: "quiet", start: true })).status).toBe(201);
  await eventually(
    async () => (await api.get<{ name: string; webhookTrouble: { retrying: number } | null }[]>("/api/sessions?all=true")).body,
    (sessions) => (sessions.find((s) => s.name === "hooked")?.webhookTrouble?.retrying ?? 0) > 0,
  );
  for (const viewport of [undefined, { width: 390, height: 844 }]) {
    const page = await signedIn(browser, server, { viewport });
    const item = page.locator('[data-session="hooked"]');
    const mark = item.getByTestId("webhook-trouble");
    await expect(mark).toContainText(/Webhooks failing: \d+ retrying/);
    await expect(page.locator('[data-session="quiet"]').getByTestId("webhook-trouble")).toHaveCount(0);
    await screenshot(page, `sessions-webhook-trouble-${viewport ? "phone" : "desktop"}`);
    await mark.click();
    await expect(page).toHaveURL(/\/sessions\/hooked\?tab=deliveries$/);
    await expect(page.getByRole("tab", { name: "Webhook deliveries" })).toHaveAttribute("aria-selected", "true");
    await page.context().close();
  }
});

test("the webhook mark of a session appears live on the open list, when its deliveries start failing", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  const item = page.locator('[data-session="hooked-later"]');
  // Its first event comes 4 s or more after the start, long after the list took in its status: only the failed
  // delivery's push can bring the mark.
  const webhook = {
    url: "http://127.0.0.1:9/hook",
    events: ["engine.event"],
    retries: { policy: "constant", delaySeconds: 60, attempts: 5 },
  };
  const config = { metadata: { "fake.eventEveryMs": "4000" }, webhooks: [webhook] };
  expect((await api.post("/api/sessions", { name: "hooked-later", start: true, config })).status).toBe(201);
  await expect(item.getByTestId("status-badge")).toHaveAttribute("data-status", "WORKING");
  await expect(item.getByTestId("webhook-trouble")).toHaveCount(0);
  await expect(item.getByTestId("webhook-trouble")).toContainText(/Webhooks failing: \d+ retrying/, { timeout: 15_000 });
  await page.context().close();
});
