import { describe, expect, it } from "vitest";
import { ReadCache } from "./read-cache";

describe("ReadCache", () => {
  it("loads once and then answers from memory, with a frozen value", async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => ({ n: ++loads, nested: { list: [1] } });
    const first = await cache.read("a", load);
    const second = await cache.read("a", load);
    expect(second).toBe(first);
    expect(loads).toBe(1);
    expect(Object.isFrozen(first!.nested.list)).toBe(true);
  });

  it("does not keep misses", async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => (++loads > 1 ? { found: true } : null);
    expect(await cache.read("a", load)).toBeNull();
    expect(await cache.read("a", load)).toEqual({ found: true });
  });

  it("drops everything on invalidate()", async () => {
    const cache = new ReadCache();
    let loads = 0;
    await cache.read("a", async () => ({ n: ++loads }));
    cache.invalidate();
    expect(await cache.read("a", async () => ({ n: ++loads }))).toEqual({ n: 2 });
  });

  it("does not keep a value whose load overlapped a write", async () => {
    const cache = new ReadCache();
    let release!: () => void;
    const stale = cache.read("a", () => new Promise<{ v: string }>((resolve) => (release = () => resolve({ v: "old" }))));
    cache.invalidate();
    release();
    expect(await stale).toEqual({ v: "old" });
    expect(await cache.read("a", async () => ({ v: "new" }))).toEqual({ v: "new" });
  });

  it("while bypassed, loads every read and keeps nothing; caches again after, from a fresh start", async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cache.read("a", load);
    cache.setBypassed(true);
    expect(await cache.read("a", load)).toEqual({ n: 2 });
    expect(await cache.read("a", load)).toEqual({ n: 3 });
    cache.setBypassed(false);
    expect(await cache.read("a", load)).toEqual({ n: 4 });
    expect(await cache.read("a", load)).toEqual({ n: 4 });
  });

  it("does not keep a value whose load overlapped the end of a bypass", async () => {
    const cache = new ReadCache();
    cache.setBypassed(true);
    let release!: () => void;
    const during = cache.read("a", () => new Promise<{ v: string }>((resolve) => (release = () => resolve({ v: "old" }))));
    cache.setBypassed(false);
    release();
    expect(await during).toEqual({ v: "old" });
    let loads = 0;
    expect(await cache.read("a", async () => ({ v: "new", n: ++loads }))).toEqual({ v: "new", n: 1 });
    // and a load that started before a bypass began is not kept either
    const before = cache.read("b", () => new Promise<{ v: string }>((resolve) => (release = () => resolve({ v: "before" }))));
    cache.setBypassed(true);
    cache.setBypassed(false);
    release();
    await before;
    expect(await cache.read("b", async () => ({ v: "after" }))).toEqual({ v: "after" });
  });

  it("stays bounded", async () => {
    const cache = new ReadCache(2);
    for (const key of ["a", "b", "c"]) await cache.read(key, async () => ({ key }));
    let loads = 0;
    await cache.read("a", async () => ({ key: "a", n: ++loads }));
    expect(loads).toBe(1);
  });
});
