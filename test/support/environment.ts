import type { TEnvironment } from "@/lib/event-envelope";

/** The `environment` block of envelopes built in tests. */
export const TEST_ENVIRONMENT: TEnvironment = {
  version: "9.9.9",
  engine: "WEBJS",
  tier: "PLUS",
  browser: null,
  platform: "linux/x64",
  worker: { id: null },
};
