import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "@/test/support/temp-dirs";
import { cachedVersionFile, pinnedVersionProblem, webVersionOptions, type WebVersionPolicy } from "./web-version";

const cacheDir = tempDirs("sb-webversion-")();
const policy = (cache: WebVersionPolicy["cache"], pinned: string | null): WebVersionPolicy => ({ cache, cacheDir, pinned });

describe("the WhatsApp Web version policy", () => {
  it("none: the live page, nothing cached, a pin ignored", () => {
    expect(webVersionOptions(policy("none", null))).toEqual({ webVersionCache: { type: "none" } });
    expect(webVersionOptions(policy("none", "2.3000.1"))).toEqual({ webVersionCache: { type: "none" } });
    expect(pinnedVersionProblem(policy("none", "2.3000.1"))).toBeNull();
  });

  it("local without a pin: the library's cache in the data folder, not strict (its own default version is rarely cached)", () => {
    expect(webVersionOptions(policy("local", null))).toEqual({ webVersionCache: { type: "local", path: cacheDir, strict: false } });
    expect(pinnedVersionProblem(policy("local", null))).toBeNull();
  });

  it("local with a pin: that version, strictly from the cache; a start is refused while it is not cached", () => {
    expect(webVersionOptions(policy("local", "2.3000.1"))).toEqual({
      webVersion: "2.3000.1",
      webVersionCache: { type: "local", path: cacheDir, strict: true },
    });
    expect(pinnedVersionProblem(policy("local", "2.3000.1"))).toBe(
      `WhatsApp Web 2.3000.1 (WAHA_WEBJS_WEB_VERSION) is not in the local cache (${path.join(cacheDir, "2.3000.1.html")}); ` +
        "start the session once without WAHA_WEBJS_WEB_VERSION to cache the version WhatsApp serves, or pin a cached one",
    );
    fs.writeFileSync(cachedVersionFile({ cacheDir }, "2.3000.1"), "<html></html>");
    expect(pinnedVersionProblem(policy("local", "2.3000.1"))).toBeNull();
  });
});
