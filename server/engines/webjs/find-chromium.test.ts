import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findChromium } from "./find-chromium";

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
