import type { Browser, Page } from "@playwright/test";
import { ZSessionResourceHistorySchema, ZSessionSchema } from "../../lib/session";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The sessions' resources in the dashboard, with the pages open while the sampler reads every second
 * (SWITCHBOARD_RESOURCES_INTERVAL_SECONDS=1). Sessions of the TEST ONLY fake engine report the server's own
 * process as their browser, so the figures are real memory and CPU. The detail page's charts draw and grow,
 * a stopped session shows its empty state or its last run, the table sorts by memory together with search
 * and pages, and both fit a phone in dark mode. Any page or console error fails the test.
 */

const browserErrors = new BrowserErrors();
const PACE = { "fake.eventEveryMs": "300" };

test.describe.configure({ mode: "serial" });
test.use({
  serverOptions: { env: { ...DASHBOARD_ENV, SWITCHBOARD_TEST_ENGINE: "fake", SWITCHBOARD_RESOURCES_INTERVAL_SECONDS: "1" } },
});

test.afterEach(() => browserErrors.expectNone());

async function openPage(
  browser: Browser,
  server: RunningServer,
  path: string,
  options: Parameters<typeof newClient>[1] = {},
): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, server);
  await page.goto(`${server.url}${path}`);
  return page;
}

const panel = (page: Page) => page.getByTestId("resources-panel");
const chart = (page: Page, metric: string) => page.locator(`[data-testid="resource-chart"][data-metric="${metric}"]`);
const points = async (page: Page, metric: string) => Number(await chart(page, metric).getAttribute("data-points"));
const rowNames = (page: Page) => page.getByTestId("session-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-session")));
const rowPss = (page: Page) =>
  page
    .getByTestId("session-row")
    .evaluateAll((rows) => rows.map((row) => Number(row.querySelector("[data-pss]")?.getAttribute("data-pss") ?? -1)));

test("the detail page charts memory, CPU and events as samples arrive, and a stopped session's empty state and last run", async ({
  browser,
  server,
  api,
}) => {
  expect((await api.post("/api/sessions", { name: "res-a", start: false, config: { metadata: PACE } })).status).toBe(201);
  const page = await openPage(browser, server, "/sessions/res-a");
  await expect(panel(page)).toHaveAttribute("data-state", "stopped");
  await expect(panel(page)).toContainText("no browser to measure");

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(panel(page)).toHaveAttribute("data-state", "charts", { timeout: 20_000 });
  for (const metric of ["memory", "cpu", "events"]) await expect(chart(page, metric).locator("svg")).toBeVisible();
  // Lines need two samples; they appear, and grow while the page stays open.
  await expect(chart(page, "memory").getByTestId("chart-line").first()).toBeVisible({ timeout: 15_000 });
  await expect(chart(page, "cpu").getByTestId("chart-line").first()).toBeVisible({ timeout: 15_000 });
  const drawn = await points(page, "memory");
  await expect.poll(() => points(page, "memory"), { timeout: 15_000 }).toBeGreaterThan(drawn + 1);
  const line = await chart(page, "memory").getByTestId("chart-line").first().getAttribute("d");
  await expect.poll(async () => chart(page, "memory").getByTestId("chart-line").first().getAttribute("d")).not.toBe(line);

  // Real figures: the readout is the server process's memory as the API has it, and the events arrive.
  const history = ZSessionResourceHistorySchema.parse((await api.get("/api/sessions/res-a/resources")).body);
  expect(history.samples.at(-1)!.memory.pss).toBeGreaterThan(10 * 1024 * 1024);
  await expect(chart(page, "memory").getByTestId("chart-readout")).toContainText(/PSS \d+(\.\d+)? MiB/);
  await expect(chart(page, "memory").getByTestId("chart-readout")).toContainText(/RSS \d+(\.\d+)? MiB/);
  await expect(chart(page, "events").getByTestId("chart-readout")).not.toContainText("Events 0/min", { timeout: 15_000 });

  // The pointer reads a past sample: the readout names its time instead of "latest".
  const svg = chart(page, "memory").locator("svg");
  const box = (await svg.boundingBox())!;
  await svg.hover({ position: { x: box.width - 30, y: box.height / 2 } });
  await expect(chart(page, "memory").getByTestId("chart-readout")).not.toContainText("latest");
  await page.mouse.move(0, 0);
  await expect(chart(page, "memory").getByTestId("chart-readout")).toContainText("latest");
  await screenshot(page, "resources-desktop");

  // Stopped: the charts keep the last run, and say so.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop session" }).click();
  await expect(panel(page)).toHaveAttribute("data-live", "false", { timeout: 15_000 });
  await expect(panel(page)).toContainText("Stopped: the samples of its last run");
  await page.context().close();
});

