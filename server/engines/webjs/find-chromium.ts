import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Where Linux distributions and Google install a Chromium-compatible browser, most likely first. */
export const LINUX_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/google-chrome",
] as const;

export const MACOS_CANDIDATES = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
] as const;

/** The one command that installs a browser, per platform: what a FAILED reason tells the operator. */
export const INSTALL_COMMANDS: Partial<Record<NodeJS.Platform, string>> = {
  linux: "apt-get install -y chromium",
  darwin: "brew install --cask chromium",
};
const FALLBACK_INSTALL = "npx @puppeteer/browsers install chrome@stable";

export type BrowserLookup = { path: string } | { path: null; reason: string };

export interface FindBrowserOptions {
  /** SWITCHBOARD_CHROME_PATH: when set it must be right; nothing else is tried. */
  configured?: string;
  platform?: NodeJS.Platform;
  /** Where puppeteer keeps the browsers it downloaded (its default: `~/.cache/puppeteer`). */
  puppeteerCache?: string;
  /** The platform's usual places (tests replace them). */
  candidates?: readonly string[];
}

/**
 * The browser a session starts now, looked up at every start, so installing one needs no restart:
 * the configured path, then the platform's usual places, then a browser puppeteer installed. When
 * there is none, the reason names the command that installs one.
 */
export function findBrowser(options: FindBrowserOptions = {}): BrowserLookup {
  const platform = options.platform ?? process.platform;
  if (options.configured) {
    return isExecutableFile(options.configured)
      ? { path: options.configured }
      : { path: null, reason: `Chromium not found: SWITCHBOARD_CHROME_PATH (${options.configured}) is not an executable file` };
  }
  const candidates = [
    ...(options.candidates ?? (platform === "darwin" ? MACOS_CANDIDATES : platform === "linux" ? LINUX_CANDIDATES : [])),
    ...puppeteerBrowsers(options.puppeteerCache ?? path.join(homedir(), ".cache", "puppeteer")),
  ];
  const found = candidates.find(isExecutableFile);
  if (found) return { path: found };
  const install = INSTALL_COMMANDS[platform] ?? FALLBACK_INSTALL;
  return { path: null, reason: `Chromium not found: install it with \`${install}\`, or set SWITCHBOARD_CHROME_PATH` };
}

/** The first candidate that is an executable file, or null. */
export function findChromium(candidates: readonly string[] = LINUX_CANDIDATES): string | null {
  return candidates.find(isExecutableFile) ?? null;
}

/** `<cache>/chrome/<platform>-<version>/chrome-<platform>/chrome` (or the macOS app), newest version first. */
function puppeteerBrowsers(cache: string): string[] {
  const root = path.join(cache, "chrome");
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return [];
  }
  return versions
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    .flatMap((version) => {
      const platform = version.split("-")[0];
      const dir = path.join(root, version, `chrome-${platform}`);
      return [path.join(dir, "chrome"), path.join(dir, "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing")];
    });
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
