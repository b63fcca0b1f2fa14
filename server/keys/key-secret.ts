import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The secret part of an API key, pure. A key is `key_` + 32 random base64url characters (192 bits): so
 * much entropy that one SHA-256 is the right hash (a slow password hash guards guessable secrets; nobody
 * guesses 192 bits). Only the hash is stored, and the first characters, to find the row and to show the
 * key masked.
 */

export const KEY_PREFIX = "key_";
/** What stays visible of a key: `key_` and 8 more characters (48 bits: finds the row, guesses nothing). */
const VISIBLE_LENGTH = KEY_PREFIX.length + 8;
const SECRET_BYTES = 24;

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(SECRET_BYTES).toString("base64url");
}

/** `key_id_` + 26 random base32 characters, in WAHA's shape. */
export function generateKeyId(): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuv";
  return "key_id_" + [...randomBytes(26)].map((byte) => alphabet[byte & 31]).join("");
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The row's lookup handle: a key's visible start. */
export function keyPrefixOf(key: string): string {
  return key.slice(0, VISIBLE_LENGTH);
}

/** How lists show a key: its visible start, the rest as `*`. */
export function maskKey(prefix: string): string {
  return prefix + "*".repeat(KEY_PREFIX.length + Math.ceil((SECRET_BYTES * 4) / 3) - prefix.length);
}

/** Constant-time: whether `presented` is the key whose hash is `storedHash`. */
export function keyMatchesHash(presented: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, "hex");
  const actual = Buffer.from(hashKey(presented), "hex");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * A one-action key (POST /api/keys/control, /media) is derived, not drawn: HMAC of its row id under the
 * root key's hash, so "create or get" can hand the same key out again while only its hash is stored.
 * Every worker of a cluster shares the root key, so each derives the same key.
 */
export function deriveScopedKey(rootSecret: string, keyId: string): string {
  const mac = createHmac("sha256", `switchboard-scoped-key\u0000${rootSecret}`).update(keyId).digest("base64url");
  return KEY_PREFIX + mac.slice(0, Math.ceil((SECRET_BYTES * 4) / 3));
}
