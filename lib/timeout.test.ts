import { afterEach, describe, expect, it, vi } from "vitest";
import { settleWithin, valueWithin, type TTimers } from "./timeout";

/** Injected timers that fire only when told to, like a Clock in the server's unit tests. */
function manualTimers() {
  const timers = new Map<number, () => void>();
  let next = 0;
  const source: TTimers<number> = {
    setTimeout: (callback) => {
      timers.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle),
  };
  return {
    source,
    pending: () => timers.size,
    fireAll: () => {
      for (const [id, callback] of [...timers]) {
        timers.delete(id);
        callback();
      }
    },
  };
}

const never = new Promise<never>(() => undefined);

afterEach(() => {
  vi.useRealTimers();
});

describe("settleWithin", () => {
  it("reports the value of a promise that settles in time, and clears its timer", async () => {
    const timers = manualTimers();
    expect(await settleWithin(Promise.resolve(42), 1000, timers.source)).toEqual({ status: "fulfilled", value: 42 });
    expect(timers.pending()).toBe(0);
  });

  it("reports a rejection in time instead of throwing", async () => {
    const timers = manualTimers();
    const error = new Error("refused");
    expect(await settleWithin(Promise.reject(error), 1000, timers.source)).toEqual({ status: "rejected", reason: error });
    expect(timers.pending()).toBe(0);
  });

  it("reports timed-out when the time runs out first, and ignores a late answer", async () => {
    const timers = manualTimers();
    let answer!: (value: string) => void;
    const late = new Promise<string>((resolve) => (answer = resolve));
    const outcome = settleWithin(late, 1000, timers.source);
    timers.fireAll();
    answer("too late");
    expect(await outcome).toEqual({ status: "timed-out" });
  });

  it("runs on the global timers by default", async () => {
    vi.useFakeTimers();
    const outcome = settleWithin(never, 500);
    await vi.advanceTimersByTimeAsync(499);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual({ status: "timed-out" });
  });

  it("arms no timer for Infinity", async () => {
    const timers = manualTimers();
    const outcome = settleWithin(Promise.resolve("ok"), Infinity, timers.source);
    expect(timers.pending()).toBe(0);
    expect(await outcome).toEqual({ status: "fulfilled", value: "ok" });
  });
});

describe("valueWithin", () => {
  it("gives the value, or the fallback on a rejection or a timeout", async () => {
    expect(await valueWithin(Promise.resolve("v"), 1000, null)).toBe("v");
    expect(await valueWithin(Promise.reject(new Error("x")), 1000, {})).toEqual({});
    vi.useFakeTimers();
    const slow = valueWithin(never, 100, "fallback");
    await vi.advanceTimersByTimeAsync(100);
    expect(await slow).toBe("fallback");
  });
});
