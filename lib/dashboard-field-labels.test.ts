import { describe, expect, it } from "vitest";
import { fieldLabel } from "./dashboard-field-labels";

describe("the session form's field labels", () => {
  it("names each error key in words, never as an API path", () => {
    expect(fieldLabel("name")).toBe("Name");
    expect(fieldLabel("metadata")).toBe("Metadata");
    expect(fieldLabel("metadata.1.key")).toBe("Metadata row 2: key");
    expect(fieldLabel("config.webhooks.0.url")).toBe("Webhook 1: URL");
    expect(fieldLabel("config.webhooks.2.events")).toBe("Webhook 3: events");
    expect(fieldLabel("config.webhooks.0.hmac.key")).toBe("Webhook 1: HMAC: key");
    expect(fieldLabel("config.webhooks.0.retries.delaySeconds")).toBe("Webhook 1: retries: delay in seconds");
    expect(fieldLabel("config.webhooks.0.customHeaders.1.value")).toBe("Webhook 1: custom header 2: value");
    expect(fieldLabel("config.proxy.server")).toBe("Proxy: server");
    expect(fieldLabel("config.client.deviceName")).toBe("Linked device: device name");
    expect(fieldLabel("config")).toBe("Configuration");
    expect(fieldLabel("body.config.someFutureOption")).toBe("Some future option");
  });
});