test("the table shows each session's memory and CPU and sorts by memory, together with search and pages", async ({
  browser,
  server,
  api,
}) => {
  for (let i = 0; i < 26; i++) {
    const name = `idle-${String(i).padStart(2, "0")}`;
    expect((await api.post("/api/sessions", { name, start: false })).status).toBe(201);
  }
  for (const name of ["run-a", "run-b"]) expect((await api.post("/api/sessions", { name })).status).toBe(201);
  // Both browsers sampled twice (CPU needs two readings).
  await eventually(
    () => api.get<unknown[]>("/api/sessions?all=true&sortBy=memory&limit=2"),
    (answer) =>
      answer.body.map((s) => ZSessionSchema.parse(s)).filter((s) => s.name.startsWith("run-") && s.resources?.cpu != null).length === 2,
    20_000,
  );

  const page = await openPage(browser, server, "/sessions");
  await expect(page.getByTestId("session-row").first()).toHaveAttribute("data-session", "idle-00");
  const runA = page.locator('[data-testid="session-row"][data-session="run-a"]');
  await expect(runA.getByTestId("session-memory")).toHaveText(/^\d+(\.\d+)? MiB/);
  await expect(runA.getByTestId("session-memory")).toHaveAttribute("title", /PSS .* RSS .* sampled at/);
  await expect(runA.getByTestId("session-cpu")).toHaveText(/^\d+(\.\d+)?%$/);
  await expect(page.locator('[data-testid="session-row"][data-session="idle-00"]').getByTestId("session-memory")).toHaveText("—");

  // Sorted on the server: the running browsers first, largest PSS first, then the rest by name.
  await page.getByRole("button", { name: /^Memory/ }).click();
  await expect(page).toHaveURL(/[?&]sort=memory/);
  await expect(page.getByRole("columnheader", { name: /Memory/ })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(async () => new Set((await rowNames(page)).slice(0, 2))).toEqual(new Set(["run-a", "run-b"]));
  const pss = await rowPss(page);
  expect(pss).toEqual([...pss].sort((a, b) => b - a));
  expect((await rowNames(page)).slice(2, 4)).toEqual(["idle-00", "idle-01"]);

  // With a search: only the matches, still by memory.
  await page.getByRole("searchbox", { name: "Search sessions" }).fill("run");
  await expect(page).toHaveURL(/[?&]q=run/);
  await expect(page).toHaveURL(/[?&]sort=memory/);
  await expect.poll(async () => (await rowNames(page)).sort()).toEqual(["run-a", "run-b"]);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect.poll(async () => (await rowNames(page)).length).toBeGreaterThan(25);

  // With pages: the largest are on the first page, and the order survives paging and a reload.
  await page.getByLabel("Rows per page").selectOption("25");
  await expect.poll(async () => (await rowNames(page)).length).toBe(25);
  await expect.poll(async () => new Set((await rowNames(page)).slice(0, 2))).toEqual(new Set(["run-a", "run-b"]));
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page).toHaveURL(/[?&]offset=25/);
  await expect(page).toHaveURL(/[?&]sort=memory/);
  await expect.poll(async () => (await rowNames(page)).some((name) => name?.startsWith("run-"))).toBe(false);
  await page.reload();
  await expect(page.getByLabel("Sort sessions")).toHaveValue("memory");
  await expect(page.getByTestId("session-row").first()).toBeVisible();
  expect((await rowNames(page)).some((name) => name?.startsWith("run-"))).toBe(false);

  // Back to names, from the header: the first page again.
  await page.getByRole("button", { name: /^Memory/ }).click();
  await expect(page).not.toHaveURL(/sort=/);
  await expect(page).not.toHaveURL(/offset=/);
  await expect(page.getByTestId("session-row").first()).toHaveAttribute("data-session", "idle-00");
  await screenshot(page, "resources-table");
  await page.context().close();
});

