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

  it("setAt removes a key when given undefined and creates arrays for numeric segments", () => {
    expect(setAt({ a: { b: 1 } }, ["a", "b"], undefined)).toEqual({ a: {} });
    expect(setAt({}, ["w", 0, "url"], "u")).toEqual({ w: [{ url: "u" }] });
  });
});
