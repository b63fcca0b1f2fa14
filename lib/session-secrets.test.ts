import { describe, expect, it } from "vitest";
import { isAppError } from "./errors";
import type { TSessionConfig } from "./session-config";
import { SECRET_PLACEHOLDER as HIDDEN, hasRedactedSecrets, keepRedactedSecrets, redactSecrets } from "./session-secrets";

const stored: TSessionConfig = {
  metadata: { tenant: "acme" },
  webhooks: [
    {
      url: "https://a.example/hook",
      events: ["message"],
      hmac: { key: "key-a" },
      customHeaders: [
        { name: "Authorization", value: "Bearer a" },
        { name: "X-Tenant", value: "acme" },
      ],
    },
    { url: "https://b.example/hook", events: ["*"], hmac: { key: "key-b" } },
  ],
  proxy: { server: "proxy.local:3128", username: "user", password: "proxy-secret" },
};

/** The field issues keepRedactedSecrets throws, or [] when it does not throw. */
function issues(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!isAppError(error) || error.code !== "validation_failed") throw error;
    return (error.details ?? []).map((d) => d.field);
  }
}

describe("redactSecrets", () => {
  it("hides HMAC keys, custom header values and the proxy password, and nothing else", () => {
    const redacted = redactSecrets(stored);
    expect(redacted).toEqual({
      metadata: { tenant: "acme" },
      webhooks: [
        {
          url: "https://a.example/hook",
          events: ["message"],
          hmac: { key: HIDDEN },
          customHeaders: [
            { name: "Authorization", value: HIDDEN },
            { name: "X-Tenant", value: HIDDEN },
          ],
        },
        { url: "https://b.example/hook", events: ["*"], hmac: { key: HIDDEN } },
      ],
      proxy: { server: "proxy.local:3128", username: "user", password: HIDDEN },
    });
    expect(JSON.stringify(redacted)).not.toMatch(/key-a|key-b|Bearer a|proxy-secret/);
    expect(Object.keys(redacted)).toEqual(Object.keys(stored));
  });

  it("leaves what is not set, null or empty as it is, and does not touch its input", () => {
    const config: TSessionConfig = {
      webhooks: [{ url: "https://c.example", events: [], hmac: { key: null }, customHeaders: [{ name: "X-Empty", value: "" }] }],
      proxy: { server: "p:1" },
    };
    expect(redactSecrets(config)).toEqual(config);
    expect(redactSecrets({})).toEqual({});
    redactSecrets(stored);
    expect(stored.webhooks?.[0].hmac?.key).toBe("key-a");
  });
});

describe("keepRedactedSecrets", () => {
  it("gives back the stored config for the redacted one, so a GET can be PUT back unchanged", () => {
    expect(keepRedactedSecrets(redactSecrets(stored), stored)).toEqual(stored);
  });

  it("keeps new secrets as sent, and matches webhooks by URL first, then by position", () => {
    const incoming: TSessionConfig = {
      webhooks: [
        // a's URL was edited: its key and headers follow its position.
        {
          url: "https://a2.example/hook",
          events: ["message"],
          hmac: { key: HIDDEN },
          customHeaders: [{ name: "x-tenant", value: HIDDEN }],
        },
        { url: "https://c.example/hook", events: ["message"], hmac: { key: "new-key" } },
        // b moved down: its key follows its URL.
        { url: "https://b.example/hook", events: ["*"], hmac: { key: HIDDEN } },
      ],
      proxy: { server: "proxy.local:3128", password: HIDDEN },
    };
    expect(keepRedactedSecrets(incoming, stored)).toEqual({
      webhooks: [
        {
          url: "https://a2.example/hook",
          events: ["message"],
          hmac: { key: "key-a" },
          customHeaders: [{ name: "x-tenant", value: "acme" }],
        },
        { url: "https://c.example/hook", events: ["message"], hmac: { key: "new-key" } },
        { url: "https://b.example/hook", events: ["*"], hmac: { key: "key-b" } },
      ],
      proxy: { server: "proxy.local:3128", password: "proxy-secret" },
    });
  });

  it("matches a custom header by name within its webhook, whatever its position", () => {
    const incoming = redactSecrets(stored);
    incoming.webhooks![0].customHeaders!.reverse();
    expect(keepRedactedSecrets(incoming, stored).webhooks![0].customHeaders).toEqual([
      { name: "X-Tenant", value: "acme" },
      { name: "Authorization", value: "Bearer a" },
    ]);
  });

  it("refuses a placeholder that stands for no stored secret, naming each field", () => {
    const incoming: TSessionConfig = {
      webhooks: [
        { url: "https://a.example/hook", events: ["message"], customHeaders: [{ name: "X-Other", value: HIDDEN }] },
        { url: "https://b.example/hook", events: ["*"] },
        { url: "https://new.example/hook", events: ["*"], hmac: { key: HIDDEN } },
      ],
      proxy: { server: "p:1", password: HIDDEN },
    };
    expect(issues(() => keepRedactedSecrets(incoming, { webhooks: stored.webhooks }))).toEqual([
      "config.webhooks.0.customHeaders.0.value",
      "config.webhooks.2.hmac.key",
      "config.proxy.password",
    ]);
    expect(issues(() => keepRedactedSecrets(redactSecrets(stored), null))).toEqual([
      "config.webhooks.0.hmac.key",
      "config.webhooks.0.customHeaders.0.value",
      "config.webhooks.0.customHeaders.1.value",
      "config.webhooks.1.hmac.key",
      "config.proxy.password",
    ]);
  });

  it("passes a config without placeholders through unchanged", () => {
    expect(keepRedactedSecrets(stored, null)).toEqual(stored);
    expect(keepRedactedSecrets({ webhooks: null, proxy: null }, stored)).toEqual({ webhooks: null, proxy: null });
  });
});

describe("hasRedactedSecrets", () => {
  it("tells a redacted config from a revealed one", () => {
    expect(hasRedactedSecrets(redactSecrets(stored))).toBe(true);
    expect(hasRedactedSecrets({ proxy: { server: "p:1", password: HIDDEN } })).toBe(true);
    expect(
      hasRedactedSecrets({ webhooks: [{ url: "https://c.example", events: [], customHeaders: [{ name: "A", value: HIDDEN }] }] }),
    ).toBe(true);
    expect(hasRedactedSecrets(stored)).toBe(false);
    expect(hasRedactedSecrets({})).toBe(false);
  });
});
