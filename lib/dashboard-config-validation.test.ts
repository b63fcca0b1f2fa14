import { describe, expect, it } from "vitest";
import { draftFromConfig, setAt } from "./dashboard-config-draft";
import { checkDraft, configFieldKey, fieldErrorsFromIssues } from "./dashboard-config-validation";

describe("session config form validation", () => {
  it("gives the body as written when the schema accepts it, unknown keys included", () => {
    const draft = draftFromConfig({ metadata: { tenant: "acme" }, debug: true, futureOption: 1 }, "s1", false);
    expect(checkDraft(draft, "create")).toEqual({
      ok: true,
      body: { name: "s1", start: false, config: { metadata: { tenant: "acme" }, debug: true, futureOption: 1 } },
    });
    expect(checkDraft(draft, "edit")).toEqual({
      ok: true,
      body: { config: { metadata: { tenant: "acme" }, debug: true, futureOption: 1 } },
    });
  });

  it("puts the schema's issues on the fields they name", () => {
    let draft = draftFromConfig({}, "bad name!");
    draft = { ...draft, config: setAt(draft.config, ["webhooks", 0], { url: "ftp://x", events: ["message", "nope", "also-nope"] }) };
    const check = checkDraft(draft, "create");
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(["config.webhooks.0.events", "config.webhooks.0.url", "name"]);
    expect(check.errors[configFieldKey(["webhooks", 0, "url"])]).toBe("must be an http(s) URL");
    // Edit mode has no name to check.
    expect(checkDraft(draft, "edit")).toMatchObject({ ok: false, errors: { "config.webhooks.0.url": "must be an http(s) URL" } });
  });

  it("asks for a metadata key once the row has a value, and for each key once", () => {
    const draft = draftFromConfig({});
    draft.metadata = [
      { id: 1, key: "a", value: "1" },
      { id: 2, key: "a", value: "2" },
      { id: 3, key: "", value: "3" },
      { id: 4, key: "", value: "" },
    ];
    expect(checkDraft(draft, "edit")).toEqual({
      ok: false,
      errors: { "metadata.1.key": "This key is used twice", "metadata.2.key": "A key is required" },
    });
  });

  it("maps the API's field details: body prefix dropped, metadata keys to their row, event items to the list", () => {
    const draft = draftFromConfig({ metadata: { tenant: "acme" } });
    const errors = fieldErrorsFromIssues(draft, [
      { field: "body.config.metadata.tenant", message: "bad value" },
      { field: "config.metadata.gone", message: "bad key" },
      { field: "config.webhooks.0.events.3", message: "first" },
      { field: "config.webhooks.0.events.4", message: "second" },
      { field: "body", message: "whole body" },
    ]);
    expect(errors).toEqual({
      "metadata.0.value": "bad value",
      metadata: "bad key",
      "config.webhooks.0.events": "first",
      config: "whole body",
    });
  });
});
