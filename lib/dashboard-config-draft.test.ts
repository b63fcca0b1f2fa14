import { describe, expect, it } from "vitest";
import { ZSessionCreateRequestSchema } from "./session";
import { bodyFromDraft, draftFromBody, draftFromConfig, setAt } from "./dashboard-config-draft";

describe("session config form draft", () => {
  it("round-trips a full config through the draft without losing fields the form does not show", () => {
    const config = {
      metadata: { "user.id": "1", team: "sales" },
      webhooks: [
        {
          url: "https://example.com/hook",
          events: ["message", "session.status"],
          hmac: { key: "k" },
          retries: { policy: "linear", delaySeconds: 3, attempts: 4 },
          customHeaders: [{ name: "X-A", value: "" }],
        },
      ],
      gows: { storage: { messages: false } },
      proxy: { server: "proxy:3128" },
    };
    const body = bodyFromDraft(draftFromConfig(config, "s1", false), "create");
    expect(body).toEqual({ name: "s1", start: false, config });
    expect(ZSessionCreateRequestSchema.safeParse(body).success).toBe(true);
  });

  it("drops what empty fields leave behind", () => {
    let draft = draftFromConfig({});
    draft = { ...draft, config: setAt(draft.config, ["proxy", "server"], ""), metadata: [{ id: 1, key: "", value: "" }] };
    draft.config = setAt(draft.config, ["webhooks", 0, "retries", "attempts"], Number.NaN);
    draft.config = setAt(draft.config, ["webhooks", 0, "url"], "https://x.test");
    expect(bodyFromDraft(draft, "edit")).toEqual({ config: { webhooks: [{ url: "https://x.test" }] } });
  });

  it("reads the raw JSON tab back into a draft, and refuses non-objects", () => {
    const previous = draftFromConfig({});
    const draft = draftFromBody({ name: "x", start: true, config: { metadata: { a: "b" }, debug: true } }, "create", previous);
    expect(draft.name).toBe("x");
    expect(draft.config).toEqual({ debug: true });
    expect(draft.metadata.map((r) => [r.key, r.value])).toEqual([["a", "b"]]);
    expect(() => draftFromBody([], "edit", previous)).toThrow(/object/);
  });

  it('refuses a metadata value that is not a string in the raw JSON, saying so, instead of turning 42 into "42"', () => {
    const previous = draftFromConfig({ metadata: { tenant: "acme" } });
    const body = (value: unknown) => ({ config: { metadata: { tenant: "acme", count: value } } });
    expect(() => draftFromBody(body(42), "edit", previous)).toThrow(
      'Metadata "count" must be a string (text in quotes), not the number 42. Put it in quotes: "42".',
    );
    expect(() => draftFromBody(body(true), "edit", previous)).toThrow(
      /"count" must be a string .* not the boolean true\. Put it in quotes: "true"/,
    );
    expect(() => draftFromBody(body({ a: 1 }), "edit", previous)).toThrow(/"count" must be a string .* not an object\.$/);
    expect(() => draftFromBody(body(null), "edit", previous)).toThrow(/not null/);
    expect(() => draftFromBody({ config: { metadata: ["a"] } }, "edit", previous)).toThrow(/Metadata must be an object of text values/);
    expect(draftFromBody(body("42"), "edit", previous).metadata.map((r) => r.value)).toEqual(["acme", "42"]);
  });

  it("setAt removes a key when given undefined and creates arrays for numeric segments", () => {
    expect(setAt({ a: { b: 1 } }, ["a", "b"], undefined)).toEqual({ a: {} });
    expect(setAt({}, ["w", 0, "url"], "u")).toEqual({ w: [{ url: "u" }] });
  });
});
