import fs from "node:fs";
import path from "node:path";
import type wweb from "whatsapp-web.js";

/**
 * Which WhatsApp Web the page runs (WAHA's WAHA_WEBJS_CACHE_TYPE and WAHA_WEBJS_WEB_VERSION), through
 * whatsapp-web.js's own options, without patching anything (docs/session-health.md, "WhatsApp Web version"):
 * - "none": the page is whatever web.whatsapp.com serves; nothing is stored.
 * - "local": the library keeps each version it loads in `cacheDir` (`<version>.html`, written at login).
 *   With a pinned version the page is served from that copy instead of web.whatsapp.com's, and a start
 *   fails, saying so, while the copy is missing; without one the live page is loaded (and cached).
 */
export interface WebVersionPolicy {
  cache: "none" | "local";
  /** Where the "local" cache keeps its copies. */
  cacheDir: string;
  /** The version to run from the local cache; null: the live page. */
  pinned: string | null;
}

/** The whatsapp-web.js client options that carry the policy. */
export function webVersionOptions(policy: WebVersionPolicy): Pick<wweb.ClientOptions, "webVersion" | "webVersionCache"> {
  if (policy.cache === "none") return { webVersionCache: { type: "none" } };
  // Not strict without a pin: the library then asks for its own default version, which is rarely cached,
  // and strict would make that an error instead of loading the live page (docs/whatsapp-web.md, pitfall 15).
  const webVersionCache: wweb.WebCacheOptions = { type: "local", path: policy.cacheDir, strict: policy.pinned !== null };
  return policy.pinned === null ? { webVersionCache } : { webVersion: policy.pinned, webVersionCache };
}

/** Why a start must fail under this policy (a pinned version with no cached copy), or null. */
export function pinnedVersionProblem(policy: WebVersionPolicy): string | null {
  if (policy.cache !== "local" || policy.pinned === null) return null;
  const file = cachedVersionFile(policy, policy.pinned);
  if (fs.existsSync(file)) return null;
  return (
    `WhatsApp Web ${policy.pinned} (WAHA_WEBJS_WEB_VERSION) is not in the local cache (${file}); ` +
    "start the session once without WAHA_WEBJS_WEB_VERSION to cache the version WhatsApp serves, or pin a cached one"
  );
}

/** Where the local cache keeps a version: the library's own naming (LocalWebCache). */
export function cachedVersionFile(policy: Pick<WebVersionPolicy, "cacheDir">, version: string): string {
  return path.join(policy.cacheDir, `${version}.html`);
}
