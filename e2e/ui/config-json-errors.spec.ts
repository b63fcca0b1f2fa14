import type { Browser, Page } from "@playwright/test";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The session form's errors in words: a metadata value in the raw JSON that is not a string is refused
 * under the editor, saying it must be a string (never saved as "42"); the error summary names fields
 * in words, not by API paths such as config.webhooks.0.url.
 */

type Session = { config: Record<string, unknown> };

const browserErrors = new BrowserErrors();
const SESSION = "wordy";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: SESSION, start: false, config: { metadata: { tenant: "acme" } } })).status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

async function openEdit(browser: Browser, server: RunningServer, options?: Parameters<typeof newClient>[1]): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser, options)).newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${SESSION}/edit`);
  await expect(page.getByLabel("Value 1")).toHaveValue("acme");
  return page;
}

/** Leaves without the unsaved-changes question: the tests below leave edits unsaved on purpose. */
async function close(page: Page) {
  await page.context().close();
}

test("a metadata value that is not a string is refused next to the JSON, in words, and nothing is saved", async ({
  browser,
  server,
  api,
}) => {
  const page = await openEdit(browser, server);
  await page.getByRole("tab", { name: "Raw JSON" }).click();
  const editor = page.getByLabel("Request body as JSON");
  const error = page.locator("#config-json-error");

  for (const [value, words] of [
    ["42", 'Metadata "count" must be a string (text in quotes), not the number 42. Put it in quotes: "42".'],
    ["true", 'Metadata "count" must be a string (text in quotes), not the boolean true. Put it in quotes: "true".'],
    ['{ "a": 1 }', 'Metadata "count" must be a string (text in quotes), not an object.'],
  ]) {
    await editor.fill(`{ "config": { "metadata": { "tenant": "acme", "count": ${value} } } }`);
    await expect(error).toHaveText(words);
    await expect(editor).toHaveAttribute("aria-invalid", "true");
  }
  await screenshot(page, "session-edit-json-metadata-not-a-string");

  // Refused: no switching to the form with it, no saving it.
  await page.getByRole("tab", { name: "Form" }).click();
  await expect(editor).toBeVisible();
  const puts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "PUT") puts.push(request.url());
  });
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Fix the JSON before saving.")).toBeVisible();
  expect(puts).toEqual([]);
  expect((await api.get<Session>(`/api/sessions/${SESSION}`)).body.config).toEqual({ metadata: { tenant: "acme" } });

  // As a string it is fine, and saved as written.
  await editor.fill(`{ "config": { "metadata": { "tenant": "acme", "count": "42" } } }`);
  await expect(error).toBeHidden();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  expect((await api.get<Session>(`/api/sessions/${SESSION}`)).body.config).toEqual({ metadata: { tenant: "acme", count: "42" } });
  await close(page);
});

test("errors name their fields in words, not API paths (on a phone too)", async ({ browser, server }) => {
  const page = await openEdit(browser, server, { viewport: { width: 390, height: 844 } });
  await page.getByRole("tab", { name: "Raw JSON" }).click();
  await page
    .getByLabel("Request body as JSON")
    .fill(JSON.stringify({ config: { metadata: { tenant: "acme" }, webhooks: [{ url: "ftp://files", events: ["session.status"] }] } }));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const summary = page.getByRole("alert").filter({ hasText: "before saving" });
  await expect(summary).toContainText("Webhook 1: URL: must be an http(s) URL");
  await page.getByRole("tab", { name: "Form" }).click();
  await expect(page.locator("#f-config-webhooks-0-url-error")).toHaveText("must be an http(s) URL");
  await expect(page.locator("body")).not.toContainText("config.webhooks");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, "session-edit-errors-in-words-phone");
  await close(page);
});
