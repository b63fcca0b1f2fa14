import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import { ulidFactory } from "./ulid";

describe("ulidFactory", () => {
  it("makes ULIDs that increase, carry their time, and differ across generators", () => {
    const ulid = ulidFactory();
    const ids = Array.from({ length: 10_000 }, (_, i) => ulid(1_700_000_000_000 + Math.floor(i / 100)));
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decodeTime(ids.at(-1)!)).toBe(1_700_000_000_099);
    // The random part comes from the pool: two generators in the same millisecond do not collide.
    const other = ulidFactory();
    expect(other(1_700_000_000_000)).not.toBe(ulidFactory()(1_700_000_000_000));
  });
});
