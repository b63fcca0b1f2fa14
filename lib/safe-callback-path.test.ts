import { describe, expect, it } from "vitest";
import { AFTER_LOGIN_PATH, safeCallbackPath } from "./safe-callback-path";

describe("safeCallbackPath", () => {
  it.each([
    ["/sessions", "/sessions"],
    ["/sessions/live?status=WORKING&q=a%20b", "/sessions/live?status=WORKING&q=a%20b"],
    ["/sessions/new#raw", "/sessions/new#raw"],
    ["/docs", "/docs"],
    ["/sessions/./a", "/sessions/a"],
    ["/sessions/%2F%2Fevil.example", "/sessions/%2F%2Fevil.example"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%5C%5Cevil.example", "/%5C%5Cevil.example"],
    ["/sessions/caf\u00e9", "/sessions/caf%C3%A9"],
    ["/sessions/\u2603", "/sessions/%E2%98%83"],
    ["/sessions/\ud800", "/sessions/%EF%BF%BD"],
  ])("keeps the same-site path %j", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [["/sessions", "//evil.example"]],
    [""],
    ["sessions"],
    ["//evil.example"],
    ["///evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/\\/evil.example"],
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    ["/\r\n/x"],
    ["/x\r\nSet-Cookie: a=b"],
    ["/\u0000/evil.example"],
    ["/\u007f"],
    ["/\u000b/evil.example"],
    ["/a/../..//evil.example"],
    ["/./\t/evil.example"],
    ["https://evil.example"],
    ["http://callback.invalid/sessions"],
    ["javascript:alert(1)"],
    ["JaVaScRiPt:alert(1)"],
    [" /sessions"],
    ["data:text/html,<script>alert(1)</script>"],
    ["/login"],
    ["/login?callbackUrl=/login"],
    ["/login/"],
    ["/./login"],
    ["/sessions/../login"],
    ["/" + "a".repeat(5000)],
  ])("sends %j to /sessions", (input) => {
    expect(safeCallbackPath(input)).toBe(AFTER_LOGIN_PATH);
  });

  it("never returns a value that leaves the site or breaks a header, whatever character follows the slash", () => {
    const escaped: string[] = [];
    for (let code = 0; code < 0x3000; code++) {
      const c = String.fromCharCode(code);
      for (const input of [`/${c}/evil.example`, `/${c}${c}evil.example`, `/${c}\\evil.example`]) {
        const output = safeCallbackPath(input);
        const stays =
          output.startsWith("/") && !output.startsWith("//") && new URL(output, "http://site.test").origin === "http://site.test";
        if (!stays || !/^[\x21-\x7e]+$/.test(output)) escaped.push(`${JSON.stringify(input)} -> ${JSON.stringify(output)}`);
      }
    }
    expect(escaped).toEqual([]);
  });
});