test("on a phone in dark mode: the cards carry memory and CPU, the charts fit the screen", async ({ browser, server }) => {
  const page = await openPage(browser, server, "/sessions?sort=memory", { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  const card = page.locator('[data-testid="session-card"][data-session="run-a"]');
  await expect(card).toContainText(/PSS \d+(\.\d+)? MiB/);
  await expect(card).toContainText(/RSS \d+(\.\d+)? MiB/);
  await expect(card).toContainText(/CPU \d+(\.\d+)?%/);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, "resources-table-phone-dark");

  await card.getByRole("link", { name: "run-a" }).click();
  await expect(panel(page)).toHaveAttribute("data-state", "charts", { timeout: 15_000 });
  const drawn = await points(page, "memory");
  await expect.poll(() => points(page, "memory"), { timeout: 15_000 }).toBeGreaterThan(drawn);
  for (const metric of ["memory", "cpu", "events"]) {
    const svg = chart(page, metric).locator("svg");
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Drawn in the dark theme's colours: light axis text and a light line on the dark card.
  const colours = await chart(page, "memory").evaluate((figure) => ({
    line: getComputedStyle(figure.querySelector('[data-testid="chart-line"]')!).stroke,
    label: getComputedStyle(figure.querySelector("text")!).fill,
  }));
  expect(colours.line).not.toBe("none");
  expect(lightness(colours.label)).toBeGreaterThan(0.5);
  expect(lightness(colours.line)).toBeGreaterThan(0.5);
  await screenshot(page, "resources-phone-dark");
  await page.context().close();
});

test("an answer that fails the schema is shown as an error, never drawn; a running session waits for its first sample", async ({
  browser,
  server,
}) => {
  const page = await browserErrors.watch(await newClient(browser)).newPage();
  await login(page, server);
  let answer: unknown = { session: "run-b", intervalSeconds: 1, samples: [{ timestamp: "soon", memory: { rss: 1 }, cpu: null }] };
  await page.route("**/api/sessions/run-b/resources", (route) => route.fulfill({ json: answer }));
  await page.goto(`${server.url}/sessions/run-b`);
  await expect(panel(page)).toHaveAttribute("data-state", "error");
  await expect(panel(page)).toContainText("cannot read");
  await expect(panel(page)).toContainText("samples.0.timestamp");
  await expect(page.getByTestId("resource-chart")).toHaveCount(0);

  // A valid answer without samples yet, for a running session: the page waits and keeps asking.
  answer = { session: "run-b", intervalSeconds: 1, samples: [] };
  await panel(page).getByRole("button", { name: "Try again" }).click();
  await expect(panel(page)).toHaveAttribute("data-state", "waiting");
  await expect(panel(page)).toContainText("Waiting for the first sample");
  await page.unroute("**/api/sessions/run-b/resources");
  await expect(panel(page)).toHaveAttribute("data-state", "charts", { timeout: 15_000 });
  await page.context().close();
});

/** The lightness of a computed CSS colour, 0 to 1: lab()'s or oklch()'s L, or rgb()'s channels averaged. */
function lightness(colour: string): number {
  const lab = /^lab\(\s*([\d.]+)/.exec(colour);
  if (lab) return Number(lab[1]) / 100;
  const oklch = /oklch\(\s*([\d.]+)(%?)/.exec(colour);
  if (oklch) return Number(oklch[1]) / (oklch[2] ? 100 : 1);
  const rgb = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(colour);
  if (rgb) return (Number(rgb[1]) + Number(rgb[2]) + Number(rgb[3])) / 3 / 255;
  throw new Error(`unexpected colour ${colour}`);
}
