import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { catchListenerFailures, type ListenerRegistry } from "./catch-listener-failures";

function guardedEmitter() {
  const emitter = new EventEmitter();
  const failures: Array<[string | symbol, unknown]> = [];
  catchListenerFailures(emitter as unknown as ListenerRegistry, (event, error) => failures.push([event, error]));
  return { emitter, failures };
}

describe("catchListenerFailures", () => {
  it("reports rejected async listeners instead of leaving them unhandled", async () => {
    const { emitter, failures } = guardedEmitter();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const error = new Error("Target closed");
      emitter.on("framenavigated", async () => {
        throw error;
      });
      emitter.emit("framenavigated", {});
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(failures).toEqual([["framenavigated", error]]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("reports synchronous throws and still calls the other listeners", () => {
    const { emitter, failures } = guardedEmitter();
    const calls: string[] = [];
    emitter.on("close", () => {
      throw new Error("sync");
    });
    emitter.on("close", (value: string) => calls.push(value));
    emitter.emit("close", "second");
    expect(failures.map(([event]) => event)).toEqual(["close"]);
    expect(calls).toEqual(["second"]);
  });

  it("lets off() remove a listener by the function originally given", () => {
    const { emitter } = guardedEmitter();
    const calls: string[] = [];
    const listener = () => calls.push("called");
    emitter.on("response", listener);
    emitter.off("response", listener);
    emitter.emit("response");
    expect(calls).toEqual([]);
    expect(emitter.listenerCount("response")).toBe(0);
  });
});
