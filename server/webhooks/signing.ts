import { createHmac, timingSafeEqual } from "node:crypto";

export const HMAC_ALGORITHM = "sha512";

/** X-Webhook-Hmac: hex HMAC-SHA512 of the exact body bytes with the key as secret (WAHA's scheme). */
export function signBody(body: Buffer | string, key: string): string {
  return createHmac(HMAC_ALGORITHM, key).update(body).digest("hex");
}

/** Receiver-side check (tests, docs example): constant-time comparison of a received signature. */
export function verifyBodySignature(body: Buffer | string, key: string, signature: string): boolean {
  const expected = Buffer.from(signBody(body, key), "hex");
  const received = Buffer.from(signature, "hex");
  return received.length === expected.length && timingSafeEqual(received, expected);
}
