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

  it("stays bounded", async () => {
    const cache = new ReadCache(2);
    for (const key of ["a", "b", "c"]) await cache.read(key, async () => ({ key }));
    let loads = 0;
    await cache.read("a", async () => ({ key: "a", n: ++loads }));
    expect(loads).toBe(1);
  });
});
