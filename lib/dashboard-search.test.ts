import { describe, expect, it } from "vitest";
import { formatSessionSearch, parseSessionSearch } from "./dashboard-search";

describe("sessions search box", () => {
  it("splits free text from key=value metadata tokens", () => {
    expect(parseSessionSearch("acme team=sales  tenant=42")).toEqual({ text: "acme", metadata: { team: "sales", tenant: "42" } });
  });

  it("keeps quoted values with spaces and strips a metadata. prefix", () => {
    expect(parseSessionSearch('region="eu west" "city=New York" metadata.user.id=7 big shop')).toEqual({
      text: "big shop",
      metadata: { region: "eu west", city: "New York", "user.id": "7" },
    });
  });

  it("treats a quoted phrase without = as text, and an empty value as a match on empty", () => {
    expect(parseSessionSearch('"big shop" flag=')).toEqual({ text: "big shop", metadata: { flag: "" } });
  });

  it("round-trips through formatSessionSearch", () => {
    const search = { text: "acme", metadata: { region: "eu west", team: "sales" } };
    expect(parseSessionSearch(formatSessionSearch(search))).toEqual(search);
  });
});
