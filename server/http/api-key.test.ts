import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { tempDirs } from "@/test/support/temp-dirs";
import { apiKeyMatches, resolveApiKey } from "./api-key";

const logger = pino({ level: "silent" });
const tmp = tempDirs("sb-key-");

describe("API key", () => {
  it("accepts the plain configured key and nothing else", () => {
    const check = resolveApiKey({ configured: "s3cret-key", disabled: false, dataDir: tmp(), logger });
    expect(apiKeyMatches("s3cret-key", check)).toBe(true);
    expect(apiKeyMatches("s3cret-kez", check)).toBe(false);
    expect(apiKeyMatches(null, check)).toBe(false);
    expect(apiKeyMatches("", check)).toBe(false);
  });

  it("accepts a sha512:<hex> configured key", () => {
    const hex = createHash("sha512").update("hashed-key").digest("hex");
    const check = resolveApiKey({ configured: `sha512:${hex.toUpperCase()}`, disabled: false, dataDir: tmp(), logger });
    expect(apiKeyMatches("hashed-key", check)).toBe(true);
    expect(apiKeyMatches(`sha512:${hex}`, check)).toBe(false);
  });

  it("rejects a malformed sha512 key at boot", () => {
    expect(() => resolveApiKey({ configured: "sha512:abc", disabled: false, dataDir: tmp(), logger })).toThrow(/128 hex/);
  });

  it("generates a key once, stores it, and reuses it on the next boot", () => {
    const dataDir = tmp();
    const print = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const first = resolveApiKey({ configured: undefined, disabled: false, dataDir, logger });
    const second = resolveApiKey({ configured: undefined, disabled: false, dataDir, logger });
    expect(print).toHaveBeenCalledTimes(1);
    print.mockRestore();
    const stored = fs.readFileSync(path.join(dataDir, "api-key"), "utf8").trim();
    expect(stored.length).toBeGreaterThanOrEqual(40);
    expect(apiKeyMatches(stored, first)).toBe(true);
    expect(second).toEqual(first);
    expect(fs.statSync(path.join(dataDir, "api-key")).mode & 0o777).toBe(0o600);
  });

  it("WAHA_NO_API_KEY lets every request through", () => {
    expect(apiKeyMatches(null, resolveApiKey({ configured: "x", disabled: true, dataDir: tmp(), logger }))).toBe(true);
  });
});
