import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { registerLogSecret } from "../log-redaction";
import { readOrCreateSecretFile } from "../secret-file";

/** What a request must present. null disables the check (WAHA_NO_API_KEY=true). */
export type ApiKeyCheck = { sha512Hex: string } | null;

const WEAK_KEYS = new Set(["", "123", "321", "waha", "admin", "0".repeat(32), "1".repeat(32)]);

/**
 * Resolve the API key at boot. A configured key (plain or `sha512:<hex>`) wins; otherwise a strong key
 * is generated once, stored in the data folder and printed once, then reused on every later boot
 * (WAHA prints a new one each boot, which breaks every client on restart).
 */
export function resolveApiKey(options: {
  configured: string | undefined;
  disabled: boolean;
  dataDir: string;
  logger: Logger;
}): ApiKeyCheck {
  const { configured, disabled, dataDir, logger } = options;
  if (disabled) {
    logger.warn("WAHA_NO_API_KEY=true: the API is open to anyone who can reach this port. Do not expose it.");
    return null;
  }
  if (configured) {
    if (configured.startsWith("sha512:")) {
      const hex = configured.slice("sha512:".length).toLowerCase();
      if (!/^[0-9a-f]{128}$/.test(hex)) throw new Error("WAHA_API_KEY: sha512:<hex> needs 128 hex digits");
      return { sha512Hex: hex };
    }
    if (WEAK_KEYS.has(configured)) logger.warn("WAHA_API_KEY is a well-known weak value; choose a long random key");
    registerLogSecret(configured);
    return { sha512Hex: sha512Hex(configured) };
  }
  const stored = readOrCreateSecretFile({ dir: dataDir, name: "api-key", generate: () => `sb_${randomBytes(32).toString("base64url")}` });
  registerLogSecret(stored.value);
  // Printed once, on the boot that created it; later boots read it from the file.
  if (stored.created) console.log(`\n  Generated an API key (stored in ${stored.file}):\n\n    X-Api-Key: ${stored.value}\n`);
  return { sha512Hex: sha512Hex(stored.value) };
}

/** Constant-time comparison of digests, so timing reveals nothing about the key. */
export function apiKeyMatches(presented: string | null, check: ApiKeyCheck): boolean {
  if (check === null) return true;
  if (!presented) return false;
  const expected = Buffer.from(check.sha512Hex, "hex");
  const actual = Buffer.from(sha512Hex(presented), "hex");
  return timingSafeEqual(expected, actual);
}

function sha512Hex(value: string): string {
  return createHash("sha512").update(value).digest("hex");
}
