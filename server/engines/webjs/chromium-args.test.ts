import { describe, expect, it } from "vitest";
import { buildChromiumArgs } from "./chromium-args";

describe("buildChromiumArgs", () => {
  it("always runs without the sandbox (root) and without background services", () => {
    const args = buildChromiumArgs({ proxyServer: null, extraArgs: [] });
    expect(args).toEqual(
      expect.arrayContaining([
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ]),
    );
    expect(args.some((arg) => arg.startsWith("--proxy-server"))).toBe(false);
  });

  it("drops the renderers a headless session never uses (measured in chromium-args.ts)", () => {
    const args = buildChromiumArgs({ proxyServer: null, extraArgs: [] });
    const disabled = args
      .find((arg) => arg.startsWith("--disable-features="))
      ?.split("=")[1]
      .split(",");
    expect(disabled).toEqual(["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "SpareRendererForSitePerProcess"]);
  });

  it("adds the proxy server, and the extra flags last so they win", () => {
    const args = buildChromiumArgs({
      proxyServer: "socks5://proxy.local:1080",
      extraArgs: ["--host-resolver-rules=MAP web.whatsapp.com 127.0.0.1:4443", "--ignore-certificate-errors"],
    });
    expect(args).toContain("--proxy-server=socks5://proxy.local:1080");
    expect(args.slice(-2)).toEqual(["--host-resolver-rules=MAP web.whatsapp.com 127.0.0.1:4443", "--ignore-certificate-errors"]);
  });
});
