import { describe, expect, it } from "vitest";
import { ALL_EVENTS, ALL_EVENTS_LIMIT, EVENT_LOG_LIMIT, EventLog, streamEvents } from "./event-log";

const event = (session: string, kind: "event" | "engine" = "event", timestamp = 1) => ({
  session,
  kind,
  event: kind === "event" ? "engine.event" : "message",
  timestamp,
  data: null,
});

describe("EventLog", () => {
  it("keeps envelopes in the session's bucket and in *, raw engine events in the session's only", () => {
    const log = new EventLog();
    log.push(event("a"));
    log.push(event("a", "engine"));
    log.push(event("b"));
    expect(log.read("a").map((e) => e.kind)).toEqual(["engine", "event"]);
    expect(log.read(ALL_EVENTS).map((e) => e.session)).toEqual(["b", "a"]);
  });

  it("keeps the last events of each bucket and counts every one it received", () => {
    const log = new EventLog();
    for (let i = 0; i < ALL_EVENTS_LIMIT + 50; i++) log.push(event("a", "event", i));
    expect(log.read("a")).toHaveLength(EVENT_LOG_LIMIT);
    expect(log.read(ALL_EVENTS)).toHaveLength(ALL_EVENTS_LIMIT);
    expect(log.read(ALL_EVENTS)[0].timestamp).toBe(ALL_EVENTS_LIMIT + 49);
    expect(log.received(ALL_EVENTS)).toBe(ALL_EVENTS_LIMIT + 50);
    log.clear(ALL_EVENTS);
    expect([log.read(ALL_EVENTS), log.received(ALL_EVENTS), log.read("a").length]).toEqual([[], 0, EVENT_LOG_LIMIT]);
  });

  it("tells listeners of a bucket, and only them", () => {
    const log = new EventLog();
    const heard: string[] = [];
    log.subscribe(ALL_EVENTS, () => heard.push("*"));
    const unsubscribe = log.subscribe("b", () => heard.push("b"));
    log.push(event("a"));
    log.push(event("a", "engine"));
    log.push(event("b"));
    unsubscribe();
    log.push(event("b"));
    expect(heard).toEqual(["*", "b", "*", "*"]);
  });

  it("rate() averages the arrivals of the last 10 whole seconds by the browser's clock, or of fewer at first", () => {
    let now = 100_000;
    const log = new EventLog(() => now);
    expect(log.rate(ALL_EVENTS, now)).toBeNull();
    log.push(event("a"));
    expect(log.rate(ALL_EVENTS, now + 500)).toBeNull();
    expect(log.rate(ALL_EVENTS, now + 1000)).toBe(1);
    expect(log.rate(ALL_EVENTS, now + 4000)).toBe(0.25);
    log.clear(ALL_EVENTS);
    now += 1000;
    for (let second = 0; second < 15; second++) {
      for (let i = 0; i < 3; i++) log.push(event("a"));
      now += 1000;
    }
    // 15 seconds of 3 a second; the current second has none yet.
    expect(log.rate(ALL_EVENTS, now)).toBe(3);
    expect(log.rate(ALL_EVENTS, now + 5000)).toBe(1.5);
    expect(log.rate(ALL_EVENTS, now + 11_000)).toBe(0);
    expect(log.rate("nobody", now)).toBeNull();
  });
});

describe("streamEvents", () => {
  const envelope = (name: string) => ({ key: name, session: "a", kind: "event" as const, event: name, timestamp: 1, data: null });
  const raw = { key: "raw", session: "a", kind: "engine" as const, event: "message", timestamp: 1, data: null };
  const events = [envelope("message"), envelope("engine.event"), raw, envelope("session.status")];

  it("hides engine events while the switch is off, and never shows a raw one twice", () => {
    expect(streamEvents(events, { engine: false, name: "" }).map((e) => e.key)).toEqual(["message", "session.status"]);
    expect(streamEvents(events, { engine: true, name: "" }).map((e) => e.key)).toEqual(["message", "engine.event", "session.status"]);
  });

  it("keeps one event name when asked", () => {
    expect(streamEvents(events, { engine: true, name: "engine.event" }).map((e) => e.key)).toEqual(["engine.event"]);
    expect(streamEvents(events, { engine: false, name: "engine.event" })).toEqual([]);
  });
});
