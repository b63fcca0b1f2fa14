import type { Browser, Page } from "@playwright/test";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/** Sessions in the dashboard: list and search, the config form (create / edit), actions, delete. */

type Session = { name: string; status: string; config: Record<string, unknown> };

const browserErrors = new BrowserErrors();

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.beforeAll(async ({ api }) => {
  for (const [name, tenant, team] of [
    ["north-1", "acme", "sales"],
    ["north-2", "acme", "support"],
    ["south-1", "globex", "sales"],
    ["south-2", "initech", "sales"],
  ]) {
    const created = await api.post("/api/sessions", { name, start: false, config: { metadata: { tenant, team } } });
    expect(created.status).toBe(201);
  }
});

test.afterEach(() => browserErrors.expectNone());

async function signedIn(browser: Browser, server: RunningServer, options?: Parameters<typeof newClient>[1]): Promise<Page> {
  const context = browserErrors.watch(await newClient(browser, options));
  const page = await context.newPage();
  await login(page, server);
  return page;
}

const rows = (page: Page) => page.getByTestId("session-row");

/** What the create form below stores for west-1. */
const WEST_CONFIG = {
  metadata: { tenant: "hooli" },
  ignore: { groups: true },
  webhooks: [
    {
      url: "https://hooks.example.com/wa",
      events: ["message", "session.status", "message.ack"],
      hmac: { key: "hmac-secret" },
      retries: { policy: "exponential", attempts: 3 },
      customHeaders: [{ name: "X-Tenant", value: "hooli" }],
    },
  ],
};
const redacted = (config: typeof WEST_CONFIG) => ({
  ...config,
  webhooks: config.webhooks.map((webhook) => ({
    ...webhook,
    hmac: { key: "[redacted]" },
    customHeaders: webhook.customHeaders.map((header) => ({ ...header, value: "[redacted]" })),
  })),
});

test("the table lists sessions with status, engine and metadata", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await expect(rows(page)).toHaveCount(4);
  const north = page.locator('[data-testid="session-row"][data-session="north-1"]');
  await expect(north.getByTestId("status-badge")).toHaveAttribute("data-status", "STOPPED");
  await expect(north).toContainText("WEBJS");
  await expect(north).toContainText("tenant=acme");
  await expect(page.getByText("4 sessions")).toBeVisible();
  await screenshot(page, "sessions");
  await page.context().close();
});

test("search: key=value tokens filter by metadata on the server, free text and status too", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  const search = page.getByRole("searchbox", { name: "Search sessions" });

  const listed = page.waitForRequest((r) => r.url().includes("metadata.tenant=acme") && r.url().includes("metadata.team=sales"));
  await search.fill("tenant=acme team=sales");
  await listed;
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-session", "north-1");
  await expect(page).toHaveURL(/q=tenant%3Dacme/);

  await search.fill("south");
  await expect(rows(page)).toHaveCount(2);

  await search.fill("initech");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-session", "south-2");

  await search.fill("tenant=nobody");
  await expect(page.getByText("No sessions match these filters")).toBeVisible();
  await screenshot(page, "sessions-no-match");
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await expect(rows(page)).toHaveCount(4);

  // A metadata chip adds its pair to the search.
  await rows(page).filter({ hasText: "tenant=globex" }).getByRole("button", { name: "tenant=globex" }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(search).toHaveValue("tenant=globex");
  await page.getByRole("button", { name: "Clear filters" }).click();
  // The next click builds its URL from the one rendered: before the clear lands, it would bring the search back.
  await expect(search).toHaveValue("");

  await page.getByRole("group", { name: "Filter by status" }).getByRole("button", { name: "Working" }).click();
  await expect(page.getByText("No sessions match these filters")).toBeVisible();
  // Each click toggles the filter in the URL; the next one waits for it (a click reads the URL as rendered).
  const stopped = page.getByRole("group", { name: "Filter by status" }).getByRole("button", { name: "Stopped" });
  await stopped.click();
  await expect(stopped).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("group", { name: "Filter by status" }).getByRole("button", { name: "Working" }).click();
  await expect(rows(page)).toHaveCount(4);
  await expect(page).toHaveURL(/status=STOPPED/);
  await page.context().close();
});

