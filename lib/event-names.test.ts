import { describe, expect, it } from "vitest";
import { subscriptionMatches } from "./event-names";

describe("subscriptionMatches", () => {
  it("matches a listed event", () => {
    expect(subscriptionMatches(["message", "session.status"], "session.status")).toBe(true);
    expect(subscriptionMatches(["message"], "session.status")).toBe(false);
  });

  it("* covers all but engine.event and state.change", () => {
    expect(subscriptionMatches(["*"], "session.status")).toBe(true);
    expect(subscriptionMatches(["*"], "engine.event")).toBe(false);
    expect(subscriptionMatches(["*"], "state.change")).toBe(false);
    expect(subscriptionMatches(["*", "engine.event"], "engine.event")).toBe(true);
  });
});
