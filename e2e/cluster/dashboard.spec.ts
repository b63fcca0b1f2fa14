import type { Browser, Page } from "@playwright/test";
import type { ApiClient } from "../support/api";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor, type Cluster } from "../support/cluster";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "../ui/dashboard";

/**
 * The dashboard's cluster pages in real Chromium, through nginx (every request and the Socket.IO
 * connection may reach any worker): the event monitor shows the events of sessions running on every
 * worker (pushed across workers), and the Workers page follows each worker's load and lease live while
 * sessions are created and a worker stops and comes back. Three workers on the TEST ONLY fake engine.
 */

test.use({ clusterOptions: { testEngine: "fake", leaseSeconds: 10, env: { ...DASHBOARD_ENV, SWITCHBOARD_WORKER_CAPACITY: "10" } } });
test.describe.configure({ mode: "serial" });

const browserErrors = new BrowserErrors();
const NAMES = Array.from({ length: 6 }, (_, i) => `dash-${i + 1}`);

test.afterEach(() => browserErrors.expectNone());

type TSessionRow = { name: string; status: string; assignedWorker: string | null };

async function owners(api: ApiClient, names: string[]): Promise<Set<string>> {
  const rows = await waitFor(
    async () => {
      const listed = (await api.get<TSessionRow[]>("/api/sessions?all=true")).body.filter((row) => names.includes(row.name));
      return listed.length === names.length && listed.every((row) => row.status === "WORKING" && row.assignedWorker) ? listed : null;
    },
    { what: `${names.join(", ")} WORKING with an owner` },
  );
  return new Set(rows.map((row) => row.assignedWorker!));
}

async function openThroughBalancer(
  browser: Browser,
  cluster: Cluster,
  path: string,
  options: Parameters<typeof newClient>[1] = {},
): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, { url: cluster.url } as RunningServer);
  await page.goto(`${cluster.url}${path}`);
  await expect(page.getByTestId("realtime-state")).toHaveAttribute("data-state", "connected");
  return page;
}

test("the event monitor shows the events of sessions on every worker, whichever worker the page is connected to", async ({
  browser,
  cluster,
}) => {
  const page = await openThroughBalancer(browser, cluster, "/events");
  for (const name of NAMES) {
    const created = await cluster.api.post("/api/sessions", { name, config: { metadata: { "fake.eventEveryMs": "500" } } });
    expect(created.status, created.text).toBe(201);
  }
  const running = await owners(cluster.workers[0].api, NAMES);
  expect(running.size).toBeGreaterThan(1);

  // Each fake message names the worker that emitted it.
  const search = page.getByLabel("Search events");
  for (const worker of running) {
    await search.fill(`"worker":"${worker}"`);
    await expect(page.getByTestId("monitor-event").first()).toBeVisible({ timeout: 20_000 });
  }
  await search.fill("");
  await expect(page.getByTestId("monitor-event").filter({ hasText: "WORKING" }).first()).toBeVisible();
  await page.context().close();
});

test("the Workers page follows each worker's load and lease live, as a worker stops and comes back", async ({ browser, cluster }) => {
  const page = await openThroughBalancer(browser, cluster, "/sessions");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" }).click();
  await expect(page).toHaveURL(/\/workers$/);
  await expect(page.getByText("Not in cluster mode", { exact: true })).toHaveCount(0);

  const cards = page.getByTestId("worker");
  const card = (id: string) => page.locator(`[data-testid="worker"][data-worker="${id}"]`);
  await expect(cards).toHaveCount(3);
  for (const worker of cluster.workers) {
    await expect(card(worker.id)).toHaveAttribute("data-state", "alive");
    await expect(card(worker.id).getByTestId("worker-lease")).toContainText("lapses in");
  }
  const load = async () =>
    Promise.all(
      cluster.workers.map(async (worker) => Number((await card(worker.id).getByTestId("worker-load").innerText()).match(/^(\d+) \//)?.[1])),
    );
  await expect.poll(async () => (await load()).reduce((a, b) => a + b, 0)).toBe(NAMES.length);
  await expect(page.getByTestId("workers-summary")).toContainText(`${NAMES.length} sessions of 30`);

  // One more session, created while the page is open, is counted on its owner's card.
  expect((await cluster.api.post("/api/sessions", { name: "dash-extra" })).status).toBe(201);
  await expect.poll(async () => (await load()).reduce((a, b) => a + b, 0), { timeout: 20_000 }).toBe(NAMES.length + 1);

  // A graceful stop drains the worker: it hands its sessions over, then its lease is given up.
  const leaving = cluster.workers[2];
  await cluster.stopGracefully(leaving);
  await expect(card(leaving.id)).toHaveAttribute("data-state", "gone", { timeout: 20_000 });
  await expect(card(leaving.id).getByTestId("worker-lease")).toContainText("lapsed");
  await expect(page.getByTestId("workers-summary")).toContainText("2 alive, 1 gone");
  await expect
    .poll(
      async () => {
        const [a, b] = await load();
        return a + b;
      },
      { timeout: 30_000 },
    )
    .toBe(NAMES.length + 1);
  await screenshot(page, "workers-cluster");

  // On a phone in dark mode, the same page fits the screen.
  const phone = await openThroughBalancer(browser, cluster, "/workers", { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await expect(phone.getByTestId("worker")).toHaveCount(3);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(phone, "workers-cluster-phone-dark");

  await cluster.restart(leaving);
  await expect(card(leaving.id)).toHaveAttribute("data-state", "alive", { timeout: 20_000 });
  await expect(card(leaving.id).getByTestId("worker-lease")).toContainText("lapses in");
  await page.context().close();
  await phone.context().close();
});
