import { describe, expect, it } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { verifyBodySignature } from "./signing";
import { buildWebhookRequest, RESERVED_HEADERS } from "./webhook-request";
import type { TWebhookSnapshot } from "./outbox";

const BODY = JSON.stringify({ id: "evt_1", event: "message", payload: { body: "héllo 👋" } });

async function rowAt(clock: FakeClock, snapshot: TWebhookSnapshot | string) {
  await clock.advance(1_732_442_400_000);
  return {
    id: "dlv_01",
    url: "http://127.0.0.1:9/hook",
    webhook: typeof snapshot === "string" ? snapshot : JSON.stringify(snapshot),
    envelope: { body: BODY, timestamp: new Date(clock.now()) },
  };
}

describe("buildWebhookRequest", () => {
  it("sends the stored bytes with the protocol headers, signed with the key of the snapshot", async () => {
    const clock = new FakeClock();
    const row = await rowAt(clock, { url: "http://127.0.0.1:9/hook", hmac: { key: "s3cret" } });
    const request = buildWebhookRequest(row, "Switchboard/9.9.9");
    expect(request.body.equals(Buffer.from(BODY, "utf8"))).toBe(true);
    expect(request.headers).toEqual({
      "User-Agent": "Switchboard/9.9.9",
      "Content-Type": "application/json",
      "X-Webhook-Request-Id": "dlv_01",
      "X-Webhook-Timestamp": String(clock.now()),
      "X-Webhook-Hmac": expect.stringMatching(/^[0-9a-f]{128}$/),
      "X-Webhook-Hmac-Algorithm": "sha512",
    });
    expect(verifyBodySignature(request.body, "s3cret", request.headers["X-Webhook-Hmac"]!)).toBe(true);
  });

  it("sends no signature headers without a key", async () => {
    const request = buildWebhookRequest(await rowAt(new FakeClock(), { url: "u", hmac: { key: "" } }), "Switchboard/1");
    expect(request.headers["X-Webhook-Hmac"]).toBeUndefined();
    expect(request.headers["X-Webhook-Hmac-Algorithm"]).toBeUndefined();
  });

  it("lets custom headers replace User-Agent whatever its case, never a protocol header", async () => {
    const forged = [...RESERVED_HEADERS].map((name) => ({ name: name.toUpperCase(), value: "forged" }));
    const row = await rowAt(new FakeClock(), {
      url: "u",
      customHeaders: [{ name: "X-Tenant", value: "acme" }, { name: "user-agent", value: "Custom/1" }, ...forged],
    });
    const { headers } = buildWebhookRequest(row, "Switchboard/1");
    expect(headers["X-Tenant"]).toBe("acme");
    expect(headers["user-agent"]).toBe("Custom/1");
    expect(headers["User-Agent"]).toBeUndefined();
    expect(Object.values(headers)).not.toContain("forged");
    expect(headers["Content-Type"]).toBe("application/json");
    expect(headers["X-Webhook-Request-Id"]).toBe("dlv_01");
  });

  it("sends the stored traceparent of the request that caused the event, over a custom header of that name", async () => {
    const clock = new FakeClock();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const customHeaders = [{ name: "TraceParent", value: "custom" }];
    const traced = buildWebhookRequest(await rowAt(clock, { url: "u", customHeaders, traceparent }), "x");
    expect(traced.headers.traceparent).toBe(traceparent);
    expect(Object.keys(traced.headers).filter((name) => name.toLowerCase() === "traceparent")).toEqual(["traceparent"]);
    const untraced = buildWebhookRequest(await rowAt(clock, { url: "u", customHeaders }), "x");
    expect(untraced.headers.TraceParent).toBe("custom");
    expect(untraced.headers.traceparent).toBeUndefined();
  });

  it("takes the retry settings of the snapshot, WAHA's defaults when it has none or cannot be read", async () => {
    const clock = new FakeClock();
    const custom = buildWebhookRequest(await rowAt(clock, { url: "u", retries: { policy: "linear", delaySeconds: 5, attempts: 3 } }), "x");
    expect(custom.settings).toEqual({ policy: "linear", delayMs: 5_000, retries: 3 });
    const unreadable = buildWebhookRequest(await rowAt(clock, "{not json"), "x");
    expect(unreadable.settings).toEqual({ policy: "constant", delayMs: 2_000, retries: 15 });
  });

  it("is pure: the same row gives the same request", async () => {
    const row = await rowAt(new FakeClock(), { url: "u", hmac: { key: "k" }, customHeaders: [{ name: "A", value: "b" }] });
    expect(buildWebhookRequest(row, "Switchboard/1")).toEqual(buildWebhookRequest(row, "Switchboard/1"));
  });
});
