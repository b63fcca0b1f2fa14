import { describe, expect, it } from "vitest";
import { ZSessionConfigSchema, findStrippedKeys, restartingFieldsChanged } from "./session-config";

const parse = (config: unknown) => ZSessionConfigSchema.safeParse(config);
const issuePaths = (config: unknown) => {
  const result = parse(config);
  return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
};

describe("ZSessionConfigSchema", () => {
  it("accepts the full config of the docs", () => {
    const config = {
      debug: true,
      noweb: { store: { enabled: true, fullSync: false } },
      webjs: { tagsEventsOn: false },
      metadata: { "user.id": "123", "user.email": "email@example.com" },
      ignore: { status: false, groups: false, channels: false, broadcast: true },
      client: { deviceName: "Ops", browserName: "Switchboard" },
      webhooks: [
        {
          url: "https://webhook.site/11111111-1111-1111-1111-11111111",
          events: ["message", "session.status", "*"],
          hmac: { key: "your-secret-key" },
          customHeaders: [{ name: "X-My-Custom-Header", value: "Value" }],
          retries: { policy: "constant", delaySeconds: 2, attempts: 15 },
        },
      ],
      proxy: { server: "localhost:3128", username: "username", password: "P@ssw0rd" },
    };
    expect(parse(config)).toEqual({ success: true, data: config });
  });

  it("accepts WAHA's nulls for optional parts", () => {
    expect(
      parse({ proxy: null, webhooks: [{ url: "http://x.test/h", events: [], hmac: null, retries: null, customHeaders: null }] }).success,
    ).toBe(true);
  });

  it("names the field of a non-string metadata value", () => {
    const result = parse({ metadata: { a: "1", b: 2 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(["metadata", "b"]);
    expect(result.error?.issues[0].message).toBe("metadata accepts string key-value pairs only");
  });

  it("rejects a webhook URL that is not http(s)", () => {
    expect(issuePaths({ webhooks: [{ url: "ftp://x.test/h", events: [] }] })).toEqual(["webhooks.0.url"]);
    expect(issuePaths({ webhooks: [{ url: "not a url", events: [] }] })).toEqual(["webhooks.0.url"]);
    expect(issuePaths({ webhooks: [{ url: "http://localhost:8080/hook", events: [] }] })).toEqual([]);
  });

  it("rejects unknown event names and retry policies", () => {
    expect(issuePaths({ webhooks: [{ url: "http://x.test", events: ["message.nope"] }] })).toEqual(["webhooks.0.events.0"]);
    expect(issuePaths({ webhooks: [{ url: "http://x.test", events: [], retries: { policy: "random" } }] })).toEqual([
      "webhooks.0.retries.policy",
    ]);
  });

  it("rejects wrong types", () => {
    expect(issuePaths({ debug: "yes" })).toEqual(["debug"]);
    expect(issuePaths({ webhooks: {} })).toEqual(["webhooks"]);
    expect(issuePaths({ ignore: { groups: 1 } })).toEqual(["ignore.groups"]);
  });

  it("rejects header injection in custom headers", () => {
    expect(issuePaths({ webhooks: [{ url: "http://x.test", events: [], customHeaders: [{ name: "X-A", value: "a\r\nB: c" }] }] })).toEqual([
      "webhooks.0.customHeaders.0.value",
    ]);
    expect(issuePaths({ webhooks: [{ url: "http://x.test", events: [], customHeaders: [{ name: "Bad Name", value: "v" }] }] })).toEqual([
      "webhooks.0.customHeaders.0.name",
    ]);
  });

  it("checks the proxy address", () => {
    expect(issuePaths({ proxy: { server: "localhost:3128" } })).toEqual([]);
    expect(issuePaths({ proxy: { server: "socks5://10.0.0.1:1080" } })).toEqual([]);
    expect(issuePaths({ proxy: { server: "just-a-host" } })).toEqual(["proxy.server"]);
    expect(issuePaths({ proxy: {} })).toEqual(["proxy.server"]);
  });

  it("strips unknown fields, and findStrippedKeys names them", () => {
    const input = { debug: true, bogus: 1, webhooks: [{ url: "http://x.test", events: [], extra: "x" }], metadata: { free: "form" } };
    const result = parse(input);
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ debug: true, webhooks: [{ url: "http://x.test", events: [] }], metadata: { free: "form" } });
    expect(findStrippedKeys(input, result.data)).toEqual(["bogus", "webhooks.0.extra"]);
  });
});

describe("restartingFieldsChanged", () => {
  it("ignores the live fields (metadata, webhooks, ignore)", () => {
    expect(
      restartingFieldsChanged(
        { metadata: { a: "1" }, webhooks: [], ignore: { groups: true }, debug: true },
        { metadata: { a: "2" }, webhooks: [{ url: "http://x", events: ["message"] }], ignore: null, debug: true },
      ),
    ).toEqual([]);
  });

  it("names every other field that changed, whatever the key order; absent, null and empty are the same", () => {
    expect(
      restartingFieldsChanged({ client: { deviceName: "A", browserName: "B" } }, { client: { browserName: "B", deviceName: "A" } }),
    ).toEqual([]);
    expect(restartingFieldsChanged({ proxy: null, client: {} }, { debug: undefined })).toEqual([]);
    expect(restartingFieldsChanged({ debug: false, proxy: { server: "a:1" } }, { debug: true, proxy: { server: "b:1" } })).toEqual([
      "debug",
      "proxy",
    ]);
    expect(restartingFieldsChanged(null, { webjs: { tagsEventsOn: true } })).toEqual(["webjs"]);
  });
});
