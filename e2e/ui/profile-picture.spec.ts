import { expect, test } from "../support/fixtures";
import { BrowserErrors, DASHBOARD_ENV, login, newClient, screenshot } from "./dashboard";

/**
 * The account's profile picture beside its phone and push name, served through Switchboard under the content
 * security policy (images of this origin only). Sessions of the TEST ONLY fake engine are logged in at once and
 * have a picture (a blank PNG); the WhatsApp Web double serves none, so whatsapp-web.js's own path is not run here.
 */

const browserErrors = new BrowserErrors();
const SESSION = "pictured";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { ...DASHBOARD_ENV, SWITCHBOARD_TEST_ENGINE: "fake" } } });

test.beforeAll(async ({ api }) => {
  expect((await api.post("/api/sessions", { name: SESSION, start: true })).status).toBe(201);
  expect((await api.post("/api/sessions", { name: "stopped", start: false })).status).toBe(201);
});

test.afterEach(() => browserErrors.expectNone());

test("a logged-in session shows its picture, loaded from Switchboard; the API answers it cached, and 404 when not logged in", async ({
  browser,
  server,
  api,
}) => {
  await expect.poll(async () => (await api.get<{ status: string }>(`/api/sessions/${SESSION}`)).body.status).toBe("WORKING");
  const answer = await fetch(`${server.url}/api/sessions/${SESSION}/profile-picture`, { headers: { "X-Api-Key": server.apiKey } });
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toBe("image/png");
  expect(answer.headers.get("cache-control")).toBe("private, max-age=600");
  expect((await api.get(`/api/sessions/stopped/profile-picture`)).status).toBe(404);

  for (const viewport of [undefined, { width: 390, height: 844 }]) {
    const context = browserErrors.watch(await newClient(browser, { viewport }));
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await login(page, server);
    await page.goto(`${server.url}/sessions/${SESSION}`);
    const pictures = page.getByTestId("profile-picture");
    await expect(pictures).toHaveCount(2);
    for (const picture of await pictures.all()) {
      await expect(picture).toHaveAttribute("src", /^\/api\/sessions\/pictured\/profile-picture\?account=/);
      await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    }
    await screenshot(page, viewport ? "profile-picture-phone" : "profile-picture");
    expect(violations).toEqual([]);

    // Stopped: no picture.
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Stop session" }).click();
    await expect(pictures).toHaveCount(0);
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect.poll(async () => (await api.get<{ status: string }>(`/api/sessions/${SESSION}`)).body.status).toBe("WORKING");
    await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "WORKING");
    await expect(pictures).toHaveCount(2);
    await context.close();
  }
});
