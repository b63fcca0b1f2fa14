import type { Page } from "@playwright/test";
import { expect, test } from "../support/fixtures";
import { DASHBOARD_ENV, login, newClient } from "./dashboard";

/**
 * The content security policy in real Chromium: every page works under it (scripts run, the live
 * channel connects, the docs render) with no violation reported, and no other site can frame it.
 */

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: DASHBOARD_ENV } });

test.beforeAll(async ({ api }) => {
  const created = await api.post("/api/sessions", { name: "csp", start: false, config: { metadata: { team: "ops" } } });
  expect(created.status).toBe(201);
});

/** Collects CSP violations (the DOM event and Chromium's console report) and page errors. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI}`,
      );
    });
  });
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
  return violations;
}

test("the dashboard runs under the policy: login, list, detail, edit, new, with the live channel up", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  const violations = await watchViolations(page);

  await login(page, server);
  await expect(page.getByRole("status", { name: "Live updates on" })).toBeVisible();
  await page.getByRole("link", { name: "csp", exact: true }).first().click();
  await expect(page).toHaveURL(/\/sessions\/csp$/);
  await expect(page.getByRole("tab", { name: "Configuration" })).toBeVisible();

  await page.goto(`${server.url}/sessions/csp/edit`);
  await expect(page.getByRole("button", { name: "Save", exact: true })).toBeVisible();
  await page.goto(`${server.url}/sessions/new`);
  await expect(page.getByLabel(/^Name/)).toBeVisible();
  // The theme script in <head> carries the nonce: it ran, so the theme class is decided.
  await page.getByLabel(/^Name/).fill("typed");
  await expect(page.getByLabel(/^Name/)).toHaveValue("typed");

  expect(violations).toEqual([]);
  await context.close();
});

test("the API docs render under the policy (no inline script)", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  const violations = await watchViolations(page);
  await login(page, server);
  await page.goto(`${server.url}/docs`);
  await expect(page.getByText("/api/sessions/{session}/start").first()).toBeVisible();
  expect(violations).toEqual([]);
  await context.close();
});

test("another site cannot frame the dashboard", async ({ browser, server }) => {
  const context = await newClient(browser);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (message) => violations.push(message.text()));
  await page.setContent(`<iframe id="framed" src="${server.url}/login" width="400" height="300"></iframe>`);
  const framed = page.frameLocator("#framed");
  await expect.poll(() => violations.some((text) => /frame-ancestors|Refused to (display|frame)/.test(text))).toBe(true);
  await expect(framed.getByRole("heading", { name: "Sign in to Switchboard" })).toHaveCount(0);
  await context.close();
});
