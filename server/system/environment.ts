import packageJson from "../../package.json";
import { recall } from "../remember";

export const VERSION: string = packageJson.version;

/** WAHA's `environment` object: in every event envelope and at /api/server/version. */
export interface TEnvironment {
  version: string;
  engine: "WEBJS";
  tier: string;
  browser: string | null;
  platform: string;
  worker: { id: string | null };
}

export const ENVIRONMENT_KEY = "environment";

/** Built by server.ts once it knows which Chromium it uses. */
export function createEnvironment(browser: string | null, workerId: string | null): TEnvironment {
  return {
    version: VERSION,
    engine: "WEBJS",
    // WAHA clients read "PLUS" as "multi-session and persistence available", which Switchboard always is.
    tier: "PLUS",
    browser,
    platform: `${process.platform}/${process.arch}`,
    worker: { id: workerId },
  };
}

export function getEnvironment(): TEnvironment {
  return recall<TEnvironment>(ENVIRONMENT_KEY);
}
