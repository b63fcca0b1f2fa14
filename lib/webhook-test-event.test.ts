import { describe, expect, it } from "vitest";
import { testEventFor } from "./webhook-test-event";

describe("the event a webhook's test is", () => {
  it("is the first of its events Switchboard emits, * standing for session.status", () => {
    expect(testEventFor(["message", "session.status", "engine.event"])).toEqual({ event: "session.status", subscribed: true });
    expect(testEventFor(["engine.event", "session.status"])).toEqual({ event: "engine.event", subscribed: true });
    expect(testEventFor(["*"])).toEqual({ event: "session.status", subscribed: true });
    expect(testEventFor(["message", "*"])).toEqual({ event: "session.status", subscribed: true });
  });

  it("is engine.event outside the subscription when none of its events is emitted", () => {
    expect(testEventFor(["message", "message.ack"])).toEqual({ event: "engine.event", subscribed: false });
    expect(testEventFor(["state.change"])).toEqual({ event: "engine.event", subscribed: false });
    expect(testEventFor([])).toEqual({ event: "engine.event", subscribed: false });
  });
});
