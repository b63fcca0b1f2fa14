import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBrowser, findChromium } from "./find-chromium";

describe("findChromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "webjs-find-chromium-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const executable = join(dir, "chromium");
  writeFileSync(executable, "#!/bin/sh\n");
  chmodSync(executable, 0o755);
  const notExecutable = join(dir, "chrome-data");
  writeFileSync(notExecutable, "");
  chmodSync(notExecutable, 0o644);
  const directory = join(dir, "google-chrome");
  mkdirSync(directory);

  it("returns the first executable file", () => {
    expect(findChromium([join(dir, "missing"), notExecutable, directory, executable])).toBe(executable);
  });

  it("returns null when no candidate is an executable file", () => {
    expect(findChromium([join(dir, "missing"), directory])).toBeNull();
  });
});

describe("findBrowser", () => {
  const dir = mkdtempSync(join(tmpdir(), "webjs-find-browser-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const emptyCache = join(dir, "no-cache");

  it("uses a configured path when it is an executable file, and says so when it is not", () => {
    const configured = join(dir, "my-chrome");
    writeFileSync(configured, "#!/bin/sh\n");
    chmodSync(configured, 0o755);
    expect(findBrowser({ configured })).toEqual({ path: configured });
    expect(findBrowser({ configured: join(dir, "missing") })).toEqual({
      path: null,
      reason: expect.stringContaining("SWITCHBOARD_CHROME_PATH"),
    });
  });

  it("finds a browser that puppeteer installed, newest version first", () => {
    const cache = join(dir, "puppeteer");
    for (const version of ["linux-120.0.1", "linux-131.0.2"]) {
      const folder = join(cache, "chrome", version, "chrome-linux");
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "chrome"), "#!/bin/sh\n");
      chmodSync(join(folder, "chrome"), 0o755);
    }
    expect(findBrowser({ platform: "freebsd", puppeteerCache: cache })).toEqual({
      path: join(cache, "chrome", "linux-131.0.2", "chrome-linux", "chrome"),
    });
  });

  it("names the command that installs a browser on the platform when there is none", () => {
    expect(findBrowser({ platform: "darwin", puppeteerCache: emptyCache })).toEqual({
      path: null,
      reason: expect.stringContaining("brew install --cask chromium"),
    });
    expect(findBrowser({ platform: "win32", puppeteerCache: emptyCache })).toEqual({
      path: null,
      reason: expect.stringContaining("npx @puppeteer/browsers install chrome@stable"),
    });
  });

  it("sees a browser installed after the first look (no restart needed)", () => {
    const cache = join(dir, "later");
    expect(findBrowser({ platform: "freebsd", puppeteerCache: cache }).path).toBeNull();
    const folder = join(cache, "chrome", "linux-1.0.0", "chrome-linux");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "chrome"), "#!/bin/sh\n");
    chmodSync(join(folder, "chrome"), 0o755);
    expect(findBrowser({ platform: "freebsd", puppeteerCache: cache }).path).toBe(join(folder, "chrome"));
  });
});
