import { describe, expect, it } from "vitest";
import { signBody, verifyBodySignature } from "./signing";

describe("signBody (X-Webhook-Hmac)", () => {
  it("matches the published HMAC-SHA512 test vector", () => {
    expect(signBody("The quick brown fox jumps over the lazy dog", "key")).toBe(
      "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a",
    );
  });

  it("signs the exact UTF-8 bytes of a JSON body (vector computed with Python's hmac module)", () => {
    const body = Buffer.from(
      '{"id":"evt_01jd","timestamp":1732442400000,"event":"message","session":"default","payload":{"body":"héllo 👋"}}',
      "utf8",
    );
    const expected =
      "10f8505c2d1a5c0b8062384fb9aa0e596f12cf7917c66730bd580128ad6e77c7f54f4a29f93da2609107b06195d290d3cf32b388edb493451afee8d49f6da11b";
    expect(signBody(body, "my-secret")).toBe(expected);
    expect(signBody(body.toString("utf8"), "my-secret")).toBe(expected);
  });

  it("verifies only the matching signature", () => {
    const signature = signBody("{}", "k");
    expect(verifyBodySignature("{}", "k", signature)).toBe(true);
    expect(verifyBodySignature("{} ", "k", signature)).toBe(false);
    expect(verifyBodySignature("{}", "other", signature)).toBe(false);
    expect(verifyBodySignature("{}", "k", "abcd")).toBe(false);
  });
});
