import packageJson from "../../package.json";
import type { TEnvironment } from "@/lib/event-envelope";
import { recall } from "../remember";

export const VERSION: string = packageJson.version;

export const ENVIRONMENT_KEY = "environment";

/** WAHA's `environment` object (in every event envelope and at /api/server/version), built by server.ts. */
export function getEnvironment(): TEnvironment {
  return recall<TEnvironment>(ENVIRONMENT_KEY);
}
