import { createHash, timingSafeEqual } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { deriveScopedKey, generateKey, generateKeyId, hashKey, keyMatchesHash, keyPrefixOf, maskKey } from "./key-secret";

vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

describe("API key secrets", () => {
  it("draws 192-bit keys and WAHA-shaped ids, never the same twice", () => {
    const keys = new Set(Array.from({ length: 200 }, generateKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^key_[A-Za-z0-9_-]{32}$/);
    expect(generateKeyId()).toMatch(/^key_id_[0-9a-v]{26}$/);
  });

  it("stores SHA-256 of the key and matches only the key itself", () => {
    const key = generateKey();
    expect(hashKey(key)).toBe(createHash("sha256").update(key).digest("hex"));
    expect(keyMatchesHash(key, hashKey(key))).toBe(true);
    expect(keyMatchesHash(`${key}x`, hashKey(key))).toBe(false);
    expect(keyMatchesHash(key.slice(0, -1), hashKey(key))).toBe(false);
    expect(keyMatchesHash(key, "")).toBe(false); // a malformed stored hash matches nothing
  });

  it("compares in constant time: timingSafeEqual over two 32-byte digests, whatever the key presented", () => {
    const key = generateKey();
    for (const presented of [key, "key_short", `${key}-and-much-longer`]) {
      vi.mocked(timingSafeEqual).mockClear();
      expect(keyMatchesHash(presented, hashKey(key))).toBe(presented === key);
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
      const [a, b] = vi.mocked(timingSafeEqual).mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    }
  });

  it("masks all but the visible prefix, at the key's length", () => {
    const key = generateKey();
    const masked = maskKey(keyPrefixOf(key));
    expect(masked).toHaveLength(key.length);
    expect(masked.startsWith(key.slice(0, 12))).toBe(true);
    expect(masked.slice(12)).toMatch(/^\*+$/);
  });

  it("derives a one-action key from its id under the root secret: the same key again, another under another root", () => {
    const a = deriveScopedKey("root-1", "key_id_a");
    expect(deriveScopedKey("root-1", "key_id_a")).toBe(a);
    expect(deriveScopedKey("root-1", "key_id_b")).not.toBe(a);
    expect(deriveScopedKey("root-2", "key_id_a")).not.toBe(a);
    expect(a).toMatch(/^key_[A-Za-z0-9_-]{32}$/);
  });
});
