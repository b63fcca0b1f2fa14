import { describe, expect, it } from "vitest";
import { KeyedSerialQueue, SerialQueue } from "./serial-queue";

/** A promise resolved from outside, to hold work running for as long as a test needs. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("SerialQueue", () => {
  it("runs one item at a time, in the order given, and resolves each caller with its result", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = gate();
    const a = queue.run(async () => {
      log.push("a start");
      await first.promise;
      log.push("a end");
      return "a";
    });
    const b = queue.run(() => {
      log.push("b");
      return "b";
    });
    await flush();
    expect(log).toEqual(["a start"]);
    expect(queue.size).toBe(2);
    first.open();
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    expect(log).toEqual(["a start", "a end", "b"]);
  });

  it("never starts work inside run(): the caller's next line runs first", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const done = queue.run(() => log.push("work"));
    log.push("caller");
    await done;
    expect(log).toEqual(["caller", "work"]);
  });

  it("a failure rejects only its own caller; the next item still runs", async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error("boom");
    });
    const thrown = queue.run(() => {
      throw new Error("sync boom");
    });
    const next = queue.run(() => "next");
    await expect(failed).rejects.toThrow("boom");
    await expect(thrown).rejects.toThrow("sync boom");
    expect(await next).toBe("next");
  });

  it("reports idle each time the last item settles", async () => {
    let idle = 0;
    const queue = new SerialQueue(() => idle++);
    const held = gate();
    const a = queue.run(() => held.promise);
    const b = queue.run(() => undefined);
    await flush();
    expect(idle).toBe(0);
    held.open();
    await Promise.all([a, b]);
    await flush();
    expect(idle).toBe(1);
    expect(queue.size).toBe(0);
    await queue.run(() => Promise.reject(new Error("x"))).catch(() => undefined);
    await flush();
    expect(idle).toBe(2);
  });
});

describe("KeyedSerialQueue", () => {
  it("serialises work per key; other keys never wait", async () => {
    const queues = new KeyedSerialQueue<string>();
    const log: string[] = [];
    const held = gate();
    const a1 = queues.run("a", async () => {
      await held.promise;
      log.push("a1");
    });
    const a2 = queues.run("a", () => log.push("a2"));
    const b1 = queues.run("b", () => log.push("b1"));
    await b1;
    expect(log).toEqual(["b1"]);
    held.open();
    await Promise.all([a1, a2]);
    expect(log).toEqual(["b1", "a1", "a2"]);
  });

  it("drops a key's queue once it is empty, and starts a fresh one on the next run", async () => {
    const queues = new KeyedSerialQueue<string>();
    await queues.run("a", () => undefined);
    await queues.run("b", () => Promise.reject(new Error("no"))).catch(() => undefined);
    await flush();
    expect(queues.size).toBe(0);
    const held = gate();
    const running = queues.run("a", () => held.promise);
    expect(queues.size).toBe(1);
    held.open();
    await running;
    await flush();
    expect(queues.size).toBe(0);
  });
});
