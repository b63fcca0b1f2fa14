import { describe, expect, it } from "vitest";
import { parseGlobalWebhook } from "./global-webhook";

const base = { WHATSAPP_HOOK_URL: "https://hooks.example.com/waha", WHATSAPP_HOOK_EVENTS: "message,session.status" };

describe("parseGlobalWebhook", () => {
  it("is null when neither URL nor events are set (empty strings count as unset)", () => {
    expect(parseGlobalWebhook({})).toBeNull();
    expect(parseGlobalWebhook({ WHATSAPP_HOOK_URL: "", WHATSAPP_HOOK_EVENTS: " " })).toBeNull();
  });

  it("builds the minimal webhook", () => {
    expect(parseGlobalWebhook(base)).toEqual({ url: "https://hooks.example.com/waha", events: ["message", "session.status"] });
  });

  it("reads every variable", () => {
    const config = parseGlobalWebhook({
      ...base,
      WHATSAPP_HOOK_EVENTS: "*",
      WHATSAPP_HOOK_HMAC_KEY: "s3cret",
      WHATSAPP_HOOK_RETRIES_POLICY: "exponential",
      WHATSAPP_HOOK_RETRIES_DELAY_SECONDS: "1.5",
      WHATSAPP_HOOK_RETRIES_ATTEMPTS: "4",
      WHATSAPP_HOOK_CUSTOM_HEADERS: "X-Tenant:acme;Authorization:Bearer abc",
    });
    expect(config).toEqual({
      url: "https://hooks.example.com/waha",
      events: ["*"],
      hmac: { key: "s3cret" },
      retries: { policy: "exponential", delaySeconds: 1.5, attempts: 4 },
      customHeaders: [
        { name: "X-Tenant", value: "acme" },
        { name: "Authorization", value: "Bearer abc" },
      ],
    });
  });

  it("creates a retries object only with the parts that are set", () => {
    expect(parseGlobalWebhook({ ...base, WHATSAPP_HOOK_RETRIES_ATTEMPTS: "0" })?.retries).toEqual({ attempts: 0 });
    expect(parseGlobalWebhook(base)?.retries).toBeUndefined();
  });

  it("trims events and drops empty items and empty header parts", () => {
    const config = parseGlobalWebhook({ ...base, WHATSAPP_HOOK_EVENTS: " message , message.ack,", WHATSAPP_HOOK_CUSTOM_HEADERS: "A:1;" });
    expect(config?.events).toEqual(["message", "message.ack"]);
    expect(config?.customHeaders).toEqual([{ name: "A", value: "1" }]);
  });

  it.each([
    [{ WHATSAPP_HOOK_URL: "https://x.test/h" }, /WHATSAPP_HOOK_EVENTS is required when WHATSAPP_HOOK_URL is set/],
    [{ WHATSAPP_HOOK_EVENTS: "message" }, /WHATSAPP_HOOK_URL is required when WHATSAPP_HOOK_EVENTS is set/],
    [{ ...base, WHATSAPP_HOOK_URL: "ftp://x.test/h" }, /WHATSAPP_HOOK_URL: must be an http\(s\) URL/],
    [{ ...base, WHATSAPP_HOOK_URL: "not a url" }, /WHATSAPP_HOOK_URL: must be an http\(s\) URL/],
    [{ ...base, WHATSAPP_HOOK_EVENTS: "message,mesage" }, /WHATSAPP_HOOK_EVENTS item "mesage": must be one of/],
    [{ ...base, WHATSAPP_HOOK_RETRIES_POLICY: "fibonacci" }, /WHATSAPP_HOOK_RETRIES_POLICY: /],
    [{ ...base, WHATSAPP_HOOK_RETRIES_DELAY_SECONDS: "two" }, /WHATSAPP_HOOK_RETRIES_DELAY_SECONDS: "two" is not a number/],
    [{ ...base, WHATSAPP_HOOK_RETRIES_ATTEMPTS: "2.5" }, /WHATSAPP_HOOK_RETRIES_ATTEMPTS: /],
    [{ ...base, WHATSAPP_HOOK_RETRIES_ATTEMPTS: "-1" }, /WHATSAPP_HOOK_RETRIES_ATTEMPTS: /],
    [
      { ...base, WHATSAPP_HOOK_CUSTOM_HEADERS: "X-Token" },
      /WHATSAPP_HOOK_CUSTOM_HEADERS: "X-Token" must be Name:Value with exactly one ":"/,
    ],
    [{ ...base, WHATSAPP_HOOK_CUSTOM_HEADERS: "X-Url:http://a" }, /"X-Url:http:\/\/a" must be Name:Value with exactly one ":"/],
    [
      { ...base, WHATSAPP_HOOK_CUSTOM_HEADERS: "Bad Name:1" },
      /WHATSAPP_HOOK_CUSTOM_HEADERS header "Bad Name" name: must be a valid HTTP header name/,
    ],
  ])("rejects %o", (vars, message) => {
    expect(() => parseGlobalWebhook(vars)).toThrow(/^Invalid global webhook config: /);
    expect(() => parseGlobalWebhook(vars)).toThrow(message);
  });

  it("lists every problem at once", () => {
    expect(() => parseGlobalWebhook({ ...base, WHATSAPP_HOOK_RETRIES_DELAY_SECONDS: "x", WHATSAPP_HOOK_CUSTOM_HEADERS: "nope" })).toThrow(
      /DELAY_SECONDS.*; WHATSAPP_HOOK_CUSTOM_HEADERS/,
    );
  });
});
