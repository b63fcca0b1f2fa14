import type { Browser, Page } from "@playwright/test";
import { expect, test } from "../support/fixtures";
import type { RunningServer } from "../support/server";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The session edit page guards unsaved changes: a link in the app, back, forward and Cancel ask
 * first ("Leave without saving?"), closing the tab gets the browser's own prompt, and a form that was
 * saved or edited back to what it was leaves freely.
 */

type Session = { config: Record<string, unknown> };

const browserErrors = new BrowserErrors();
const SESSION = "guarded";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.beforeAll(async ({ api }) => {
  const created = await api.post("/api/sessions", { name: SESSION, start: false, config: { metadata: { tenant: "acme" } } });
  expect(created.status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

/** Signed in, on the session's page, then its edit page by the Edit link (so back has somewhere to go). */
async function openEditPage(browser: Browser, server: RunningServer): Promise<Page> {
  const page = await browserErrors.watch(await newClient(browser)).newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${SESSION}`);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}/edit$`));
  await expect(page.getByLabel("Value 1")).toHaveValue("acme");
  return page;
}

const leaveDialog = (page: Page) => page.getByRole("dialog", { name: "Leave without saving?" });
const editUrl = new RegExp(`/sessions/${SESSION}/edit$`);

test("a link in the app, back and Cancel ask first; Stay keeps the edits, Leave goes", async ({ browser, server }) => {
  const page = await openEditPage(browser, server);
  const value = page.getByLabel("Value 1");
  await value.fill("globex");
  await expect(page.getByText("Unsaved changes")).toBeVisible();

  // A link in the app (the top bar's Sessions).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
  await expect(leaveDialog(page)).toBeVisible();
  await screenshot(page, "session-edit-leave-dialog");
  await leaveDialog(page).getByRole("button", { name: "Stay" }).click();
  await expect(leaveDialog(page)).toBeHidden();
  await expect(page).toHaveURL(editUrl);
  await expect(value).toHaveValue("globex");

  // The browser's back button.
  await page.evaluate(() => history.back());
  await expect(leaveDialog(page)).toBeVisible();
  await expect(page).toHaveURL(editUrl);
  await leaveDialog(page).getByRole("button", { name: "Stay" }).click();
  await expect(page).toHaveURL(editUrl);
  await expect(value).toHaveValue("globex");

  // Cancel.
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(leaveDialog(page)).toBeVisible();
  await leaveDialog(page).getByRole("button", { name: "Stay" }).click();
  await expect(value).toHaveValue("globex");

  // Back again, and leave: the session's page, nothing saved.
  await page.evaluate(() => history.back());
  await leaveDialog(page).getByRole("button", { name: "Leave without saving" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  await page.context().close();
});

test("forward asks too, and a Leave by forward lands where forward goes", async ({ browser, server }) => {
  const page = await openEditPage(browser, server);
  // Edit page -> session page by its back link (clean: no question), then back to the edit page.
  await page.getByRole("link", { name: SESSION, exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  await page.goBack();
  await expect(page).toHaveURL(editUrl);
  await page.getByLabel("Value 1").fill("initech");

  await page.evaluate(() => history.forward());
  await expect(leaveDialog(page)).toBeVisible();
  await leaveDialog(page).getByRole("button", { name: "Stay" }).click();
  await expect(page).toHaveURL(editUrl);
  await expect(page.getByLabel("Value 1")).toHaveValue("initech");

  await page.evaluate(() => history.forward());
  await leaveDialog(page).getByRole("button", { name: "Leave without saving" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  await page.context().close();
});

test("closing the tab with changes gets the browser's prompt", async ({ browser, server }) => {
  const page = await openEditPage(browser, server);
  await page.getByLabel("Value 1").fill("hooli");
  const dialog = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const prompt = await dialog;
  expect(prompt.type()).toBe("beforeunload");
  await prompt.dismiss();
  // Dismissed: the page stays, with its edits.
  await expect(page.getByLabel("Value 1")).toHaveValue("hooli");
  expect(page.isClosed()).toBe(false);
  await page.context().close();
});

test("a form edited back to what it was, or saved, leaves freely", async ({ browser, server, api }) => {
  const page = await openEditPage(browser, server);
  const value = page.getByLabel("Value 1");
  await value.fill("globex");
  await expect(page.getByText("Unsaved changes")).toBeVisible();
  await value.fill("acme");
  await expect(page.getByText("Unsaved changes")).toBeHidden();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(leaveDialog(page)).toHaveCount(0);

  await page.goto(`${server.url}/sessions/${SESSION}/edit`);
  await value.fill("umbrella");
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/sessions/${SESSION}`) && r.request().method() === "PUT");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  await expect(leaveDialog(page)).toHaveCount(0);
  expect((await api.get<Session>(`/api/sessions/${SESSION}`)).body.config).toEqual({ metadata: { tenant: "umbrella" } });
  // Back to the edit page and away again: nothing to ask.
  await page.goBack();
  await expect(page).toHaveURL(editUrl);
  await page.goBack();
  await expect(leaveDialog(page)).toHaveCount(0);
  await page.context().close();
});

test("on a phone, the question and its buttons fit the screen", async ({ browser, server }) => {
  const context = browserErrors.watch(await newClient(browser, { viewport: { width: 390, height: 844 } }));
  const page = await context.newPage();
  await login(page, server);
  await page.goto(`${server.url}/sessions/${SESSION}/edit`);
  await page.getByLabel("Value 1").fill("phone edit");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(leaveDialog(page)).toBeVisible();
  for (const name of ["Stay", "Leave without saving"]) {
    const box = await leaveDialog(page).getByRole("button", { name }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  }
  await screenshot(page, "session-edit-leave-dialog-phone");
  await leaveDialog(page).getByRole("button", { name: "Leave without saving" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${SESSION}$`));
  await context.close();
});