test("pagination uses limit/offset and X-Total-Count", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions?limit=25`);
  await expect(page.getByRole("navigation", { name: "Sessions pages" })).toContainText("1–4 of 4");
  await page.context().close();
});

test("create a session from the form: validation from the schema, then POST, then its page", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  await page.getByRole("link", { name: "New session" }).click();
  await expect(page).toHaveURL(/\/sessions\/new$/);

  await page.getByLabel(/^Name/).fill("bad name!");
  await page.getByRole("switch", { name: "Start now" }).click();
  await page.getByRole("button", { name: "Add pair" }).click();
  await page.getByLabel("Key 1").fill("tenant");
  await page.getByLabel("Value 1").fill("hooli");
  await page.getByRole("button", { name: "Add webhook" }).click();
  await page.getByLabel("URL").fill("not a url");
  await page.getByRole("button", { name: "Create session" }).click();

  // Errors from the same zod schema as the API, next to their fields.
  await expect(page.locator("#f-name-error")).toContainText("may contain only letters, digits, _ and -");
  await expect(page.locator("#f-config-webhooks-0-url-error")).toContainText("http(s) URL");
  await expect(page.getByLabel(/^Name/)).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "session-new-errors");

  await page.getByLabel(/^Name/).fill("west-1");
  await page.getByLabel("URL").fill("https://hooks.example.com/wa");
  await page.getByRole("checkbox", { name: "message.ack", exact: true }).check();
  await page.getByLabel(/^HMAC key/).fill("hmac-secret");
  await page.getByLabel("Retry policy").selectOption("exponential");
  await page.getByLabel("Retries").fill("3");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Header 1 name").fill("X-Tenant");
  await page.getByLabel("Header 1 value", { exact: true }).fill("hooli");
  await page.getByLabel("Groups").selectOption("true");

  // The raw JSON tab shows the same body.
  await page.getByRole("tab", { name: "Raw JSON" }).click();
  const json = JSON.parse(await page.getByLabel("Request body as JSON").inputValue());
  expect(json).toMatchObject({ name: "west-1", start: false, config: { metadata: { tenant: "hooli" }, ignore: { groups: true } } });
  await screenshot(page, "session-new-json");
  await page.getByRole("tab", { name: "Form" }).click();
  await screenshot(page, "session-new");

  const created = page.waitForResponse((r) => r.url().endsWith("/api/sessions") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Create session" }).click();
  expect((await created).status()).toBe(201);
  await expect(page).toHaveURL(/\/sessions\/west-1$/);
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "STOPPED");

  const stored = (await api.get<Session>("/api/sessions/west-1?revealSecrets=true")).body;
  expect(stored.config).toEqual(WEST_CONFIG);
  // The API answers the secrets redacted unless asked.
  expect((await api.get<Session>("/api/sessions/west-1")).body.config).toEqual(redacted(WEST_CONFIG));
  await page.getByRole("tab", { name: "Configuration" }).click();
  await expect(page.getByTestId("config-json")).toContainText("hooks.example.com");
  await screenshot(page, "session-detail");
  await page.context().close();
});

test("a name that exists is reported on the name field (the API's 422)", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/new`);
  await page.getByLabel(/^Name/).fill("north-1");
  await page.getByRole("switch", { name: "Start now" }).click();
  await page.getByRole("button", { name: "Create session" }).click();
  await expect(page.locator("#f-name-error")).toContainText("already exists");
  await page.context().close();
});

