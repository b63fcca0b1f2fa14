import { describe, expect, it } from "vitest";
import { isSameOrigin } from "./session-token";

describe("isSameOrigin", () => {
  const host = "127.0.0.1:3000";

  it.each([
    ["no Origin (not a browser's cross-origin request)", { host }, true],
    ["the page's own origin", { host, origin: "http://127.0.0.1:3000" }, true],
    ["Sec-Fetch-Site same-origin", { host, "sec-fetch-site": "same-origin" }, true],
    ["another port of the same host", { host, origin: "http://127.0.0.1:4000" }, false],
    ["another site", { host, origin: "http://evil.example" }, false],
    ["a sibling subdomain", { host: "dash.example.com", origin: "http://evil.example.com" }, false],
    ["Origin: null (sandboxed frame)", { host, origin: "null" }, false],
    ["Sec-Fetch-Site same-site", { host, "sec-fetch-site": "same-site" }, false],
    ["Sec-Fetch-Site cross-site", { host, "sec-fetch-site": "cross-site", origin: "http://127.0.0.1:3000" }, false],
    [
      "the host a proxy forwarded",
      { host: "10.0.0.5:3000", "x-forwarded-host": "dash.example.com", origin: "https://dash.example.com" },
      true,
    ],
    [
      "the first of several forwarded hosts",
      { host, "x-forwarded-host": "dash.example.com, inner:3000", origin: "https://dash.example.com" },
      true,
    ],
  ])("%s", (_name, headers, expected) => {
    // The same answer from Node's header object (live handshakes) and the Fetch API's (route handlers).
    expect(isSameOrigin(headers)).toBe(expected);
    expect(isSameOrigin(new Headers(headers))).toBe(expected);
  });
});
