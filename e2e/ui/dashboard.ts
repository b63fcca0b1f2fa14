import fs from "node:fs";
import path from "node:path";
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { RunningServer } from "../support/server";

/** Helpers shared by the dashboard specs. */

export const PASSWORD = "correct-horse-battery-staple";
export const USERNAME = "operator";
// The specs' browser contexts play clients behind a proxy on loopback (see newClient).
export const DASHBOARD_ENV = {
  WAHA_DASHBOARD_USERNAME: USERNAME,
  WAHA_DASHBOARD_PASSWORD: PASSWORD,
  SWITCHBOARD_TRUSTED_PROXIES: "127.0.0.1",
};

const SHOTS = path.resolve("test-results/ui-screenshots");

let address = 10;
/**
 * A browser context that looks like its own client address to the login throttle, so one spec's
 * failed logins never block another's: DASHBOARD_ENV trusts loopback as a proxy, so the server
 * believes the X-Forwarded-For each context sends.
 */
export async function newClient(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: options.viewport ?? { width: 1360, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    extraHTTPHeaders: { "X-Forwarded-For": `10.77.0.${address++}` },
  });
}

/**
 * What would take a dashboard page down or hide a defect: uncaught errors and console errors of
 * every page of the watched contexts. A spec calls `expectNone()` after each test (afterEach), so a
 * test fails on them even when every assertion passed. "Failed to load resource" lines are left out:
 * the browser prints one for every non-2xx API answer, which the pages handle and specs provoke.
 */
export class BrowserErrors {
  private readonly seen: string[] = [];

  watch(context: BrowserContext): BrowserContext {
    const record = (page: Page) => {
      page.on("pageerror", (error) => this.seen.push(`${page.url()}: uncaught ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
          this.seen.push(`${page.url()}: console.error ${message.text()}`);
        }
      });
    };
    context.pages().forEach(record);
    context.on("page", record);
    return context;
  }

  /** Forgets the errors a test provokes on purpose; fails when none of them happened. */
  expectProvoked(pattern: RegExp): void {
    const provoked = this.seen.filter((line) => pattern.test(line));
    expect(provoked, `errors matching ${pattern}`).not.toEqual([]);
    this.seen.splice(0, this.seen.length, ...this.seen.filter((line) => !pattern.test(line)));
  }

  /** Forgets the errors a test may provoke without being sure to (a refused reconnect while the server is down). */
  forget(pattern: RegExp): void {
    this.seen.splice(0, this.seen.length, ...this.seen.filter((line) => !pattern.test(line)));
  }

  expectNone(): void {
    expect(this.seen.splice(0), "errors in the browser").toEqual([]);
  }
}

export async function login(page: Page, server: RunningServer, password = PASSWORD): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