test("edit the config: edits from the JSON tab and the form both land; PUT replaces the config", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/north-2`);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(/\/sessions\/north-2\/edit$/);
  await expect(page.getByLabel("Key 2")).toBeVisible();
  const teamRow = (await page.getByLabel("Key 1").inputValue()) === "team" ? 1 : 2;
  await page.getByLabel(`Value ${teamRow}`).fill("escalations");
  await page.getByRole("tab", { name: "Raw JSON" }).click();
  const editor = page.getByLabel("Request body as JSON");
  const body = JSON.parse(await editor.inputValue());
  expect(body).toEqual({ config: { metadata: { tenant: "acme", team: "escalations" } } });
  body.config.debug = true;
  body.config.client = { deviceName: "Support desk" };
  await editor.fill(JSON.stringify(body, null, 2));
  await editor.fill("{ not json");
  await expect(page.locator("#config-json-error")).toContainText("Not valid JSON");
  await editor.fill(JSON.stringify(body, null, 2));
  await page.getByRole("tab", { name: "Form" }).click();
  await expect(page.getByLabel("Device name")).toHaveValue("Support desk");
  await expect(page.getByRole("switch", { name: "Debug logs" })).toHaveAttribute("aria-checked", "true");
  await screenshot(page, "session-edit");

  const saved = page.waitForResponse((r) => r.url().endsWith("/api/sessions/north-2") && r.request().method() === "PUT");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await expect(page).toHaveURL(/\/sessions\/north-2$/);
  const stored = (await api.get<Session>("/api/sessions/north-2")).body;
  expect(stored.config).toEqual({ metadata: { tenant: "acme", team: "escalations" }, debug: true, client: { deviceName: "Support desk" } });
  await page.context().close();
});

test("secrets are masked in the edit form; saving without revealing keeps them; Reveal shows them", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/west-1/edit`);
  const hmac = page.getByLabel(/^HMAC key/);
  await expect(hmac).toHaveValue("[redacted]");
  await expect(hmac).toHaveAttribute("type", "password");
  await expect(page.getByLabel("Header 1 value", { exact: true })).toHaveAttribute("type", "password");
  await expect(page.getByText("Secrets are hidden")).toBeVisible();
  await screenshot(page, "session-edit-secrets-hidden");

  await page.getByLabel("Retries").fill("4");
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/sessions/west-1") && r.request().method() === "PUT");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await expect(page).toHaveURL(/\/sessions\/west-1$/);
  const expected = { ...WEST_CONFIG, webhooks: [{ ...WEST_CONFIG.webhooks[0], retries: { policy: "exponential", attempts: 4 } }] };
  expect((await api.get<Session>("/api/sessions/west-1?revealSecrets=true")).body.config).toEqual(expected);

  await page.goto(`${server.url}/sessions/west-1/edit`);
  await page.getByRole("button", { name: "Reveal secrets" }).click();
  await expect(hmac).toHaveValue("hmac-secret");
  await expect(hmac).toHaveAttribute("type", "text");
  await expect(page.getByLabel("Header 1 value", { exact: true })).toHaveValue("hooli");
  await expect(page.getByText("Secrets are hidden")).toHaveCount(0);
  await page.getByRole("button", { name: "Hide HMAC key" }).click();
  await expect(hmac).toHaveAttribute("type", "password");
  await page.context().close();
});

test("the API's 400 details are shown next to their fields", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/south-1/edit`);
  await expect(page.getByLabel("Key 1")).toBeVisible();
  // Force a server-side rejection the form cannot foresee: the route answers 400 with details.
  await page.route("**/api/sessions/south-1", (route) =>
    route.request().method() === "PUT"
      ? route.fulfill({
          status: 400,
          contentType: "application/json",
          body: JSON.stringify({
            statusCode: 400,
            error: "Bad Request",
            message: "config.proxy.server: refused",
            code: "validation_failed",
            details: [{ field: "config.proxy.server", message: "refused by the server" }],
          }),
        })
      : route.continue(),
  );
  await page.getByLabel("Server").fill("proxy.local:3128");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("#f-config-proxy-server-error")).toHaveText("refused by the server");
  await page.context().close();
});

test("bulk actions run on the selected rows", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await page.getByRole("checkbox", { name: "Select south-1" }).check();
  await page.getByRole("checkbox", { name: "Select south-2" }).check();
  await expect(page.getByRole("region", { name: "Bulk actions" })).toContainText("2 selected");
  await screenshot(page, "sessions-selected");
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("dialog")).toContainText("Stop 2 sessions?");
  await page.getByRole("dialog").getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 sessions stopped" })).toBeVisible();
  await page.context().close();
});

test("delete asks first, then removes the session everywhere", async ({ browser, server, api }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/south-2`);
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Delete this session?");
  await screenshot(page, "session-delete-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await api.get("/api/sessions/south-2")).status).toBe(200);

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete session" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await eventually(
    async () => (await api.get("/api/sessions/south-2")).status,
    (status) => status === 404,
  );
  await expect(page.locator('[data-session="south-2"]')).toHaveCount(0);
  await page.context().close();
});

test("a session that does not exist says so, with a way out", async ({ browser, server }) => {
  const page = await signedIn(browser, server);
  await page.goto(`${server.url}/sessions/ghost`);
  await expect(page.getByRole("alert").filter({ hasText: "This session does not exist" })).toBeVisible();
  await page.context().close();
});

test("dark theme and a phone-sized screen", async ({ browser, server }) => {
  const page = await signedIn(browser, server, { colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  await screenshot(page, "sessions-dark");
  await page.getByRole("radio", { name: "Light theme" }).click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.context().close();

  const phone = await signedIn(browser, server, { viewport: { width: 390, height: 844 } });
  await expect(phone.getByTestId("session-card")).toHaveCount(4);
  await screenshot(phone, "sessions-phone");
  await phone.goto(`${server.url}/sessions/north-1`);
  await expect(phone.getByRole("heading", { level: 1 })).toContainText("north-1");
  await screenshot(phone, "session-detail-phone");
  await phone.context().close();
});
