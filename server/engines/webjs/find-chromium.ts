import { accessSync, constants, statSync } from "node:fs";

/** Where Debian, Ubuntu and Google ship a Chromium-compatible browser, most likely first. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
] as const;

/**
 * The first candidate that is an executable file, or null. An explicitly configured path
 * (SWITCHBOARD_CHROME_PATH) is the caller's to check first; this is the fallback search.
 */
export function findChromium(candidates: readonly string[] = CHROMIUM_CANDIDATES): string | null {
  return candidates.find(isExecutableFile) ?? null;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
